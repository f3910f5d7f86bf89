-- POS batch files (docs/connectors/pos-files.md): the report per file. The connector reports the
-- file-level facts (commerce.pos.file.processed.v1); the inventory domain, which applies each
-- transaction, records what became of it (accepted, duplicate, conflict, rejected).

-- one row per file (its SHA-256): the reader's facts and how often it came again
CREATE TABLE pos_file (
    file_id            VARCHAR(64)   NOT NULL,
    connection_id      VARCHAR(128)  NOT NULL,
    name               VARCHAR(1024) NOT NULL,
    format             VARCHAR(16)   NOT NULL,
    status             VARCHAR(16)   NOT NULL,
    received_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    processed_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    bytes              BIGINT        NOT NULL,
    transactions       BIGINT        NOT NULL,
    handed_over        BIGINT        NOT NULL,
    rejected           BIGINT        NOT NULL,
    skipped            BIGINT        NOT NULL,
    file_rejection     VARCHAR(4000),
    duplicate_receipts INTEGER       NOT NULL,
    last_received_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_pos_file PRIMARY KEY (file_id)
);
CREATE INDEX ix_pos_file_last_received ON pos_file (last_received_at);

-- one row per transaction of a file: stage 'file' (rejected or skipped by the reader) or 'apply'
-- (the outcome of applying it: accepted, duplicate, conflict, rejected)
CREATE TABLE pos_file_transaction (
    file_id      VARCHAR(64)    NOT NULL,
    ordinal      BIGINT         NOT NULL,
    txn_key      VARCHAR(512),
    position     VARCHAR(256)   NOT NULL,
    stage        VARCHAR(8)     NOT NULL,
    outcome      VARCHAR(16)    NOT NULL,
    reasons      VARCHAR(16000),
    recorded_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_pos_file_transaction PRIMARY KEY (file_id, ordinal)
);
CREATE INDEX ix_pos_file_transaction_recorded ON pos_file_transaction (recorded_at);
