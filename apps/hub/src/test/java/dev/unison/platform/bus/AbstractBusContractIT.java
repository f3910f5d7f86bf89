package dev.unison.platform.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.ChannelAvailability;
import dev.unison.platform.deadletter.DeadLetters;
import dev.unison.platform.outbox.Outbox;
import dev.unison.platform.outbox.OutboxRecord;
import dev.unison.hub.support.ProbeRoutes;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The bus contract, the same on every transport: every event reaches each consumer group once,
 * events of one partition key arrive in order, a re-sent batch is not delivered twice, and a
 * consumer failure lands in the dead-letter table with its reason.
 */
abstract class AbstractBusContractIT {

    private static final URI SOURCE = URI.create("/it");

    @Autowired
    Outbox outbox;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    BusTransport transport;
    @Autowired
    DeadLetters deadLetters;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;
    @Autowired
    org.apache.camel.CamelContext camel;

    private static CanonicalEvent ats(String sku, long value) {
        return CanonicalEvent.of(EventType.AVAILABILITY_CHANGED, SOURCE,
                new ChannelAvailability(sku, "shopify", value, Instant.now()));
    }

    private static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void everyEventArrivesOnceAndInOrderPerKey() {
        String run = run();
        List<String> skus = List.of("A-" + run, "B-" + run, "C-" + run, "D-" + run, "E-" + run);
        int perSku = 60;
        for (int round = 0; round < perSku; round += 10) {
            List<CanonicalEvent> batch = new ArrayList<>();
            for (int i = round; i < round + 10; i++) {
                for (String sku : skus) {
                    batch.add(ats(sku, i));
                }
            }
            tx.executeWithoutResult(status -> outbox.append("events", batch));
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                skus.forEach(sku -> assertThat(ProbeRoutes.availabilityFor(sku)).hasSize(perSku)));
        for (String sku : skus) {
            assertThat(ProbeRoutes.availabilityFor(sku)).extracting(ChannelAvailability::availableToSell)
                    .as("order of %s", sku).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void aBatchPublishedAgainIsNotDeliveredTwice() {
        String sku = "DUP-" + run();
        List<CanonicalEvent> events = List.of(ats(sku, 1), ats(sku, 2), ats(sku, 3));
        outbox.append("events", events);
        await().atMost(Duration.ofSeconds(30)).until(() -> ProbeRoutes.availabilityFor(sku).size() == 3);

        // as if the relay died after publishing and before deleting the pending rows: the same rows go out again
        List<OutboxRecord> again = events.stream().map(e -> outbox.find(e.id()).orElseThrow()).toList();
        transport.publish(again);
        // a later event of the same key arrives after any duplicate would have (per-key order)
        outbox.append("events", ats(sku, 4));

        await().atMost(Duration.ofSeconds(30)).until(() -> ProbeRoutes.availabilityFor(sku).size() >= 4);
        assertThat(ProbeRoutes.availabilityFor(sku)).extracting(ChannelAvailability::availableToSell)
                .containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void aGroupCountsItsTransactionsBesideItsDeliveries() {
        String sku = "TX-" + run();
        double deliveredBefore = count("unison.bus.delivered");
        double transactionsBefore = count("unison.bus.transactions");
        List<CanonicalEvent> events = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            events.add(ats(sku, i));
        }
        tx.executeWithoutResult(status -> outbox.append("events", events));
        await().atMost(Duration.ofSeconds(30)).until(() -> ProbeRoutes.availabilityFor(sku).size() == 40);

        double delivered = count("unison.bus.delivered") - deliveredBefore;
        double transactions = count("unison.bus.transactions") - transactionsBefore;
        assertThat(delivered).isGreaterThanOrEqualTo(40);
        // one transaction per batch: at least one, never more than one per delivery
        assertThat(transactions).isBetween(1.0, delivered);
    }

    @Test
    void aGroupWithBatchWaitGathersEventsPublishedApartIntoOneTransaction() throws InterruptedException {
        String sku = "GATHER-" + run();
        // the gathering group has taken what earlier tests published (it also takes the poison events the probe refuses)
        await().atMost(Duration.ofSeconds(30)).until(() -> ProbeRoutes.GATHERED.size() >= ProbeRoutes.RECEIVED.size());
        double transactionsBefore = count("unison.bus.transactions", ProbeRoutes.GATHERING_GROUP);
        // five commits 40 ms apart: five relay publishes, each its own fetch for a group that does not wait
        for (int i = 1; i <= 5; i++) {
            CanonicalEvent event = ats(sku, i);
            tx.executeWithoutResult(status -> outbox.append("events", event));
            Thread.sleep(40);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> gathered(sku).size() == 5);

        assertThat(gathered(sku)).extracting(ChannelAvailability::availableToSell).containsExactly(1L, 2L, 3L, 4L, 5L);
        // 160 ms of publishing inside one 400 ms wait: one transaction, two if the relay's first round came early
        assertThat(count("unison.bus.transactions", ProbeRoutes.GATHERING_GROUP) - transactionsBefore).isBetween(1.0, 2.0);
    }

    /** The batchWait a running route's bus consumer gathers for (its URI's, or unison.bus.batch-wait.<group>). */
    long batchWaitOf(String routeId) {
        return ((BusEndpoint) camel.getRoute(routeId).getEndpoint()).getBatchWait();
    }

    private static List<ChannelAvailability> gathered(String sku) {
        return ProbeRoutes.GATHERED.stream().filter(e -> e.data().path("sku").asText().equals(sku))
                .map(e -> e.dataAs(ChannelAvailability.class)).toList();
    }

    private double count(String meter) {
        return count(meter, ProbeRoutes.GROUP);
    }

    private double count(String meter, String group) {
        io.micrometer.core.instrument.Counter counter = meters.find(meter).tag("group", group).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aConsumerFailureIsDeadLetteredWithItsReason() {
        CanonicalEvent poison = ats("POISON", 7);
        outbox.append("events", poison);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(deadLetters.recent(ProbeRoutes.GROUP, 20)).anySatisfy(d -> {
                    assertThat(d.eventId()).isEqualTo(poison.id());
                    assertThat(d.eventType()).isEqualTo("commerce.availability.changed.v1");
                    assertThat(d.reason()).contains("poison sku rejected by the probe");
                    assertThat(CanonicalEvent.fromStructuredJson(d.payload())).isEqualTo(poison);
                }));
    }

    @Test
    void aPoisonEventInsideABatchIsDeadLetteredAndItsNeighboursStillArrive() {
        String sku = "BATCH-" + System.nanoTime();
        CanonicalEvent poison = ats("POISON", 8);
        outbox.append("events", List.of(ats(sku, 1), poison, ats(sku, 2)));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(ProbeRoutes.availabilityFor(sku)).extracting(ChannelAvailability::availableToSell).contains(1L, 2L);
            assertThat(deadLetters.recent(ProbeRoutes.GROUP, 50)).anySatisfy(d -> assertThat(d.eventId()).isEqualTo(poison.id()));
        });
    }
}
