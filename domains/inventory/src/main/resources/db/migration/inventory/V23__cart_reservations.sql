-- The cart a reservation holds stock for (null: a partner's reservation through the API). A till
-- sale naming the cart consumes its held reservations in the sale's own transaction (docs/carts.md).
ALTER TABLE inventory_reservation ADD COLUMN cart_id VARCHAR(128);
CREATE INDEX ix_inventory_reservation_cart ON inventory_reservation (cart_id, status);
