-- Failures and refunds. SQLite cannot change a CHECK constraint, so the orders table is
-- rebuilt with the new status 'refunded' and the new columns.
CREATE TABLE orders_new (
    id                  TEXT PRIMARY KEY NOT NULL,
    user_id             TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shape               TEXT NOT NULL,
    color               TEXT NOT NULL,
    seed                INTEGER NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('awaiting_payment', 'queued', 'in_progress', 'done', 'failed', 'refunded')),
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
    -- Drawing attempts that failed so far (the order page shows "retrying").
    failed_attempts     INTEGER NOT NULL DEFAULT 0,
    -- How long the picture took to render, in milliseconds (the admin console's median).
    render_ms           INTEGER,
    -- 1 from the moment a paid order fails until its refund is recorded (the refund outbox).
    refund_pending      INTEGER NOT NULL DEFAULT 0 CHECK (refund_pending IN (0, 1)),
    refund_id           TEXT,
    refunded_at         INTEGER
);
INSERT INTO orders_new (id, user_id, shape, color, seed, status, failure_reason, price_cents, currency,
    picture_key, enqueue_pending, created_at, updated_at, checkout_session_id, checkout_url,
    payment_intent, amount_paid_cents, paid_at)
SELECT id, user_id, shape, color, seed, status, failure_reason, price_cents, currency,
    picture_key, enqueue_pending, created_at, updated_at, checkout_session_id, checkout_url,
    payment_intent, amount_paid_cents, paid_at
FROM orders;
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;
CREATE INDEX orders_by_user ON orders (user_id, created_at DESC);
CREATE INDEX orders_pending ON orders (enqueue_pending) WHERE enqueue_pending = 1;
CREATE INDEX orders_unfinished ON orders (status, updated_at) WHERE status IN ('queued', 'in_progress');
CREATE UNIQUE INDEX orders_by_checkout_session ON orders (checkout_session_id)
    WHERE checkout_session_id IS NOT NULL;
CREATE INDEX orders_refund_pending ON orders (refund_pending) WHERE refund_pending = 1;
CREATE INDEX orders_by_creation ON orders (created_at);
CREATE INDEX orders_by_payment ON orders (paid_at) WHERE paid_at IS NOT NULL;

-- The dead letters: drawings that failed for good, listed at /admin/failures until retried.
CREATE TABLE failures (
    id         TEXT PRIMARY KEY NOT NULL,
    order_id   TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    error      TEXT NOT NULL,
    attempts   INTEGER NOT NULL,
    failed_at  INTEGER NOT NULL,
    -- Set once an alert mail listed this failure.
    alerted_at INTEGER,
    -- Set when an admin queued the order again.
    retried_at INTEGER
);
CREATE INDEX failures_open ON failures (failed_at DESC) WHERE retried_at IS NULL;
CREATE INDEX failures_unalerted ON failures (failed_at) WHERE alerted_at IS NULL;
CREATE INDEX failures_by_order ON failures (order_id);

-- When the last failure alert went out: at most one per LTD_ALERT_WINDOW_SECS, shared by
-- every worker process.
CREATE TABLE alerts (
    name         TEXT PRIMARY KEY NOT NULL,
    last_sent_at INTEGER NOT NULL
);
INSERT INTO alerts (name, last_sent_at) VALUES ('failures', 0);
