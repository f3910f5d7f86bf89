-- The outbox is split into 16 shards by partition key (CRC-32 of the key's UTF-8 bytes modulo 16,
-- computed by the hub when it appends): all events of one key are in one shard. Each shard is
-- published by the hub instance holding its lease in relay_shard, so several instances share the
-- publishing and per-key order holds. Pending rows written before this migration are assigned
-- their shard by the Java migration V14.
ALTER TABLE outbox_event ADD COLUMN shard INTEGER DEFAULT 0 NOT NULL;

CREATE TABLE relay_shard (
    shard      INTEGER PRIMARY KEY,
    owner      VARCHAR(128),
    expires_at TIMESTAMP WITH TIME ZONE
);
INSERT INTO relay_shard (shard) VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15);

-- Hub instances whose relay is running, until when: each takes shards / live members (rounded up).
CREATE TABLE relay_member (
    instance_id VARCHAR(128) PRIMARY KEY,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
