-- The newest source version offered per key of a connection's coalescing queue (for availability:
-- the ATS version of the sku in the channel). Kept after the value is sent, so that an older value
-- arriving late or again is recognised and dropped: this is what lets the availability fan-out
-- group run without remembering event ids. One row per key; it does not grow with traffic.
CREATE TABLE offer_watermark (
    connection_id  VARCHAR(64)  NOT NULL,
    kind           VARCHAR(64)  NOT NULL,
    update_key     VARCHAR(256) NOT NULL,
    source_version BIGINT       NOT NULL,
    CONSTRAINT pk_offer_watermark PRIMARY KEY (connection_id, kind, update_key)
);
