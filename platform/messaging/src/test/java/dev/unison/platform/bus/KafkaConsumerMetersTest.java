package dev.unison.platform.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The Kafka consumer's metrics that reach the registry: one copy of each name, with one set of tag keys. */
class KafkaConsumerMetersTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    {
        registry.config().meterFilter(KafkaConsumerMeters.perClientCopiesOnly());
    }

    private void gauge(String name, Tags tags) {
        registry.gauge("kafka.consumer.fetch.manager." + name, tags, 1.0);
    }

    @Test
    void aMetricReportedPerClientAndPerPartitionKeepsOnlyItsClientCopy() {
        Tags client = Tags.of("group", "inventory", "client.id", "unison-inventory-1");
        // the order Kafka's reporter happens to use decides nothing: the partition's copy first here
        gauge("records.lag.max", client.and("topic", "unison.events", "partition", "0"));
        gauge("records.lag.max", client);
        gauge("records.consumed.total", client.and("topic", "unison.events"));
        gauge("records.consumed.total", client);

        assertThat(registry.find("kafka.consumer.fetch.manager.records.lag.max").gauges())
                .singleElement().satisfies(g -> assertThat(g.getId().getTag("topic")).isNull());
        assertThat(registry.find("kafka.consumer.fetch.manager.records.consumed.total").gauges())
                .singleElement().satisfies(g -> assertThat(g.getId().getTag("topic")).isNull());
    }

    @Test
    void aMetricOnlyAPartitionHasIsKept() {
        gauge("records.lag", Tags.of("group", "inventory", "topic", "unison.events", "partition", "2"));

        assertThat(registry.find("kafka.consumer.fetch.manager.records.lag").tag("partition", "2").gauges()).hasSize(1);
    }
}
