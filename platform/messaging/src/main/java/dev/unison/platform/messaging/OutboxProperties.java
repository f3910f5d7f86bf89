package dev.unison.platform.messaging;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code unison.outbox.*}: the relay that publishes committed outbox rows to the bus, and how long
 * published rows stay traceable and deduplicated (docs/configuration.md "Outbox").
 */
@ConfigurationProperties(prefix = "unison.outbox")
public record OutboxProperties(Boolean relayEnabled, Integer batchSize, Duration pollInterval, Duration maxBackoff,
        Duration retention, Duration shardLease) {

    public OutboxProperties {
        relayEnabled = relayEnabled == null || relayEnabled;
        batchSize = batchSize == null ? 500 : batchSize;
        pollInterval = pollInterval == null ? Duration.ofMillis(200) : pollInterval;
        maxBackoff = maxBackoff == null ? Duration.ofSeconds(30) : maxBackoff;
        retention = retention == null ? Duration.ofDays(7) : retention;
        shardLease = shardLease == null ? Duration.ofSeconds(15) : shardLease;
        if (batchSize <= 0 || batchSize > 10_000) {
            throw new IllegalArgumentException("unison.outbox.batch-size must be 1..10000, got " + batchSize);
        }
    }
}
