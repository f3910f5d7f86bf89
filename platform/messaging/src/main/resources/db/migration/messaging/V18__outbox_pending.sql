-- Events waiting for the relay, one small row each; the relay reads them in seq order (within the
-- shards it holds) and deletes a row in the transaction that put its event on the bus. Until now
-- the relay marked the event row itself (published_at): on PostgreSQL every mark rewrote the whole
-- row, payload included, added an entry to each index of outbox_event, and left a dead entry in the
-- pending index that the relay's next reads walked until vacuum removed it. An event row is now
-- written once and never updated.
CREATE TABLE outbox_pending (
    seq   BIGINT  PRIMARY KEY,
    shard INTEGER NOT NULL
);
INSERT INTO outbox_pending (seq, shard) SELECT seq, shard FROM outbox_event WHERE published_at IS NULL;
DROP INDEX ix_outbox_pending;
ALTER TABLE outbox_event DROP COLUMN published_at;
-- the retention sweep prunes events by age, oldest first (an append-only index: new entries go to its end)
CREATE INDEX ix_outbox_created ON outbox_event (created_at);
