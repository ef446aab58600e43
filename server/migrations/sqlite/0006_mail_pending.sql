-- Mails written but not yet handed to the queue: a row is stored before the job is
-- queued and removed once the queue has it, so a queue that is slow or away loses no mail
-- (the sweep queues what is left).
CREATE TABLE mail_pending (
    id         TEXT PRIMARY KEY NOT NULL,
    -- The mail job, as JSON.
    job        TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
