package dev.unison.platform.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.ChannelAvailability;
import dev.unison.platform.outbox.OutboxRecord;
import dev.unison.hub.support.EmbeddedHub;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The bus contract on the embedded default: the hub as `java -jar` runs it, on embedded persistent Artemis. */
@EmbeddedHub
class ArtemisBusIT extends AbstractBusContractIT {

    private static final String PRICE = EventType.PRICE_CHANGED.typeName();
    private static final String AVAILABILITY = EventType.AVAILABILITY_CHANGED.typeName();

    @Autowired
    EmbeddedActiveMQ embedded;
    @Autowired
    ConnectionFactory connectionFactory;

    @Test
    void theDefaultTransportIsArtemis() {
        assertThat(transport).isInstanceOf(ArtemisBusTransport.class);
    }

    @Test
    void theEmbeddedDefaultLetsTheGroupsOnTheFreshnessPathTakeWhatWaitsWithoutGathering() {
        // one relay publishes here, so gathering would only add latency (the production profile sets it)
        assertThat(batchWaitOf("inventory-orders")).isZero();
        assertThat(batchWaitOf("availability-fan-out")).isZero();
        assertThat(batchWaitOf("carts")).isEqualTo(200);
        assertThat(batchWaitOf("order-store")).isEqualTo(500);
    }

    @Test
    void theBrokerRoutesAnEventOnlyToTheGroupsWhoseTypesIncludeIt() {
        Queue orders = embedded.getActiveMQServer().locateQueue("order-store");
        Queue fanOut = embedded.getActiveMQServer().locateQueue("availability-fan-out");
        assertThat(orders.getFilter().getFilterString().toString())
                .isEqualTo("ce_type IN ('commerce.order.placed.v1', 'commerce.order.updated.v1')");
        long ordersBefore = orders.getMessagesAdded();
        long fanOutBefore = fanOut.getMessagesAdded();

        transport.publish(List.of(record(availability("ROUTE-" + System.nanoTime()))));

        await().atMost(Duration.ofSeconds(10)).until(() -> fanOut.getMessagesAdded() == fanOutBefore + 1);
        assertThat(orders.getMessagesAdded()).as("the order group never sees availability events").isEqualTo(ordersBefore);
    }

    @Test
    void aGroupWhoseTypesChangedReopensItsSubscriptionAndKeepsWhatWaits() throws Exception {
        String group = "it-types-changed-" + System.nanoTime();
        String topic = BusTransport.brokerTopic("events");
        String pricesOnly = ArtemisBusTransport.selector(Set.of(PRICE));
        String both = ArtemisBusTransport.selector(Set.of(AVAILABILITY, PRICE));
        assertThat(both).as("sorted, whatever the set's order").isEqualTo(ArtemisBusTransport.selector(Set.of(PRICE, AVAILABILITY)));

        try (Connection connection = connectionFactory.createConnection()) {
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            session.createSharedDurableConsumer(session.createTopic(topic), group, pricesOnly).close();
        }
        // while the group is down: one event it consumes, one it does not consume yet
        CanonicalEvent waiting = price("WAITING-" + group);
        transport.publish(List.of(record(waiting), record(availability("LOST-" + group))));

        EmbeddedSubscriptionFilters.of(embedded).align(group, both);
        CanonicalEvent after = availability("AFTER-" + group);
        try (Connection connection = connectionFactory.createConnection()) {
            connection.start();
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            // without the update Artemis refuses this (AMQ229083: another filter than the queue's)
            MessageConsumer consumer = session.createSharedDurableConsumer(session.createTopic(topic), group, both);
            transport.publish(List.of(record(after)));
            Message first = consumer.receive(10_000);
            Message second = consumer.receive(10_000);
            session.commit();
            assertThat(List.of(first.getStringProperty("ce_type"), second.getStringProperty("ce_type")))
                    .containsExactly(PRICE, AVAILABILITY);
            assertThat(consumer.receive(500)).as("the event published before the change was not for the group").isNull();
            consumer.close();
            session.unsubscribe(group);
        }
    }

    private static CanonicalEvent availability(String sku) {
        return CanonicalEvent.of(EventType.AVAILABILITY_CHANGED, URI.create("/it"),
                new ChannelAvailability(sku, "it-nowhere", 1, Instant.now()));
    }

    private static CanonicalEvent price(String sku) {
        return CanonicalEvent.of(EventType.PRICE_CHANGED, URI.create("/it"), new dev.unison.canonical.model.Price(sku, "it-nowhere",
                dev.unison.canonical.model.Money.of("9.90", "USD"), null, Instant.now()));
    }

    private static OutboxRecord record(CanonicalEvent e) {
        return new OutboxRecord(0, e.id(), "events", e.type().typeName(), e.partitionKey(), e.toStructuredJson(), Instant.now());
    }
}
