-- What the networks themselves credit to their campaigns, kept beside the hub's closed-loop figures
-- and never added to them (docs/attribution.md "The network's own figures"). Portable SQL: H2
-- (MODE=PostgreSQL) and PostgreSQL.

-- A day's spend may carry the network's own attributed figures for that day, by its own windows
-- (AdSpend.networkAttributed: Amazon Ads' purchases14d/sales14d, a file's network_* columns). All
-- null when the report does not say; the sales are in the spend's currency. A restatement of the
-- day replaces them with the spend.
ALTER TABLE ad_spend ADD COLUMN network_click_window_days INTEGER;
ALTER TABLE ad_spend ADD COLUMN network_view_window_days INTEGER;
ALTER TABLE ad_spend ADD COLUMN network_orders BIGINT;
ALTER TABLE ad_spend ADD COLUMN network_units BIGINT;
ALTER TABLE ad_spend ADD COLUMN network_sales DECIMAL(19, 4);
ALTER TABLE ad_spend ADD COLUMN network_sales_in_store DECIMAL(19, 4);
ALTER TABLE ad_spend ADD COLUMN network_sales_online DECIMAL(19, 4);

-- A network's transaction-level claims (commerce.ad.conversion.attributed.v1, e.g. Criteo's
-- attributedTransactions): one row per network and conversion id. The first sender of a
-- conversion owns it (like spend): only it can restate it; a restatement replaces the row.
CREATE TABLE ad_attributed_conversion (
    network       VARCHAR(64)  NOT NULL,
    conversion_id VARCHAR(128) NOT NULL,
    owner         VARCHAR(256) NOT NULL,
    campaign_id   VARCHAR(128) NOT NULL,
    ad_id         VARCHAR(128),
    converted_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    touch         VARCHAR(8)   NOT NULL,
    window_days   INTEGER      NOT NULL,
    channel       VARCHAR(16)  NOT NULL,
    currency      VARCHAR(3)   NOT NULL,
    sales         DECIMAL(19, 4) NOT NULL,
    units         BIGINT       NOT NULL,
    reported_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (network, conversion_id)
);
-- the report and the list read a campaign's conversions of a period
CREATE INDEX ix_ad_attributed_conversion_campaign ON ad_attributed_conversion (network, campaign_id, converted_at);
CREATE INDEX ix_ad_attributed_conversion_time ON ad_attributed_conversion (converted_at);
