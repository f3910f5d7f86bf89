package dev.unison.platform.bus;

import dev.unison.connectors.kit.log.LogSafe;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one consumer group from Artemis in batches: up to {@code maxBatch} messages already
 * waiting are taken in one transacted JMS session and handled in one database transaction
 * ({@link BusDelivery#processBatch}), then the session commits. One message per transaction (what
 * a plain Camel JMS consumer does) costs a journal sync and a database commit each; under a burst
 * that made consumer groups lag the relay by tens of seconds.
 *
 * <p>A crash between the database commit and the JMS commit redelivers the batch; the idempotent
 * repository (same database transaction) drops what was already processed. The subscription is
 * the same JMS 2.0 shared durable subscription (named after the group) a Camel JMS consumer uses.
 */
class ArtemisBatchConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(ArtemisBatchConsumer.class);

    private final ConnectionFactory connectionFactory;
    private final String brokerTopic;
    private final String group;
    private final String selector;
    private final BusDelivery delivery;
    private final int maxBatch;
    private final long batchWaitMillis;
    private volatile boolean running;
    private Thread worker;

    ArtemisBatchConsumer(Endpoint endpoint, ConnectionFactory connectionFactory, String brokerTopic, String group,
            String selector, BusDelivery delivery, int maxBatch, long batchWaitMillis) {
        super(endpoint, exchange -> { });
        this.connectionFactory = connectionFactory;
        this.brokerTopic = brokerTopic;
        this.group = group;
        this.selector = selector;
        this.delivery = delivery;
        this.maxBatch = maxBatch;
        this.batchWaitMillis = batchWaitMillis;
    }

    /** The broker side of the consumer: connection, transacted session, shared durable subscription. */
    private record Subscription(Connection connection, Session session, MessageConsumer consumer) implements AutoCloseable {
        @Override
        public void close() {
            try {
                connection.close();
            } catch (JMSException ignored) {
                // already broken; a new one is opened
            }
        }
    }

    /**
     * Subscribes before the route counts as started: a topic keeps nothing for a subscription that
     * does not exist yet, so an event published right after start-up must find it in place.
     */
    @Override
    protected void doStart() throws Exception {
        super.doStart();
        Subscription first = subscribe();
        running = true;
        worker = new Thread(() -> run(first), "bus-" + group);
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        if (worker != null) {
            worker.join(TimeUnit.SECONDS.toMillis(10));
        }
        super.doStop();
    }

    private Subscription subscribe() throws JMSException {
        Connection connection = connectionFactory.createConnection();
        try {
            connection.start();
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer consumer = session.createSharedDurableConsumer(session.createTopic(brokerTopic), group, selector);
            return new Subscription(connection, session, consumer);
        } catch (JMSException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private void run(Subscription initial) {
        long backoffMillis = 100;
        Subscription current = initial;
        while (running) {
            try (Subscription subscription = current != null ? current : subscribe()) {
                current = null;
                Session session = subscription.session();
                MessageConsumer consumer = subscription.consumer();
                backoffMillis = 100;
                while (running) {
                    Message first = consumer.receive(500);
                    if (first == null) {
                        continue;
                    }
                    List<Exchange> batch = new ArrayList<>();
                    batch.add(exchange(first));
                    long waitUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(batchWaitMillis);
                    while (batch.size() < maxBatch) {
                        Message next = consumer.receiveNoWait();
                        long left = TimeUnit.NANOSECONDS.toMillis(waitUntil - System.nanoTime());
                        if (next == null && left > 0) {
                            next = consumer.receive(left); // the group's batchWait: let more join this transaction
                        }
                        if (next == null) {
                            break;
                        }
                        batch.add(exchange(next));
                    }
                    try {
                        delivery.processBatch(batch);
                        session.commit();
                    } catch (RuntimeException failure) {
                        // the database is unavailable: nothing was acknowledged, the batch comes again
                        LOG.warn("bus group {}: batch of {} failed, retrying: {}", group, batch.size(), LogSafe.of(failure, 1000));
                        session.rollback();
                        BusDelivery.pause(backoffMillis);
                        backoffMillis = Math.min(backoffMillis * 2, 5_000);
                    }
                }
            } catch (JMSException | RuntimeException e) {
                current = null;
                if (running) {
                    LOG.warn("bus group {}: broker connection failed, reconnecting: {}", group, LogSafe.of(e, 1000));
                    BusDelivery.pause(backoffMillis);
                    backoffMillis = Math.min(backoffMillis * 2, 5_000);
                }
            }
        }
    }

    private Exchange exchange(Message message) throws JMSException {
        Exchange exchange = getEndpoint().createExchange();
        exchange.getIn().setBody(message instanceof TextMessage text ? text.getText() : null);
        exchange.getIn().setHeader(ArtemisBusTransport.TYPE_PROPERTY, message.getStringProperty(ArtemisBusTransport.TYPE_PROPERTY));
        return exchange;
    }
}
