package dev.unison.platform.messaging;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code unison.bus.*}: which transport carries the hub's events (docs/configuration.md "Bus").
 *
 * @param batchWait per consumer group, how long it gathers a batch, overriding the route's own
 *     {@code batchWait}: a deployment with several instances (several relays publishing) sets it
 *     for the groups on the freshness path without editing their routes
 */
@ConfigurationProperties(prefix = "unison.bus")
public record BusProperties(BusType type, String kafkaBrokers, Duration sendTimeout, Map<String, Duration> batchWait) {

    public enum BusType { ARTEMIS, KAFKA }

    public BusProperties {
        type = type == null ? BusType.ARTEMIS : type;
        sendTimeout = sendTimeout == null ? Duration.ofSeconds(30) : sendTimeout;
        batchWait = batchWait == null ? Map.of() : Map.copyOf(batchWait);
        batchWait.forEach((group, wait) -> {
            if (wait.isNegative() || wait.toMillis() > dev.unison.platform.bus.BusEndpoint.MAX_BATCH_WAIT_MILLIS) {
                throw new IllegalArgumentException("unison.bus.batch-wait." + group + " must be 0..5s, got " + wait);
            }
        });
    }
}
