-- The inbox dispatcher maps each connection's deliveries on the instance holding the connection's
-- lease (queue_lease, kind 'inbox') and reads that connection's next due delivery by this index,
-- so a connection with a long backlog does not make another connection's read scan it.
-- The 'inbox-dispatcher' row of job_lock is no longer used; it stays so the migration only adds
-- (docs/operations.md "Upgrading": stop every instance of the previous release first).
CREATE INDEX ix_inbox_connection_pending ON inbox (connection_id, status, id);
