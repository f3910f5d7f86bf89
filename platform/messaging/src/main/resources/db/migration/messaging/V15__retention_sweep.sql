-- The retention sweep (RetentionSweeper): one instance of all sweeps at a time (it locks this row
-- with SKIP LOCKED), and indexes on the times its batch deletes select by, so a sweep reads the
-- old rows only instead of whole tables.
INSERT INTO job_lock (name) VALUES ('retention-sweep');
CREATE INDEX ix_processed_created ON CAMEL_MESSAGEPROCESSED (createdAt);
CREATE INDEX ix_inbox_received ON inbox (received_at);
CREATE INDEX ix_dead_letter_failed ON dead_letter (failed_at);
