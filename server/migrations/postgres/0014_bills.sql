-- Bills: a cart checked out at once. Each picture becomes an order of the bill; a priced
-- bill has one checkout session, paid (or expired) for all its orders together.
CREATE TABLE bills (
    id                  TEXT PRIMARY KEY NOT NULL,
    user_id             TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status              TEXT NOT NULL,
    total_cents         BIGINT NOT NULL,
    currency            TEXT NOT NULL,
    checkout_session_id TEXT,
    checkout_url        TEXT,
    payment_intent      TEXT,
    amount_paid_cents   BIGINT,
    paid_at             BIGINT,
    failure_reason      TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE UNIQUE INDEX bills_by_checkout_session ON bills (checkout_session_id)
    WHERE checkout_session_id IS NOT NULL;
CREATE INDEX bills_by_user ON bills (user_id, created_at);

ALTER TABLE orders ADD COLUMN bill_id TEXT REFERENCES bills (id);
CREATE INDEX orders_by_bill ON orders (bill_id) WHERE bill_id IS NOT NULL;
