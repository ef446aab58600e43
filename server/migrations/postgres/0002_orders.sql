-- Orders. Times are Unix milliseconds (UTC).
CREATE TABLE orders (
    id              TEXT PRIMARY KEY NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shape           TEXT NOT NULL,
    color           TEXT NOT NULL,
    seed            BIGINT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('awaiting_payment', 'queued', 'in_progress', 'done', 'failed')),
    failure_reason  TEXT,
    price_cents     BIGINT NOT NULL CHECK (price_cents >= 0),
    currency        TEXT NOT NULL,
    picture_key     TEXT,
    -- 1 while the order's drawing job may not have reached the queue yet (the outbox):
    -- the dispatcher clears it after enqueueing, and re-enqueues whatever is left set.
    enqueue_pending BIGINT NOT NULL DEFAULT 0 CHECK (enqueue_pending IN (0, 1)),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX orders_by_user ON orders (user_id, created_at DESC);
CREATE INDEX orders_pending ON orders (enqueue_pending) WHERE enqueue_pending = 1;
CREATE INDEX orders_unfinished ON orders (status, updated_at) WHERE status IN ('queued', 'in_progress');
