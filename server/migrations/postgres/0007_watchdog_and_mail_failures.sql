-- The watchdog: an order waiting to be drawn (queued or in progress) is due to be checked
-- at watch_at (Unix ms); every status change and every drawing attempt moves it on, and
-- finished orders have none. An order still unfinished when it is due had its job lost
-- (a worker killed or stopped while it held it): the sweep queues it again, at most once
-- per due time, and counts it in requeues.
ALTER TABLE orders ADD COLUMN watch_at BIGINT;
ALTER TABLE orders ADD COLUMN requeues BIGINT NOT NULL DEFAULT 0;
UPDATE orders SET watch_at = updated_at WHERE status IN ('queued', 'in_progress');
CREATE INDEX orders_watch ON orders (watch_at) WHERE watch_at IS NOT NULL;

-- The mail dead letters: a mail that still failed after its last attempt, kept to be sent
-- again from /admin/failures.
CREATE TABLE mail_failures (
    -- The mail's id (one row per mail; a retry that fails again updates it).
    id         TEXT PRIMARY KEY NOT NULL,
    -- The mail job, as JSON, to send again.
    job        TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    error      TEXT NOT NULL,
    attempts   BIGINT NOT NULL,
    -- Unix ms, like the drawing failures.
    failed_at  BIGINT NOT NULL,
    alerted_at BIGINT,
    retried_at BIGINT
);
CREATE INDEX mail_failures_open ON mail_failures (failed_at DESC) WHERE retried_at IS NULL;
CREATE INDEX mail_failures_unalerted ON mail_failures (failed_at) WHERE alerted_at IS NULL;
