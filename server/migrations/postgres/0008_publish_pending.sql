-- Live updates are part of the status change: every change sets publish_pending in its own
-- transaction, and the live-update event is published after the commit, which clears it.
-- An order still marked (a process died between the commit and the publish) is published
-- by the sweep.
ALTER TABLE orders ADD COLUMN publish_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX orders_publish_pending ON orders (updated_at) WHERE publish_pending = 1;
