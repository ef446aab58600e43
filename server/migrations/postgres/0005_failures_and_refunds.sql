-- Failures and refunds: the new status 'refunded' and the columns they need.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check
    CHECK (status IN ('awaiting_payment', 'queued', 'in_progress', 'done', 'failed', 'refunded'));
-- Drawing attempts that failed so far (the order page shows "retrying").
ALTER TABLE orders ADD COLUMN failed_attempts BIGINT NOT NULL DEFAULT 0;
-- How long the picture took to render, in milliseconds (the admin console's median).
ALTER TABLE orders ADD COLUMN render_ms BIGINT;
-- 1 from the moment a paid order fails until its refund is recorded (the refund outbox).
ALTER TABLE orders ADD COLUMN refund_pending BIGINT NOT NULL DEFAULT 0 CHECK (refund_pending IN (0, 1));
ALTER TABLE orders ADD COLUMN refund_id TEXT;
ALTER TABLE orders ADD COLUMN refunded_at BIGINT;
CREATE INDEX orders_refund_pending ON orders (refund_pending) WHERE refund_pending = 1;
CREATE INDEX orders_by_creation ON orders (created_at);
CREATE INDEX orders_by_payment ON orders (paid_at) WHERE paid_at IS NOT NULL;

-- The dead letters: drawings that failed for good, listed at /admin/failures until retried.
CREATE TABLE failures (
    id         TEXT PRIMARY KEY NOT NULL,
    order_id   TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    error      TEXT NOT NULL,
    attempts   BIGINT NOT NULL,
    failed_at  BIGINT NOT NULL,
    -- Set once an alert mail listed this failure.
    alerted_at BIGINT,
    -- Set when an admin queued the order again.
    retried_at BIGINT
);
CREATE INDEX failures_open ON failures (failed_at DESC) WHERE retried_at IS NULL;
CREATE INDEX failures_unalerted ON failures (failed_at) WHERE alerted_at IS NULL;
CREATE INDEX failures_by_order ON failures (order_id);

-- When the last failure alert went out: at most one per LTD_ALERT_WINDOW_SECS, shared by
-- every worker process.
CREATE TABLE alerts (
    name         TEXT PRIMARY KEY NOT NULL,
    last_sent_at BIGINT NOT NULL
);
INSERT INTO alerts (name, last_sent_at) VALUES ('failures', 0);
