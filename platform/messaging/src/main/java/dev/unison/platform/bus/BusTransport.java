package dev.unison.platform.bus;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.platform.outbox.OutboxRecord;
import dev.unison.platform.outbox.Publisher;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * The broker behind the {@code bus:} endpoint: embedded Artemis by default, Kafka in production
 * ({@code unison.bus.type}). Routes never see it; they use {@code bus:<topic>}.
 */
public interface BusTransport extends Publisher, AutoCloseable {

    /** Topic names on the broker: {@code bus:events} is {@code unison.events}. */
    static String brokerTopic(String topic) {
        return "unison." + topic;
    }

    String name();

    /** Publishes a batch durably, in list order per partition key; returns only once the broker has it. */
    @Override
    void publish(List<OutboxRecord> batch);

    /** The Camel endpoint URI that consumes a topic as one consumer group (each group sees every event once). */
    String consumerUri(String topic, String group);

    /**
     * A consumer that takes waiting events in batches and hands them to
     * {@link BusDelivery#processBatch}; null when the transport consumes through {@link #consumerUri}.
     */
    default org.apache.camel.Consumer batchConsumer(org.apache.camel.Endpoint endpoint, String topic, String group,
            java.util.Set<String> types, BusDelivery delivery) {
        return null;
    }

    /** Reads the canonical event from a consumed exchange (structured JSON on Artemis, binary mode on Kafka). */
    CanonicalEvent decode(Exchange exchange);

    /** The event type of a received message without decoding it, or null when the transport cannot tell. */
    default String peekType(Exchange exchange) {
        return null;
    }

    /** Throws when the broker cannot be reached; used by the health indicator. */
    void check();

    @Override
    void close();
}
