-- Where each pulled stream of a connection stands (the kit's Poller): the cursor is committed in
-- the same transaction as the page of deliveries it follows, so a page is neither skipped nor
-- stored twice across restarts and crashes.
CREATE TABLE poll_cursor (
    connection_id VARCHAR(64)  NOT NULL,
    stream        VARCHAR(64)  NOT NULL,
    cursor_value  VARCHAR(2000) NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (connection_id, stream)
);
