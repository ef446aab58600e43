-- Paying with points: an order paid with points records how many it took. Its redemption,
-- and the points given back when it cannot be drawn, are written once per order.
ALTER TABLE orders ADD COLUMN points_paid BIGINT;
CREATE UNIQUE INDEX point_entries_redeemed_once ON point_entries (order_id) WHERE kind = 'redeemed';
CREATE UNIQUE INDEX point_entries_reversed_once ON point_entries (order_id) WHERE kind = 'reversed';
