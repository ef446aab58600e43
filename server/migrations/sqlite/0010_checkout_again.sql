-- Paying again: an order whose checkout expired or failed gets a new session; the ones it
-- used before are kept here, so a payment that still arrives on one of them is refunded
-- (refund_id once it is) instead of being kept without a picture.
CREATE TABLE superseded_checkouts (
    session_id    TEXT PRIMARY KEY NOT NULL,
    order_id      TEXT NOT NULL,
    superseded_at BIGINT NOT NULL,
    -- Set in the transaction of the webhook event that paid it; the refund is made after
    -- the commit, and by the sweep until refund_id is set.
    payment_intent    TEXT,
    amount_paid_cents BIGINT,
    paid_currency     TEXT,
    refund_id         TEXT
);
CREATE INDEX superseded_checkouts_by_order ON superseded_checkouts (order_id);
CREATE INDEX superseded_checkouts_to_refund ON superseded_checkouts (session_id)
    WHERE payment_intent IS NOT NULL AND refund_id IS NULL;
