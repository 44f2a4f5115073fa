-- Cluster membership of Microsoft.Orleans.Clustering.AdoNet and the reminder table of
-- Microsoft.Orleans.Reminders.AdoNet (both 10.4.2, invariant "Npgsql"), written for the providers'
-- documented PostgreSQL contract because their NuGet packages do not ship the script. At startup each
-- provider reads orleansquery (created by V005) and refuses to start unless every key it needs is there;
-- after that it only runs these texts, so the table and function names below are ours.
--
-- Binding facts the texts rely on: strings are text, @Status/@Port/@Generation/@ProxyPort/@Version/
-- @GrainHash are int, @Period is int or bigint (milliseconds), times are UTC DateTimes sent as
-- timestamptz, @SuspectTimes is a "silo,date|silo,date" string or null. Result columns are read by name
-- (Npgsql matches them case-insensitively; the aliases keep the documented spelling anyway).

-- ---------------------------------------------------------------------------------------------------
-- Membership
-- ---------------------------------------------------------------------------------------------------

-- One row per cluster (the provider calls it DeploymentId; it is our ClusterId). Its version is the
-- table-wide etag: every insert or update of a silo row must name the version it read, and bumps it.
CREATE TABLE orleansmembershipversion (
    deploymentid varchar(150) PRIMARY KEY,
    "timestamp"  timestamptz  NOT NULL DEFAULT now(),
    version      integer      NOT NULL DEFAULT 0
);

-- One row per silo incarnation; the generation tells a restarted silo on the same endpoint apart.
-- Deleting the cluster's version row (DeleteMembershipTableEntriesKey) takes its silo rows with it.
CREATE TABLE orleansmembership (
    deploymentid varchar(150) NOT NULL REFERENCES orleansmembershipversion (deploymentid) ON DELETE CASCADE,
    address      varchar(45)  NOT NULL,
    port         integer      NOT NULL,
    generation   integer      NOT NULL,
    siloname     varchar(150) NOT NULL,
    hostname     varchar(150) NOT NULL,
    status       integer      NOT NULL,
    proxyport    integer      NOT NULL DEFAULT 0,
    suspecttimes text,
    starttime    timestamptz  NOT NULL,
    iamalivetime timestamptz  NOT NULL,
    PRIMARY KEY (deploymentid, address, port, generation)
);

-- Insert a silo row under the table etag. Returns 1 when the row went in and the version moved on,
-- 0 (and changes nothing) when the caller's version is stale or the silo row already exists; the
-- provider then re-reads the table and retries. Locking the version row first serialises every
-- writer of the cluster, so the existence check and the insert cannot be overtaken.
CREATE FUNCTION orleans_membership_insert(
    _deploymentid varchar, _address varchar, _port integer, _generation integer, _siloname varchar,
    _hostname varchar, _status integer, _proxyport integer, _starttime timestamptz,
    _iamalivetime timestamptz, _version integer)
RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM orleansmembershipversion
     WHERE deploymentid = _deploymentid AND version = _version
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    IF EXISTS (SELECT 1 FROM orleansmembership
                WHERE deploymentid = _deploymentid AND address = _address
                  AND port = _port AND generation = _generation) THEN
        RETURN 0;
    END IF;

    INSERT INTO orleansmembership (deploymentid, address, port, generation, siloname, hostname,
                                   status, proxyport, suspecttimes, starttime, iamalivetime)
    VALUES (_deploymentid, _address, _port, _generation, _siloname, _hostname,
            _status, coalesce(_proxyport, 0), NULL, _starttime, _iamalivetime);

    UPDATE orleansmembershipversion
       SET version = version + 1, "timestamp" = now()
     WHERE deploymentid = _deploymentid;
    RETURN 1;
END
$$;

-- Update a silo row (status changes, suspicion votes, death declarations) under the table etag, with
-- the same 1/0 answer. The version only moves when the silo row exists, so a miss changes nothing.
CREATE FUNCTION orleans_membership_update(
    _deploymentid varchar, _address varchar, _port integer, _generation integer, _status integer,
    _suspecttimes text, _iamalivetime timestamptz, _version integer)
RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM orleansmembershipversion
     WHERE deploymentid = _deploymentid AND version = _version
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    -- greatest(): an update carrying an older liveness time must not move a silo's heartbeat back.
    UPDATE orleansmembership
       SET status = _status, suspecttimes = _suspecttimes,
           iamalivetime = greatest(iamalivetime, _iamalivetime)
     WHERE deploymentid = _deploymentid AND address = _address
       AND port = _port AND generation = _generation;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE orleansmembershipversion
       SET version = version + 1, "timestamp" = now()
     WHERE deploymentid = _deploymentid;
    RETURN 1;
END
$$;

-- Every membership read starts from the version row (LEFT JOIN), so an empty cluster still yields
-- one row carrying the etag, with null silo columns; the provider relies on that.
INSERT INTO orleansquery (querykey, querytext) VALUES
('InsertMembershipVersionKey',
 'WITH inserted AS (
      INSERT INTO orleansmembershipversion (deploymentid) VALUES (@DeploymentId)
      ON CONFLICT (deploymentid) DO NOTHING
      RETURNING 1)
  SELECT count(*)::integer FROM inserted'),
('InsertMembershipKey',
 'SELECT orleans_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version)'),
('UpdateMembershipKey',
 'SELECT orleans_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version)'),
-- Heartbeats are deliberately outside the etag: they are frequent and must never conflict.
('UpdateIAmAlivetimeKey',
 'UPDATE orleansmembership
     SET iamalivetime = greatest(iamalivetime, @IAmAliveTime)
   WHERE deploymentid = @DeploymentId AND address = @Address
     AND port = @Port AND generation = @Generation'),
('MembershipReadRowKey',
 'SELECT v.deploymentid AS "DeploymentId", m.address AS "Address", m.port AS "Port",
         m.generation AS "Generation", m.siloname AS "SiloName", m.hostname AS "HostName",
         m.status AS "Status", m.proxyport AS "ProxyPort", m.suspecttimes AS "SuspectTimes",
         m.starttime AS "StartTime", m.iamalivetime AS "IAmAliveTime", v.version AS "Version"
    FROM orleansmembershipversion v
    LEFT JOIN orleansmembership m
      ON m.deploymentid = v.deploymentid AND m.address = @Address
     AND m.port = @Port AND m.generation = @Generation
   WHERE v.deploymentid = @DeploymentId'),
('MembershipReadAllKey',
 'SELECT v.deploymentid AS "DeploymentId", m.address AS "Address", m.port AS "Port",
         m.generation AS "Generation", m.siloname AS "SiloName", m.hostname AS "HostName",
         m.status AS "Status", m.proxyport AS "ProxyPort", m.suspecttimes AS "SuspectTimes",
         m.starttime AS "StartTime", m.iamalivetime AS "IAmAliveTime", v.version AS "Version"
    FROM orleansmembershipversion v
    LEFT JOIN orleansmembership m ON m.deploymentid = v.deploymentid
   WHERE v.deploymentid = @DeploymentId'),
-- Clients list gateways with @Status = 3 (Active); a silo without a gateway has proxy port 0.
('GatewaysQueryKey',
 'SELECT address AS "Address", proxyport AS "ProxyPort", generation AS "Generation"
    FROM orleansmembership
   WHERE deploymentid = @DeploymentId AND status = @Status AND proxyport > 0'),
('DeleteMembershipTableEntriesKey',
 'DELETE FROM orleansmembershipversion WHERE deploymentid = @DeploymentId'),
-- Defunct-silo cleanup. 10.4.2 prefers the optional per-row key when it exists: it reads the table,
-- picks Dead (6) rows whose start, heartbeat and suspicion votes are all older than the cutoff, and
-- deletes each only if it still holds the values it saw, so a row that changed meanwhile survives.
-- The bulk key stays required and applies the same rule in one statement. Neither touches the etag:
-- removing a Dead row changes nothing any silo acts on.
('CleanupDefunctSiloEntryKey',
 'DELETE FROM orleansmembership
   WHERE deploymentid = @DeploymentId AND status = 6
     AND address = @Address AND port = @Port AND generation = @Generation
     AND starttime = @StartTime AND iamalivetime = @IAmAliveTime
     AND coalesce(suspecttimes, '''') = coalesce(@SuspectTimes, '''')'),
('CleanupDefunctSiloEntriesKey',
 'DELETE FROM orleansmembership
   WHERE deploymentid = @DeploymentId AND status = 6
     AND iamalivetime < @IAmAliveTime AND starttime < @IAmAliveTime
     AND coalesce(suspecttimes, '''') = ''''');

-- ---------------------------------------------------------------------------------------------------
-- Reminders
-- ---------------------------------------------------------------------------------------------------

-- grainid is text: string-keyed grain ids have no useful upper bound, and a too-short column would
-- only fail at registration time. period is in milliseconds and may exceed int. version is the
-- reminder's etag; grainhash is the grain's uniform hash as a signed int, what the ring ranges use.
CREATE TABLE orleansreminders (
    serviceid    varchar(150) NOT NULL,
    grainid      text         NOT NULL,
    remindername varchar(150) NOT NULL,
    starttime    timestamptz  NOT NULL,
    period       bigint       NOT NULL,
    grainhash    integer      NOT NULL,
    version      integer      NOT NULL,
    PRIMARY KEY (serviceid, grainid, remindername)
);

-- Each silo periodically reads the reminders of its ring range by hash.
CREATE INDEX orleansreminders_range ON orleansreminders (serviceid, grainhash);

INSERT INTO orleansquery (querykey, querytext) VALUES
-- Registering again replaces the schedule and bumps the etag; the new etag is returned.
('UpsertReminderRowKey',
 'INSERT INTO orleansreminders (serviceid, grainid, remindername, starttime, period, grainhash, version)
  VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
  ON CONFLICT (serviceid, grainid, remindername) DO UPDATE
     SET starttime = excluded.starttime, period = excluded.period, grainhash = excluded.grainhash,
         version = orleansreminders.version + 1
  RETURNING version AS "Version"'),
('ReadReminderRowsKey',
 'SELECT grainid AS "GrainId", remindername AS "ReminderName", starttime AS "StartTime",
         period AS "Period", version AS "Version"
    FROM orleansreminders
   WHERE serviceid = @ServiceId AND grainid = @GrainId'),
('ReadReminderRowKey',
 'SELECT grainid AS "GrainId", remindername AS "ReminderName", starttime AS "StartTime",
         period AS "Period", version AS "Version"
    FROM orleansreminders
   WHERE serviceid = @ServiceId AND grainid = @GrainId AND remindername = @ReminderName'),
-- The provider picks Rows1 when (int)begin < (int)end, a range (begin, end] that does not wrap in
-- signed order, and Rows2 otherwise: the range wraps, so it is everything above begin or up to end.
('ReadRangeRows1Key',
 'SELECT grainid AS "GrainId", remindername AS "ReminderName", starttime AS "StartTime",
         period AS "Period", version AS "Version"
    FROM orleansreminders
   WHERE serviceid = @ServiceId AND grainhash > @BeginHash AND grainhash <= @EndHash'),
('ReadRangeRows2Key',
 'SELECT grainid AS "GrainId", remindername AS "ReminderName", starttime AS "StartTime",
         period AS "Period", version AS "Version"
    FROM orleansreminders
   WHERE serviceid = @ServiceId AND (grainhash > @BeginHash OR grainhash <= @EndHash)'),
-- Unregistering names the etag it holds: 1 when the row was deleted, 0 when it was stale or gone.
('DeleteReminderRowKey',
 'WITH deleted AS (
      DELETE FROM orleansreminders
       WHERE serviceid = @ServiceId AND grainid = @GrainId
         AND remindername = @ReminderName AND version = @Version
      RETURNING 1)
  SELECT count(*)::integer FROM deleted'),
('DeleteReminderRowsKey',
 'DELETE FROM orleansreminders WHERE serviceid = @ServiceId');
