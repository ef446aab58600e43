-- Order history: the status 'cancelled', the owner's note, share links, and the colour in
-- a canonical form for search.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check
    CHECK (status IN ('awaiting_payment', 'queued', 'in_progress', 'done', 'failed', 'refunded', 'cancelled'));
-- The owner's note (plain text, at most 500 characters), searched with the colour.
ALTER TABLE orders ADD COLUMN note TEXT;
-- The colour as #rrggbbaa, so a search for "tomato" finds "#ff6347".
ALTER TABLE orders ADD COLUMN color_rgba TEXT;
-- Set while the picture is shared: /p/<share_token> shows it to anyone.
ALTER TABLE orders ADD COLUMN share_token TEXT;
DROP INDEX orders_by_user;
CREATE INDEX orders_by_user ON orders (user_id, created_at DESC, id DESC);
CREATE INDEX orders_by_user_status ON orders (user_id, status, created_at DESC, id DESC);
CREATE INDEX orders_by_user_shape ON orders (user_id, shape, created_at DESC, id DESC);
CREATE UNIQUE INDEX orders_by_share_token ON orders (share_token) WHERE share_token IS NOT NULL;

-- The account page: a new e-mail waits here until the code mailed to it is entered; a
-- deleted account keeps its row (its orders stay, anonymised, for the books) but not its
-- address or password.
ALTER TABLE users ADD COLUMN pending_email TEXT;
ALTER TABLE users ADD COLUMN deleted_at BIGINT;
-- The code mailed to a new address is a third kind of account code.
ALTER TABLE account_codes DROP CONSTRAINT account_codes_purpose_check;
ALTER TABLE account_codes ADD CONSTRAINT account_codes_purpose_check
    CHECK (purpose IN ('verify', 'reset', 'change-email'));
