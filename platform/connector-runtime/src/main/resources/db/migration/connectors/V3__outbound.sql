-- How a connection names the hub's things (e.g. Shopify inventory_item_id of a sku).
CREATE TABLE external_ref (
    connection_id VARCHAR(64)  NOT NULL,
    kind          VARCHAR(64)  NOT NULL,
    ref_key       VARCHAR(256) NOT NULL,
    external_id   VARCHAR(256) NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_external_ref PRIMARY KEY (connection_id, kind, ref_key)
);

-- Pending outbound updates, coalesced: one row per (connection, kind, key) holding the newest
-- value; version grows on every offer so a send only clears the value it actually sent.
CREATE TABLE pending_update (
    connection_id    VARCHAR(64)  NOT NULL,
    kind             VARCHAR(64)  NOT NULL,
    update_key       VARCHAR(256) NOT NULL,
    payload          VARCHAR(65536) NOT NULL,
    version          BIGINT       NOT NULL,
    first_offered_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_pending_update PRIMARY KEY (connection_id, kind, update_key)
);
CREATE INDEX ix_pending_update_age ON pending_update (connection_id, kind, first_offered_at);
