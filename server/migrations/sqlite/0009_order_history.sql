-- Order history: the status 'cancelled', the owner's note, share links, and the colour in
-- a canonical form for search. SQLite cannot change a CHECK constraint, so the orders table
-- is rebuilt; dropping it would cascade to the failures that reference it, so those are
-- kept aside and put back.
CREATE TABLE failures_kept AS SELECT * FROM failures;
CREATE TABLE orders_new (
    id                  TEXT PRIMARY KEY NOT NULL,
    user_id             TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shape               TEXT NOT NULL,
    color               TEXT NOT NULL,
    seed                INTEGER NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('awaiting_payment', 'queued', 'in_progress', 'done', 'failed', 'refunded', 'cancelled')),
    failure_reason      TEXT,
    price_cents         INTEGER NOT NULL CHECK (price_cents >= 0),
    currency            TEXT NOT NULL,
    picture_key         TEXT,
    enqueue_pending     INTEGER NOT NULL DEFAULT 0 CHECK (enqueue_pending IN (0, 1)),
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    checkout_session_id TEXT,
    checkout_url        TEXT,
    payment_intent      TEXT,
    amount_paid_cents   INTEGER,
    paid_at             INTEGER,
    failed_attempts     INTEGER NOT NULL DEFAULT 0,
    render_ms           INTEGER,
    refund_pending      INTEGER NOT NULL DEFAULT 0 CHECK (refund_pending IN (0, 1)),
    refund_id           TEXT,
    refunded_at         INTEGER,
    watch_at            INTEGER,
    requeues            INTEGER NOT NULL DEFAULT 0,
    publish_pending     INTEGER NOT NULL DEFAULT 0,
    -- The owner's note (plain text, at most 500 characters), searched with the colour.
    note                TEXT,
    -- The colour as #rrggbbaa, so a search for "tomato" finds "#ff6347".
    color_rgba          TEXT,
    -- Set while the picture is shared: /p/<share_token> shows it to anyone.
    share_token         TEXT
);
INSERT INTO orders_new (id, user_id, shape, color, seed, status, failure_reason, price_cents,
    currency, picture_key, enqueue_pending, created_at, updated_at, checkout_session_id,
    checkout_url, payment_intent, amount_paid_cents, paid_at, failed_attempts, render_ms,
    refund_pending, refund_id, refunded_at, watch_at, requeues, publish_pending)
SELECT id, user_id, shape, color, seed, status, failure_reason, price_cents,
    currency, picture_key, enqueue_pending, created_at, updated_at, checkout_session_id,
    checkout_url, payment_intent, amount_paid_cents, paid_at, failed_attempts, render_ms,
    refund_pending, refund_id, refunded_at, watch_at, requeues, publish_pending
FROM orders;
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;
DELETE FROM failures;
INSERT INTO failures SELECT * FROM failures_kept;
DROP TABLE failures_kept;
CREATE INDEX orders_by_user ON orders (user_id, created_at DESC, id DESC);
CREATE INDEX orders_by_user_status ON orders (user_id, status, created_at DESC, id DESC);
CREATE INDEX orders_by_user_shape ON orders (user_id, shape, created_at DESC, id DESC);
CREATE INDEX orders_pending ON orders (enqueue_pending) WHERE enqueue_pending = 1;
CREATE INDEX orders_unfinished ON orders (status, updated_at) WHERE status IN ('queued', 'in_progress');
CREATE UNIQUE INDEX orders_by_checkout_session ON orders (checkout_session_id)
    WHERE checkout_session_id IS NOT NULL;
CREATE INDEX orders_refund_pending ON orders (refund_pending) WHERE refund_pending = 1;
CREATE INDEX orders_by_creation ON orders (created_at);
CREATE INDEX orders_by_payment ON orders (paid_at) WHERE paid_at IS NOT NULL;
CREATE INDEX orders_watch ON orders (watch_at) WHERE watch_at IS NOT NULL;
CREATE INDEX orders_publish_pending ON orders (updated_at) WHERE publish_pending = 1;
CREATE UNIQUE INDEX orders_by_share_token ON orders (share_token) WHERE share_token IS NOT NULL;

-- The account page: a new e-mail waits here until the code mailed to it is entered; a
-- deleted account keeps its row (its orders stay, anonymised, for the books) but not its
-- address or password.
ALTER TABLE users ADD COLUMN pending_email TEXT;
ALTER TABLE users ADD COLUMN deleted_at BIGINT;
-- The code mailed to a new address is a third kind of account code.
CREATE TABLE account_codes_new (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify', 'reset', 'change-email')),
    code_hash  BLOB NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, purpose)
);
INSERT INTO account_codes_new SELECT user_id, purpose, code_hash, expires_at FROM account_codes;
DROP TABLE account_codes;
ALTER TABLE account_codes_new RENAME TO account_codes;
