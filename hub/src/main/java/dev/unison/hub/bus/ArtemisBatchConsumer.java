package dev.unison.hub.bus;

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
 * the same JMS 2.0 shared durable subscription (named after the group) a Camel JMS consumer uses,
 * with a selector on {@code ce_type} when the endpoint names the types it wants: the broker then
 * never hands the group events it would only skip.
 */
class ArtemisBatchConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(ArtemisBatchConsumer.class);

    private final ConnectionFactory connectionFactory;
    private final String brokerTopic;
    private final String group;
    private final String selector;
    private final BusDelivery delivery;
    private final int maxBatch;
    private volatile boolean running;
    private Thread worker;

    ArtemisBatchConsumer(Endpoint endpoint, ConnectionFactory connectionFactory, String brokerTopic, String group,
            String selector, BusDelivery delivery, int maxBatch) {
        super(endpoint, exchange -> { });
        this.connectionFactory = connectionFactory;
        this.brokerTopic = brokerTopic;
        this.group = group;
        this.selector = selector;
        this.delivery = delivery;
        this.maxBatch = maxBatch;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        running = true;
        worker = new Thread(this::run, "bus-" + group);
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

    private void run() {
        long backoffMillis = 100;
        while (running) {
            try (Connection connection = connectionFactory.createConnection()) {
                connection.start();
                Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
                MessageConsumer consumer = session.createSharedDurableConsumer(session.createTopic(brokerTopic), group, selector);
                backoffMillis = 100;
                while (running) {
                    Message first = consumer.receive(500);
                    if (first == null) {
                        continue;
                    }
                    List<Exchange> batch = new ArrayList<>();
                    batch.add(exchange(first));
                    Message next;
                    while (batch.size() < maxBatch && (next = consumer.receiveNoWait()) != null) {
                        batch.add(exchange(next));
                    }
                    try {
                        delivery.processBatch(batch);
                        session.commit();
                    } catch (RuntimeException failure) {
                        // the database is unavailable: nothing was acknowledged, the batch comes again
                        LOG.warn("bus group {}: batch of {} failed, retrying: {}", group, batch.size(), failure.toString());
                        session.rollback();
                        sleep(backoffMillis);
                        backoffMillis = Math.min(backoffMillis * 2, 5_000);
                    }
                }
            } catch (JMSException | RuntimeException e) {
                if (running) {
                    LOG.warn("bus group {}: broker connection failed, reconnecting: {}", group, e.toString());
                    sleep(backoffMillis);
                    backoffMillis = Math.min(backoffMillis * 2, 5_000);
                }
            }
        }
    }

    private Exchange exchange(Message message) throws JMSException {
        Exchange exchange = getEndpoint().createExchange();
        exchange.getIn().setBody(message instanceof TextMessage text ? text.getText() : null);
        return exchange;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
