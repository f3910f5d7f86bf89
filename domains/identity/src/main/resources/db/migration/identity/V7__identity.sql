-- Unified customer identity (see docs/identity.md).

-- A profile is one person. Its id never changes meaning: when profiles merge, the merged ones
-- point at the survivor (merged_into, always the live survivor: chains are flattened on merge).
CREATE TABLE identity_profile (
    profile_id  VARCHAR(40) PRIMARY KEY,
    -- creation order (epoch microseconds): the oldest of several profiles survives a merge
    age         BIGINT      NOT NULL,
    merged_into VARCHAR(40),
    merge_count INTEGER     NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ix_identity_profile_merged_into ON identity_profile (merged_into);

-- Every identifier belongs to at most one profile: the primary key on the match key is what keeps
-- two concurrent events for the same new person from creating two profiles (the loser retries).
CREATE TABLE identity_identifier (
    -- <type>:<normalized value>, with the configured matching rules applied (e.g. gmail dots)
    match_key   VARCHAR(600) PRIMARY KEY,
    type        VARCHAR(32)  NOT NULL,
    -- the normalized value as stored and shown (match rules never alter it)
    shown_value VARCHAR(512) NOT NULL,
    profile_id  VARCHAR(40)  NOT NULL,
    source      VARCHAR(128) NOT NULL,
    last_source VARCHAR(128) NOT NULL,
    first_seen  TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT fk_identity_identifier_profile FOREIGN KEY (profile_id) REFERENCES identity_profile (profile_id)
);
CREATE INDEX ix_identity_identifier_profile ON identity_identifier (profile_id);

-- Merge history: which profile was folded into which, when, by what observation.
CREATE TABLE identity_merge (
    merged_id   VARCHAR(40)  PRIMARY KEY,
    survivor_id VARCHAR(40)  NOT NULL,
    source      VARCHAR(128) NOT NULL,
    linked_by   VARCHAR(2000) NOT NULL,
    merged_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT fk_identity_merge_merged FOREIGN KEY (merged_id) REFERENCES identity_profile (profile_id),
    CONSTRAINT fk_identity_merge_survivor FOREIGN KEY (survivor_id) REFERENCES identity_profile (profile_id)
);

-- Transactions (orders of every channel, till sales) and the profile they belong to; null when
-- no identifier of the transaction resolved. Feeds the identity resolution rate and the order
-- count of a profile; merged profiles' transactions follow the survivor.
CREATE TABLE identity_transaction (
    transaction_id VARCHAR(256) PRIMARY KEY,
    channel        VARCHAR(64)  NOT NULL,
    profile_id     VARCHAR(40),
    occurred_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT fk_identity_transaction_profile FOREIGN KEY (profile_id) REFERENCES identity_profile (profile_id)
);
CREATE INDEX ix_identity_transaction_profile ON identity_transaction (profile_id);
