-- Ownership of what partners submit. A partner's event keeps the id the partner gave it
-- (owner_event_id) and gets a bus id of its own (event_id = '<partner id>:<owner_event_id>'), so
-- partners cannot collide with or squat each other's ids; owner is NULL for the hub's own events.
ALTER TABLE outbox_event ADD COLUMN owner VARCHAR(64);
ALTER TABLE outbox_event ADD COLUMN owner_event_id VARCHAR(128);
CREATE UNIQUE INDEX uq_outbox_owner_event ON outbox_event (owner, owner_event_id);

-- A cart reservation belongs to the partner that placed it; only that partner (or an operator
-- holding partners:all) may release it. The key is namespaced by the owner for the same reason.
ALTER TABLE inventory_reservation ADD COLUMN owner VARCHAR(64);
