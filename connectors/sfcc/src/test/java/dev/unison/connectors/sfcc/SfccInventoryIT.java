package dev.unison.connectors.sfcc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.ChannelAvailability;
import dev.unison.canonical.model.InventoryPosition;
import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.sfcc.simulator.SfccSimulator;
import dev.unison.platform.testkit.FreePort;
import dev.unison.platform.testkit.MemoryConnectorContext;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Availability out to Omnichannel Inventory against the simulator, the hub's side in memory. */
class SfccInventoryIT {

    private static final String BATCH = ".*/availability-records/actions/batch-update";
    private static final AtomicLong VERSIONS = new AtomicLong();

    private SfccSimulator sfcc;
    private MemoryConnectorContext ctx;
    private OciInventorySync sync;

    @BeforeEach
    void start() {
        sfcc = new SfccSimulator(FreePort.any(), Clock.systemUTC());
        sfcc.start();
        // one record per request so the pace is visible: 8 requests per second at normal load
        ctx = SfccTesting.context(sfcc.baseUrl(), "inventoryRequestsPerSecond: 8", "batchSize: 1");
        sync = new SfccConnector().inventory(SfccTesting.connection(ctx), ctx);
    }

    @AfterEach
    void stop() {
        sfcc.close();
    }

    private void offer(String sku, long quantity) {
        sync.offer(CanonicalEvent.of(EventType.AVAILABILITY_CHANGED, URI.create("/test"),
                new ChannelAvailability(sku, "sfcc", quantity, Instant.now(), VERSIONS.incrementAndGet())));
    }

