-- One row per sku the hub has seen: the lock that serialises every change of that sku (all its
-- locations and channels), so ATS is always computed from a consistent set of positions.
CREATE TABLE inventory_sku (
    sku        VARCHAR(64) PRIMARY KEY,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Stock of a sku at a location. on_hand may go below zero (a till records what physically left);
-- counted_at is the as-of time of the newest absolute count applied: movements that happened
-- before it are already inside that count.
CREATE TABLE inventory_position (
    sku         VARCHAR(64) NOT NULL,
    location_id VARCHAR(64) NOT NULL,
    on_hand     BIGINT      NOT NULL,
    reserved    BIGINT      NOT NULL,
    version     BIGINT      NOT NULL,
    counted_at  TIMESTAMP WITH TIME ZONE,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_inventory_position PRIMARY KEY (sku, location_id)
);

-- The movement ledger. movement_key is the idempotency key (sale line, adjustment id, count id):
-- the same key again changes nothing. applied = false when the movement was recorded but did not
-- change on_hand (a count older than the newest count, a delta older than the newest count).
CREATE TABLE inventory_movement (
    movement_key VARCHAR(256) PRIMARY KEY,
    sku          VARCHAR(64)  NOT NULL,
    location_id  VARCHAR(64)  NOT NULL,
    -- sale | return | receipt | adjustment | count
    kind         VARCHAR(16)  NOT NULL,
    -- a delta (sale -2, return +1) or, for a count, the counted quantity
    quantity     BIGINT       NOT NULL,
    occurred_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    recorded_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    applied      BOOLEAN      NOT NULL,
    note         VARCHAR(256),
    source       VARCHAR(128) NOT NULL
);
CREATE INDEX ix_inventory_movement_position ON inventory_movement (sku, location_id, occurred_at);

-- Cart reservations: reserved units held until released or expired.
CREATE TABLE inventory_reservation (
    reservation_key VARCHAR(256) PRIMARY KEY,
    sku             VARCHAR(64)  NOT NULL,
    location_id     VARCHAR(64)  NOT NULL,
    quantity        BIGINT       NOT NULL,
    expires_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    -- held | released | expired
    status          VARCHAR(16)  NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ix_inventory_reservation_expiry ON inventory_reservation (status, expires_at);

-- The last available-to-sell published per (sku, channel): a change is published only when the
-- value actually changes.
CREATE TABLE channel_availability (
    sku        VARCHAR(64) NOT NULL,
    channel    VARCHAR(64) NOT NULL,
    ats        BIGINT      NOT NULL,
    version    BIGINT      NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_channel_availability PRIMARY KEY (sku, channel)
);

-- POS transactions as received (idempotent on store + register + business day + sequence).
CREATE TABLE pos_transaction (
    store_id      VARCHAR(64)  NOT NULL,
    register_id   VARCHAR(64)  NOT NULL,
    business_day  DATE         NOT NULL,
    sequence_no   BIGINT       NOT NULL,
    kind          VARCHAR(16)  NOT NULL,
    order_id      VARCHAR(128) NOT NULL,
    payload       VARCHAR(1048576) NOT NULL,
    received_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_pos_transaction PRIMARY KEY (store_id, register_id, business_day, sequence_no)
);
