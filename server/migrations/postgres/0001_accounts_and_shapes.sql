-- PostgreSQL twin of migrations/sqlite/0001. Integers are BIGINT and flags are 0/1 BIGINTs,
-- like SQLite's, so one set of queries (through sqlx's Any driver) reads both databases.

-- Local accounts. E-mails are stored trimmed and lower-cased, so UNIQUE catches duplicates.
CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

-- Server-side sessions. Only a SHA-256 of the cookie's token is stored.
CREATE TABLE sessions (
    token_hash  BYTEA PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- The shape catalogue; prices in minor units of `currency`.
CREATE TABLE shapes (
    name            TEXT PRIMARY KEY NOT NULL,
    display_name    TEXT NOT NULL,
    price_cents     BIGINT NOT NULL CHECK (price_cents >= 0),
    currency        TEXT NOT NULL DEFAULT 'usd',
    stripe_price_id TEXT,
    sort_order      BIGINT NOT NULL,
    active          BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

INSERT INTO shapes (name, display_name, price_cents, currency, sort_order) VALUES
    ('square', 'Square', 0, 'usd', 1),
    ('circle', 'Circle', 0, 'usd', 2),
    ('hypnotic_squares', 'Hypnotic squares', 200, 'usd', 3),
    ('tiled_lines', 'Tiled lines', 300, 'usd', 4),
    ('voronoi', 'Voronoi', 500, 'usd', 5);
