-- The cart: pictures a user gathers before one checkout, one cart per user. Prices are not
-- stored: the cart is priced by the catalogue when it is read and when it is paid.
CREATE TABLE cart_items (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shape      TEXT NOT NULL,
    color      TEXT NOT NULL,
    seed       BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX cart_items_by_user ON cart_items (user_id, created_at);
