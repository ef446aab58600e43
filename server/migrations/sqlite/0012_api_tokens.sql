-- API tokens for scripts and partner systems. Only a SHA-256 of the token is stored; the
-- owner sees the token once, when it is made. Scopes are space-separated names
-- (orders:read, orders:write). usage_day (days since 1970, UTC) and requests_today count the
-- requests made with it for the admins' partner list.
CREATE TABLE api_tokens (
    id             TEXT PRIMARY KEY NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    token_hash     TEXT NOT NULL UNIQUE,
    scopes         TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT,
    revoked_at     BIGINT,
    last_used_at   BIGINT,
    usage_day      BIGINT NOT NULL DEFAULT 0,
    requests_today BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
