-- The durable ingest log. An ingest request is validated whole, folded into one message per
-- (tenant, service) and per (tenant, cluster), and all of its messages are inserted here in ONE
-- transaction before the API answers 200: an acknowledged request is durable, a refused one left
-- nothing behind. Each silo's IngestLogPump locks rows in a transaction (FOR UPDATE SKIP LOCKED, so
-- silos share the work), hands each to its grain, and deletes the row only after the grain reported
-- its effect committed. A silo that dies loses nothing: its transaction ends with its connection
-- and the rows are free again. lease_until is the earliest time a failed row may be retried. seq
-- orders the messages: a grain keeps, per bucket, the seq that wrote it, and a redelivered or late
-- older message never overwrites a newer amount.
CREATE TABLE ingest_log (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    text        NOT NULL,
    -- 1: CostBatch for the service grain "target"; 2: ClusterInputBatch for the cluster grain "target"
    kind         smallint    NOT NULL CHECK (kind IN (1, 2)),
    target       text        NOT NULL,
    payload      bytea       NOT NULL,
    enqueued_at  timestamptz NOT NULL DEFAULT now(),
    lease_until  timestamptz NOT NULL DEFAULT '-infinity',
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text
);
-- The pump's scan: rows not waiting out a retry backoff, oldest first.
CREATE INDEX ingest_log_lease ON ingest_log (lease_until, seq);

-- Messages that failed delivery IngestLog:MaxAttempts times (e.g. a value the database refuses).
-- They are kept whole, with the reason, so an operator can inspect, fix and re-queue them; they
-- never hold back other keys or tenants.
CREATE TABLE ingest_dead_letters (
    seq          bigint      PRIMARY KEY,
    tenant_id    text        NOT NULL,
    kind         smallint    NOT NULL,
    target       text        NOT NULL,
    payload      bytea       NOT NULL,
    enqueued_at  timestamptz NOT NULL,
    failed_at    timestamptz NOT NULL DEFAULT now(),
    attempts     integer     NOT NULL,
    reason       text        NOT NULL
);

-- The seq of the ingest message that last wrote each row: an upsert only replaces a row whose seq
-- is not newer than its own. 0 is "before the log" (rows written by earlier versions).
ALTER TABLE service_costs        ADD COLUMN ingest_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE network_costs        ADD COLUMN ingest_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE storage_costs        ADD COLUMN ingest_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE cluster_cost_buckets ADD COLUMN ingest_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE pod_usage            ADD COLUMN ingest_seq bigint NOT NULL DEFAULT 0;
