package dev.unison.connectors.amazonads;

import dev.unison.connectors.kit.config.Connection;
import java.time.Duration;
import java.util.Optional;

/** One Amazon Ads connection's settings, typed and defaulted by the descriptor's schema. */
record AmazonAdsSettings(String clientId, String profileId, String apiUrl, String tokenUrl, String network, String currency,
        int backfillDays, int restateDays, Duration restateEvery, Duration pollInterval, Duration pausedRetry,
        boolean sendConversions, Optional<String> accountId, String countryCode, String conversionName, int conversionsBatchSize,
        int conversionsPerSecond) {

    static AmazonAdsSettings of(Connection c) {
        return new AmazonAdsSettings(c.setting("clientId"), c.setting("profileId"), c.setting("apiUrl"), c.setting("tokenUrl"),
                c.setting("network"), c.setting("currency"), (int) c.integer("backfillDays"), (int) c.integer("restateDays"),
                c.duration("restateEvery"), c.duration("pollInterval"), c.duration("pausedRetry"), c.bool("sendConversions"),
                Optional.ofNullable(c.setting("accountId")), c.setting("countryCode"), c.setting("conversionName"),
                (int) c.integer("conversionsBatchSize"), (int) c.integer("conversionsPerSecond"));
    }
}
