-- Late exposures touch shoppers at random, so every lookup the engine makes per shopper is a random
-- page read. These indexes answer the two per-shopper reads from the index alone (PostgreSQL
-- index-only scans), without a visit to the table for each row.

-- an exposure's shopper: the orders placed within its window after it
DROP INDEX ix_attribution_order_profile;
CREATE INDEX ix_attribution_order_profile ON attribution_order (profile_id, placed_at, order_id);

-- an order's candidate touches: its shopper's exposures in the lookback, with what the rules need
DROP INDEX ix_ad_exposure_profile;
CREATE INDEX ix_ad_exposure_profile ON ad_exposure (profile_id, exposed_at, kind, id, network, campaign_id);
