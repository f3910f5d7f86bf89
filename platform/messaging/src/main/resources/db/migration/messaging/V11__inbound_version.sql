-- The newest source version (the system's own last-modified time: Shopify updated_at, TikTok Shop
-- update_time) of each record the inbox dispatcher has let through, per connection, with the
-- record's status rank and a SHA-256 of its canonical data to decide ties (both sources give
-- whole seconds). A delivery whose record is not newer is stale: counted, logged, and it changes
-- nothing (a replayed old webhook body with fresh delivery headers cannot put an older state
-- back). One row per record. A delivery all of whose records were stale is marked
-- inbox.status = 'stale'.
CREATE TABLE inbound_version (
    connection_id     VARCHAR(64)  NOT NULL,
    record_key        VARCHAR(256) NOT NULL,
    source_updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    status_rank       INTEGER      NOT NULL,
    fingerprint       VARCHAR(64)  NOT NULL,
    CONSTRAINT pk_inbound_version PRIMARY KEY (connection_id, record_key)
);
