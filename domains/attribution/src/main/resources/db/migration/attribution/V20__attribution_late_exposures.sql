-- Late exposures touch shoppers at random, so every lookup the engine makes per shopper is a random
-- page read. These indexes answer the two per-shopper reads from the index alone (PostgreSQL
-- index-only scans), without a visit to the table for each row.

-- an exposure's shopper: the orders placed within its window after it
DROP INDEX ix_attribution_order_profile;
CREATE INDEX ix_attribution_order_profile ON attribution_order (profile_id, placed_at, order_id);

-- an order's candidate touches: its shopper's exposures in the lookback, with what the rules need
DROP INDEX ix_ad_exposure_profile;
CREATE INDEX ix_ad_exposure_profile ON ad_exposure (profile_id, exposed_at, kind, id, network, campaign_id);

-- Each matched shopper's keys (its identifiers, and each network's hashed forms of its emails and
-- phones) as of its last matching: a new exposure finds its shopper here in one read (one merged
-- since is followed to the survivor); a key no matched shopper holds is looked up in the identity
-- graph. It replaces the hashed forms kept per identifier, which took three reads per key.
CREATE TABLE attribution_profile_key (
    match_key  VARCHAR(600) NOT NULL,
    profile_id VARCHAR(40)  NOT NULL,
    PRIMARY KEY (match_key, profile_id)
);
CREATE INDEX ix_attribution_profile_key_profile ON attribution_profile_key (profile_id);
DROP TABLE attribution_hashed_key;
-- every shopper matched before is matched again, so its keys are recorded here (its exposures and
-- orders are found by its keys then; until then a hashed-only exposure of it waits, unmatched)
INSERT INTO attribution_dirty (kind, ref, marked_at) SELECT 'profile', profile_id, CURRENT_TIMESTAMP FROM attribution_profile;
