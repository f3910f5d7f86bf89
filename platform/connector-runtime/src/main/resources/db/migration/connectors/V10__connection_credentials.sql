-- Credentials a connection learned while running (rotated access and refresh tokens), encrypted by
-- the hub (AES-256-GCM, bound to connection id and key; docs/security.md "Connector credentials"),
-- and whether the external side revoked the connection. Both survive restarts, so a restarted hub
-- uses the newest tokens and stays silent towards a shop that deauthorized it.
CREATE TABLE connection_credential (
    connection_id  VARCHAR(64)   NOT NULL,
    credential_key VARCHAR(64)   NOT NULL,
    sealed_value   VARCHAR(8192) NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_connection_credential PRIMARY KEY (connection_id, credential_key)
);

CREATE TABLE connection_authorization (
    connection_id    VARCHAR(64)   NOT NULL,
    deauthorized_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    reason           VARCHAR(1000) NOT NULL,
    CONSTRAINT pk_connection_authorization PRIMARY KEY (connection_id)
);
