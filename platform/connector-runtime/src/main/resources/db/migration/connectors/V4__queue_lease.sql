-- Which hub instance sends a connection's queued updates of one kind, until when. Senders run on
-- every instance; only the lease holder sends, so two instances never race the same keys.
CREATE TABLE queue_lease (
    connection_id VARCHAR(64)  NOT NULL,
    kind          VARCHAR(64)  NOT NULL,
    owner         VARCHAR(64)  NOT NULL,
    expires_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_queue_lease PRIMARY KEY (connection_id, kind)
);