    /** Ticks as the sender's timer route does until the queue is empty; how long it took. */
    private Duration drain(Duration atMost) throws InterruptedException {
        long started = System.nanoTime();
        while (!ctx.queue.isEmpty()) {
            while (sync.tick() > 0) {
                // as the route: batch after batch while the pace allows
            }
            Thread.sleep(10);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("queue drained in time").isLessThan(atMost);
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private static double perSecond(List<SimRequest> calls) {
        Duration span = Duration.between(calls.get(0).receivedAt(), calls.get(calls.size() - 1).receivedAt());
        return (calls.size() - 1) / (span.toMillis() / 1000.0);
    }

    @Test
    void availabilityOfTheChannelReachesOciAsIdempotentRecordsOfTheConfiguredLocation() throws Exception {
        offer("SKU-1", 5);
        offer("SKU-1", 7); // coalesced: only the newest is sent
        offer("SKU-2", 0);
        sync.offer(CanonicalEvent.of(EventType.AVAILABILITY_CHANGED, URI.create("/test"),
                new ChannelAvailability("SKU-3", "shopify", 9, Instant.now(), VERSIONS.incrementAndGet()))); // another channel

        drain(Duration.ofSeconds(10));

        assertThat(sfcc.onHand("WH-EAST", "SKU-1")).isEqualTo(7);
        assertThat(sfcc.onHand("WH-EAST", "SKU-2")).isZero();
        assertThat(sfcc.onHand("WH-EAST", "SKU-3")).isNull();
        assertThat(sfcc.appliedUpdates()).isEqualTo(2);
        String body = sfcc.receivedOn("POST", BATCH).get(0).bodyText();
        assertThat(body).contains("\"actionRequestId\"", "\"locationIdentifier\":\"WH-EAST\"", "\"stockKeepingUnit\":\"SKU-1\"",
                "\"onHand\":7", "\"safetyStockCount\":0", "\"futureStock\":[]");
    }

    @Test
    void eachMappedLocationsOwnStockReachesItsOciLocationAndOthersAreIgnored() throws Exception {
        MemoryConnectorContext perLocation = SfccTesting.context(sfcc.baseUrl(), "inventoryRequestsPerSecond: 8",
                "ociLocations: {STORE-7: store7-oci, WH-1: wh1-oci}");
        OciInventorySync positions = new SfccConnector().positions(SfccTesting.connection(perLocation), perLocation);
        java.util.function.BiConsumer<InventoryPosition, Long> offer = (p, v) -> positions.offer(CanonicalEvent.of(
                EventType.INVENTORY_ADJUSTED, URI.create("/test"), p));
        offer.accept(new InventoryPosition("SKU-1", "STORE-7", 5, 0, 1, Instant.now()), 1L);
        offer.accept(new InventoryPosition("SKU-1", "STORE-7", 4, 1, 3, Instant.now()), 3L); // on hand 4, 1 held for a cart
        offer.accept(new InventoryPosition("SKU-1", "STORE-7", 9, 0, 2, Instant.now()), 2L); // older: dropped
        offer.accept(new InventoryPosition("SKU-1", "WH-1", 20, 0, 1, Instant.now()), 1L);
        offer.accept(new InventoryPosition("SKU-2", "WH-1", -2, 0, 1, Instant.now()), 1L); // a till ahead of a count
        offer.accept(new InventoryPosition("SKU-1", "STORE-9", 3, 0, 1, Instant.now()), 1L); // no OCI location
        positions.offer(CanonicalEvent.of(EventType.AVAILABILITY_CHANGED, URI.create("/test"),
                new ChannelAvailability("SKU-3", "sfcc", 9, Instant.now(), VERSIONS.incrementAndGet()))); // not a position

        // ticked as the sender's timer route does, until the queue is empty
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> {
            while (positions.tick() > 0) {
                // batch after batch while the pace allows
            }
            return perLocation.queue.isEmpty();
        });

        assertThat(sfcc.onHand("store7-oci", "SKU-1")).as("on hand less the hub's holds").isEqualTo(3);
        assertThat(sfcc.onHand("wh1-oci", "SKU-1")).isEqualTo(20);
        assertThat(sfcc.onHand("wh1-oci", "SKU-2")).as("never below zero").isZero();
        assertThat(sfcc.onHand("WH-EAST", "SKU-3")).as("availability is the other sender's").isNull();
        List<SimRequest> calls = sfcc.receivedOn("POST", BATCH);
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).bodyText()).doesNotContain("STORE-9").doesNotContain("SKU-3");
        assertThat(new SfccConnector().locationReferences(SfccTesting.connection(perLocation)))
                .containsEntry("ociLocations.STORE-7", "STORE-7").containsEntry("ociLocations.WH-1", "WH-1");
    }

    @Test
    void theSameQueuedValueSentAgainIsReplayedByOciNotAppliedTwice() throws Exception {
        offer("SKU-9", 4);
        var pending = ctx.queue.values().iterator().next();
        drain(Duration.ofSeconds(5));
        // the same value queued again (a resend after a lost answer, a restart before done): the same id
        ctx.queue.put(pending.key(), pending);
        drain(Duration.ofSeconds(5));

        assertThat(sfcc.receivedOn("POST", BATCH)).hasSize(2);
        assertThat(sfcc.appliedUpdates()).isEqualTo(1);
        assertThat(sfcc.replayedUpdates()).isEqualTo(1);
        assertThat(OciInventorySync.actionRequestId("c", "SKU-9", "L", pending.value()))
                .isEqualTo(OciInventorySync.actionRequestId("c", "SKU-9", "L", pending.value()))
                .isNotEqualTo(OciInventorySync.actionRequestId("c", "SKU-9", "L2", pending.value()));
    }

    @Test
    void warnAndThrottleLoadSlowTheSenderAndNothingIsLost() throws Exception {
        for (int i = 0; i < 16; i++) {
            offer("N-" + i, i);
        }
        drain(Duration.ofSeconds(20));
        double normal = perSecond(sfcc.receivedOn("POST", BATCH));

        sfcc.clearReceived();
        sfcc.load(85); // WARN on successful answers: slow down before any limit
        for (int i = 0; i < 12; i++) {
            offer("W-" + i, 100 + i);
        }
        drain(Duration.ofSeconds(30));
        double warn = perSecond(sfcc.receivedOn("POST", BATCH));

        sfcc.clearReceived();
        sfcc.load(95); // THROTTLE: every third request shed with 503
        for (int i = 0; i < 9; i++) {
            offer("T-" + i, 200 + i);
        }
        drain(Duration.ofSeconds(60));
        double throttle = perSecond(sfcc.receivedOn("POST", BATCH));

        assertThat(warn).as("requests per second at WARN vs normal " + normal).isLessThan(normal * 0.7);
        assertThat(throttle).as("requests per second at THROTTLE vs WARN " + warn).isLessThan(warn);
        assertThat(sfcc.shed()).as("some requests were shed").isPositive();
        for (int i = 0; i < 16; i++) {
            assertThat(sfcc.onHand("WH-EAST", "N-" + i)).isEqualTo(i);
        }
        for (int i = 0; i < 12; i++) {
            assertThat(sfcc.onHand("WH-EAST", "W-" + i)).isEqualTo(100 + i);
        }
        for (int i = 0; i < 9; i++) {
            assertThat(sfcc.onHand("WH-EAST", "T-" + i)).as("nothing lost under THROTTLE").isEqualTo(200 + i);
        }
        assertThat(ctx.deadLetters).isEmpty();
    }

    @Test
    void aBatchOciRefusesIsDeadLetteredWithTheReason() throws Exception {
        sfcc.inject(dev.unison.connectors.kit.simulator.Fault.delay(Duration.ZERO), // the token
                dev.unison.connectors.kit.simulator.Fault.status(422, null));
        offer("SKU-X", 3);

        drain(Duration.ofSeconds(5));

        assertThat(ctx.deadLetters).singleElement().satisfies(d -> {
            assertThat(d.consumer()).isEqualTo("sfcc:" + SfccTesting.CONNECTION + ":inventory");
            assertThat(d.reason()).contains("422");
            assertThat(d.payload()).contains("\"quantity\":3");
        });
        assertThat(sfcc.onHand("WH-EAST", "SKU-X")).isNull();
    }
}
