package dev.unison.platform.bus;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.platform.outbox.OutboxRecord;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * Artemis transport. Each event is a persistent JMS TextMessage holding the structured CloudEvents
 * JSON, sent on the topic {@code unison.<topic>}; a batch is one transacted session commit.
 *
 * <ul>
 *   <li>{@code JMSXGroupID} = partition key: Artemis message grouping delivers one key to one
 *       consumer at a time, in order (ActiveMQ Artemis docs, "Message Grouping").</li>
 *   <li>Consumer groups are JMS 2.0 shared durable subscriptions named after the group.</li>
 * </ul>
 *
 * <p>Broker-side duplicate detection ({@code _AMQ_DUPL_ID}) is deliberately not used: inside a
 * transaction Artemis rejects the whole commit when one message is a duplicate (ActiveMQ Artemis
 * docs, "Duplicate Message Detection"), so a batch re-sent after a relay crash could never be
 * published again. Re-sent events are dropped by the consumers' idempotent repository instead.
 */
public class ArtemisBusTransport implements BusTransport {

    static final String GROUP_ID = "JMSXGroupID";

    /**
     * Sets the filter of an existing subscription queue before a group subscribes (the embedded
     * broker); null when the broker is remote.
     */
    public interface SubscriptionFilters {
        /** Makes the durable subscription queue {@code queue}, if it exists, use {@code filter} (null: none). */
        void align(String queue, String filter);
    }

    private final ConnectionFactory connectionFactory;
    private final SubscriptionFilters subscriptionFilters;
    private Connection connection;
    private Session session;
    private final Map<String, MessageProducer> producers = new HashMap<>();

    public ArtemisBusTransport(ConnectionFactory connectionFactory) {
        this(connectionFactory, null);
    }

    public ArtemisBusTransport(ConnectionFactory connectionFactory, SubscriptionFilters subscriptionFilters) {
        this.connectionFactory = connectionFactory;
        this.subscriptionFilters = subscriptionFilters;
    }

    @Override
    public String name() {
        return "artemis";
    }

    @Override
    public synchronized void publish(List<OutboxRecord> batch) {
        try {
            Session s = session();
            try {
                for (OutboxRecord r : batch) {
                    TextMessage message = s.createTextMessage(r.payload());
                    message.setStringProperty(GROUP_ID, r.partitionKey());
                    message.setStringProperty(TYPE_PROPERTY, r.eventType());
                    producer(r.topic()).send(message, DeliveryMode.PERSISTENT, 4, 0);
                }
                s.commit();
            } catch (JMSException | RuntimeException e) {
                reset();
                throw e;
            }
        } catch (JMSException e) {
            throw new BusException("Artemis publish of " + batch.size() + " events failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String consumerUri(String topic, String group) {
        return "jms:topic:" + BusTransport.brokerTopic(topic)
                + "?subscriptionDurable=true&subscriptionShared=true&subscriptionName=" + group
                + "&transacted=true&cacheLevelName=CACHE_CONSUMER";
    }

    /** Batches of up to 500 waiting events per transaction (see {@link ArtemisBatchConsumer}). */
    @Override
    public org.apache.camel.Consumer batchConsumer(org.apache.camel.Endpoint endpoint, String topic, String group,
            java.util.Set<String> types, BusDelivery delivery) {
        // The broker routes a message only to the groups whose filter matches, so a group costs nothing
        // (no reference, no acknowledgement in the journal) for the types it does not consume.
        String selector = selector(types);
        if (subscriptionFilters != null) {
            // a group whose types changed since its subscription was made: Artemis refuses to reopen a
            // shared durable subscription with another filter (AMQ229083), so the queue is updated
            // first, keeping what waits in it
            subscriptionFilters.align(group, selector);
        }
        long batchWait = endpoint instanceof BusEndpoint bus ? bus.getBatchWait() : 0;
        return new ArtemisBatchConsumer(endpoint, connectionFactory, BusTransport.brokerTopic(topic), group, selector,
                delivery, 500, batchWait);
    }

    /**
     * The JMS selector of a group's types, in sorted order so that it reads the same after every
     * restart (the same filter spelled in another order made Artemis refuse to reopen the
     * subscription, AMQ229083). Type names are checked against EventType, so they are safe inside
     * the quotes.
     */
    static String selector(java.util.Set<String> types) {
        if (types.isEmpty()) {
            return null;
        }
        return TYPE_PROPERTY + " IN (" + new java.util.TreeSet<>(types).stream().map(t -> "'" + t + "'")
                .collect(java.util.stream.Collectors.joining(", ")) + ")";
    }

    /** The event type as a message property, so a consumer group can skip other types without parsing. */
    static final String TYPE_PROPERTY = "ce_type";

    @Override
    public CanonicalEvent decode(Exchange exchange) {
        String json = exchange.getIn().getBody(String.class);
        if (json == null) {
            throw new IllegalArgumentException("empty message: expected a structured CloudEvents JSON body");
        }
        // our own bus: validated when built, before the outbox (CanonicalEvent.fromTrustedCloudEvent)
        return CanonicalEvent.fromTrustedStructuredJson(json);
    }

    @Override
    public String peekType(Exchange exchange) {
        return exchange.getIn().getHeader(TYPE_PROPERTY, String.class);
    }

    @Override
    public synchronized void check() {
        try {
            session();
        } catch (JMSException e) {
            reset();
            throw new BusException("Artemis unreachable: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        reset();
    }

    private Session session() throws JMSException {
        if (session == null) {
            connection = connectionFactory.createConnection();
            connection.start();
            session = connection.createSession(true, Session.SESSION_TRANSACTED);
        }
        return session;
    }

    private MessageProducer producer(String topic) throws JMSException {
        MessageProducer producer = producers.get(topic);
        if (producer == null) {
            producer = session.createProducer(session.createTopic(BusTransport.brokerTopic(topic)));
            producers.put(topic, producer);
        }
        return producer;
    }

    private void reset() {
        producers.clear();
        session = null;
        if (connection != null) {
            try {
                connection.close();
            } catch (JMSException ignored) {
                // the connection is already broken; a new one is opened on the next publish
            }
            connection = null;
        }
    }
}
