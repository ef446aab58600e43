-- Loyalty points: an append-only ledger. The balance is the sum of an account's entries;
-- entries are never changed or removed (the triggers refuse it).
CREATE TABLE point_entries (
    id          TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL CHECK (kind IN ('earned', 'redeemed', 'expired', 'reversed', 'adjusted')),
    points      BIGINT NOT NULL,
    reason      TEXT NOT NULL,
    order_id    TEXT REFERENCES orders (id),
    bill_id     TEXT REFERENCES bills (id),
    campaign_id TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX point_entries_by_user ON point_entries (user_id, created_at);
-- An order earns once, however often its job or its payment is delivered.
CREATE UNIQUE INDEX point_entries_earned_once ON point_entries (order_id) WHERE kind = 'earned';

CREATE FUNCTION point_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'point entries are append-only';
END;
$$;

CREATE TRIGGER point_entries_never_change BEFORE UPDATE OR DELETE OR TRUNCATE ON point_entries
    FOR EACH STATEMENT EXECUTE FUNCTION point_entries_append_only();
