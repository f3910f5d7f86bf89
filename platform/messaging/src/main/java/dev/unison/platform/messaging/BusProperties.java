package dev.unison.platform.messaging;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code unison.bus.*}: which transport carries the hub's events (docs/configuration.md "Bus"). */
@ConfigurationProperties(prefix = "unison.bus")
public record BusProperties(BusType type, String kafkaBrokers, Duration sendTimeout) {

    public enum BusType { ARTEMIS, KAFKA }

    public BusProperties {
        type = type == null ? BusType.ARTEMIS : type;
        sendTimeout = sendTimeout == null ? Duration.ofSeconds(30) : sendTimeout;
    }
}
