package dev.unison.platform.bus;

import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Set;

/**
 * Which of the Kafka consumer's own metrics reach the meter registry. The consumer reports several
 * fetch metrics twice under one name, for the whole client and again per topic (or partition):
 * {@code records-lag-max}, {@code records-consumed-total}, ... (Kafka documentation, "Consumer Fetch
 * Metrics"). Prometheus keeps one set of tag keys per name, so with a consumer per group the copy
 * registered second is refused, with a WARN, and which copy that is depends on timing
 * (micrometer-metrics/micrometer#2212). The hub consumes one topic, so the per-topic copies repeat
 * the client's own figures: they are left out, and the per-client ones — among them each group's
 * {@code records-lag-max} — are always there. Metrics only a partition has ({@code records-lag})
 * pass, should Micrometer register them.
 */
public final class KafkaConsumerMeters {

    /** Names the consumer reports both per client and per topic or partition. */
    static final Set<String> REPORTED_TWICE = Set.of("bytes.consumed.rate", "bytes.consumed.total", "fetch.size.avg",
            "fetch.size.max", "records.consumed.rate", "records.consumed.total", "records.per.request.avg",
            "records.lag.max", "records.lead.min");

    private static final String FETCH_MANAGER = "kafka.consumer.fetch.manager.";

    private KafkaConsumerMeters() {
    }

    /** Denies the per-topic and per-partition copies of the metrics a consumer also reports per client. */
    public static MeterFilter perClientCopiesOnly() {
        return MeterFilter.deny(id -> id.getName().startsWith(FETCH_MANAGER) && id.getTag("topic") != null
                && REPORTED_TWICE.contains(id.getName().substring(FETCH_MANAGER.length())));
    }
}
