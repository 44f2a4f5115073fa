-- Grain state of Microsoft.Orleans.Persistence.AdoNet (storage "sources": API poller checkpoints and
-- status), written for the provider's documented PostgreSQL contract because its NuGet packages do
-- not ship the script. The provider reads its three statements from orleansquery at startup
-- (keys WriteToStorageKey, ReadFromStorageKey, ClearStorageKey) and binds these parameters:
-- @GrainIdHash int, @GrainIdN0 bigint, @GrainIdN1 bigint, @GrainTypeHash int, @GrainTypeString,
-- @GrainIdExtensionString (the key of string-keyed grains), @ServiceId, @GrainStateVersion int
-- (the ETag; null before the first write) and @PayloadBinary bytea.
-- Optimistic concurrency: every statement returns exactly one row, holding the new version, or
-- NULL when the caller's version is stale; the provider turns NULL into InconsistentStateException.

CREATE TABLE orleansquery (
    querykey  varchar(64) PRIMARY KEY,
    querytext text NOT NULL
);

CREATE TABLE orleansstorage (
    grainidhash            integer      NOT NULL,
    grainidn0              bigint       NOT NULL,
    grainidn1              bigint       NOT NULL,
    graintypehash          integer      NOT NULL,
    graintypestring        varchar(512) NOT NULL,
    grainidextensionstring varchar(512),
    serviceid              varchar(150) NOT NULL,
    payloadbinary          bytea,
    modifiedon             timestamp    NOT NULL,
    version                integer      NOT NULL
);

-- One row per grain; the hashes come first because they are what lookups narrow on. A null
-- extension (integer and GUID keys) counts as one value, so a double insert cannot slip through.
CREATE UNIQUE INDEX orleansstorage_grain ON orleansstorage
    (grainidhash, graintypehash, grainidn0, grainidn1, serviceid, graintypestring, coalesce(grainidextensionstring, ''));

CREATE FUNCTION orleans_write_state(
    _grainidhash integer, _grainidn0 bigint, _grainidn1 bigint, _graintypehash integer, _graintypestring varchar,
    _grainidextensionstring varchar, _serviceid varchar, _grainstateversion integer, _payloadbinary bytea)
RETURNS TABLE (newgrainstateversion integer)
LANGUAGE plpgsql AS $$
DECLARE
    _new integer;
BEGIN
    IF _grainstateversion IS NULL THEN
        -- First write of this grain: insert version 1 unless a row already exists (another activation won).
        INSERT INTO orleansstorage (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring,
                                    grainidextensionstring, serviceid, payloadbinary, modifiedon, version)
        VALUES (_grainidhash, _grainidn0, _grainidn1, _graintypehash, _graintypestring,
                _grainidextensionstring, _serviceid, _payloadbinary, now() AT TIME ZONE 'utc', 1)
        ON CONFLICT (grainidhash, graintypehash, grainidn0, grainidn1, serviceid, graintypestring, coalesce(grainidextensionstring, ''))
        DO NOTHING
        RETURNING version INTO _new;
    ELSE
        UPDATE orleansstorage
           SET payloadbinary = _payloadbinary, modifiedon = now() AT TIME ZONE 'utc', version = version + 1
         WHERE grainidhash = _grainidhash AND graintypehash = _graintypehash
           AND grainidn0 = _grainidn0 AND grainidn1 = _grainidn1
           AND serviceid = _serviceid AND graintypestring = _graintypestring
           AND coalesce(grainidextensionstring, '') = coalesce(_grainidextensionstring, '')
           AND version = _grainstateversion
        RETURNING version INTO _new;
    END IF;
    RETURN QUERY SELECT _new;
END
$$;

CREATE FUNCTION orleans_clear_state(
    _grainidhash integer, _grainidn0 bigint, _grainidn1 bigint, _graintypehash integer, _graintypestring varchar,
    _grainidextensionstring varchar, _serviceid varchar, _grainstateversion integer)
RETURNS TABLE (newgrainstateversion integer)
LANGUAGE plpgsql AS $$
DECLARE
    _new integer;
BEGIN
    -- The row stays with an empty payload and a new version, so a stale writer still conflicts.
    UPDATE orleansstorage
       SET payloadbinary = NULL, modifiedon = now() AT TIME ZONE 'utc', version = version + 1
     WHERE grainidhash = _grainidhash AND graintypehash = _graintypehash
       AND grainidn0 = _grainidn0 AND grainidn1 = _grainidn1
       AND serviceid = _serviceid AND graintypestring = _graintypestring
       AND coalesce(grainidextensionstring, '') = coalesce(_grainidextensionstring, '')
       AND version = _grainstateversion
    RETURNING version INTO _new;
    RETURN QUERY SELECT _new;
END
$$;

INSERT INTO orleansquery (querykey, querytext) VALUES
('WriteToStorageKey',
 'SELECT newgrainstateversion AS "NewGrainStateVersion" FROM orleans_write_state(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary)'),
('ReadFromStorageKey',
 'SELECT payloadbinary AS "PayloadBinary", version AS "Version"
    FROM orleansstorage
   WHERE grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash
     AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
     AND serviceid = @ServiceId AND graintypestring = @GrainTypeString
     AND coalesce(grainidextensionstring, '''') = coalesce(@GrainIdExtensionString, '''')'),
('ClearStorageKey',
 'SELECT newgrainstateversion FROM orleans_clear_state(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion)');
