-- Tenant API tokens. Only the SHA-256 of a token is stored (tokens are 256 random bits, so a fast
-- hash is as good as a slow one and keeps every request's lookup cheap); the id is what lists and
-- revocations name. A revoked token keeps its row, so the audit trail of who had access stays.
-- The admin token is not here: it comes from the gateway's configuration.
CREATE TABLE api_tokens (
    id          text        PRIMARY KEY,
    tenant_id   text        NOT NULL,
    roles       text[]      NOT NULL CHECK (roles <@ ARRAY['ingest', 'read'] AND cardinality(roles) > 0),
    token_hash  bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX api_tokens_tenant ON api_tokens (tenant_id) WHERE revoked_at IS NULL;
