-- Per-tenant ingest rate limits shared by every gateway (issue 23): one token bucket per tenant,
-- refilled by the time since it was last touched, taken from in one upsert per request. A row per
-- tenant that ingests; nothing else reads it.
CREATE TABLE ingest_rate_buckets (
    tenant_id   text             PRIMARY KEY,
    tokens      double precision NOT NULL,
    refilled_at timestamptz      NOT NULL
);
