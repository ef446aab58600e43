-- Admins manage shapes and prices (also granted by LTD_ADMIN_EMAILS at sign-in).
ALTER TABLE users ADD COLUMN is_admin BIGINT NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1));

-- Checkout: the provider's session, where the client pays, and the payment once recorded.
ALTER TABLE orders ADD COLUMN checkout_session_id TEXT;
ALTER TABLE orders ADD COLUMN checkout_url TEXT;
ALTER TABLE orders ADD COLUMN payment_intent TEXT;
ALTER TABLE orders ADD COLUMN amount_paid_cents BIGINT;
ALTER TABLE orders ADD COLUMN paid_at BIGINT;
CREATE UNIQUE INDEX orders_by_checkout_session ON orders (checkout_session_id)
    WHERE checkout_session_id IS NOT NULL;

-- Every webhook event applied, recorded in the same transaction as the order change it made,
-- so a replayed event changes nothing.
CREATE TABLE payment_events (
    id          TEXT PRIMARY KEY NOT NULL,
    type        TEXT NOT NULL,
    order_id    TEXT,
    received_at BIGINT NOT NULL
);
