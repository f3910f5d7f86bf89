package dev.unison.connectors.sfcc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.CustomerAccount;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.OrderStatus;
import dev.unison.connectors.kit.pull.Poller;
import dev.unison.connectors.kit.simulator.Fault;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.sfcc.simulator.SfccSimulator;
import dev.unison.platform.testkit.FreePort;
import dev.unison.platform.testkit.MemoryConnectorContext;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pull side against the simulator, with the hub's side in memory. */
class SfccOrdersIT {

    private SfccSimulator sfcc;

    @BeforeEach
    void start() {
        sfcc = new SfccSimulator(FreePort.any(), Clock.systemUTC());
        sfcc.start();
    }

    @AfterEach
    void stop() {
        sfcc.close();
    }

    private MemoryConnectorContext context(String... extra) {
        String[] all = new String[extra.length + 3];
        all[0] = "pageSize: 100";
        all[1] = "pollInterval: PT1S";
        all[2] = "requestsPerSecond: 60";
        System.arraycopy(extra, 0, all, 3, extra.length);
        return SfccTesting.context(sfcc.baseUrl(), all);
    }

    /** One stream of a freshly started connector (a new process: new tokens, new pollers), by name. */
    private static Poller stream(MemoryConnectorContext ctx, String name) {
        SfccConnector connector = new SfccConnector();
        List<Poller> pollers = connector.pollers(SfccTesting.connection(ctx), ctx);
        return switch (name) {
            case ReadyOrders.STREAM -> pollers.get(0);
            case ChangedRecords.ORDER_UPDATES -> pollers.get(1);
            default -> pollers.get(2);
        };
    }

    /** A freshly started connector's ready orders: the stream storing ahead and the confirmations behind it. */
    private record ReadyStream(Poller stream, ExportConfirmations confirmations) {
        static ReadyStream of(MemoryConnectorContext ctx) {
            SfccConnector connector = new SfccConnector();
            Poller stream = connector.pollers(SfccTesting.connection(ctx), ctx).get(0);
            return new ReadyStream(stream, connector.confirmations(SfccTesting.CONNECTION));
        }

        /** Stores and confirms until neither finds anything to do, as the two timers of a running hub would. */
        void drain() {
            try {
                int confirmed;
                do {
                    SfccConnector.drain(stream);
                    confirmed = confirmations.round();
                    SfccConnector.confirmAll(confirmations);
                } while (confirmed > 0);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        int confirmRound() {
            try {
                return confirmations.round();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    private static List<CanonicalEvent> map(MemoryConnectorContext ctx, InboundDelivery delivery) {
        return new SfccConnector().mapInbound(delivery, SfccTesting.connection(ctx), ctx);
    }

    private static List<InboundDelivery> stored(MemoryConnectorContext ctx, String messageType) {
        synchronized (ctx.stored) {
            return ctx.stored.stream().filter(d -> d.messageType().equals(messageType)).toList();
        }
    }

    private Set<String> storedOrderNos(MemoryConnectorContext ctx) {
        return stored(ctx, ReadyOrders.MESSAGE).stream().map(d -> d.dedupeKey().split(":")[1]).collect(Collectors.toSet());
    }

    @Test
    void aCrashBetweenStoringOrdersAndSettingTheirExportStatusLosesNothingAndRepeatsNothing() {
        List<String> orders = sfcc.addOrders(250);
        MemoryConnectorContext ctx = context();

        // storing runs ahead: every page committed; then, while confirming, SFCC answers a 503 asking for
        // 30 s after 40 export statuses were set (a hub dying there leaves the same state)
        ReadyStream first = ReadyStream.of(ctx);
        SfccConnector.drain(first.stream());
        assertThat(stored(ctx, ReadyOrders.MESSAGE)).hasSize(250);
        assertThat(orders).allSatisfy(no -> assertThat(sfcc.exportStatusOf(no)).as(no).isEqualTo("ready"));
        Fault[] faults = new Fault[42];
        java.util.Arrays.fill(faults, Fault.delay(Duration.ZERO));
        faults[41] = Fault.status(503, "30");
        sfcc.inject(faults); // the front-of-list search, 40 export statuses, then the 503
        assertThat(first.confirmRound()).isEqualTo(40);
        assertThat(orders.stream().filter(no -> sfcc.exportStatusOf(no).equals("exported"))).hasSize(40);

        // a restart: the stored orders still ready are found stored and confirmed; none is stored again
        ReadyStream.of(ctx).drain();

        assertThat(stored(ctx, ReadyOrders.MESSAGE)).as("no duplicate").hasSize(250);
        assertThat(storedOrderNos(ctx)).as("no gap").containsExactlyInAnyOrderElementsOf(orders);
        assertThat(orders).allSatisfy(no -> assertThat(sfcc.exportStatusOf(no)).as(no).isEqualTo("exported"));
    }

    @Test
    void aCrashBeforeAPageIsCommittedFetchesItAgainNeitherSkippedNorRepeatedAndOnlyCommittedOrdersAreConfirmed() throws Exception {
        List<String> orders = sfcc.addOrders(250);
        MemoryConnectorContext ctx = context();
        ctx.failOnPage = 2; // page two was fetched but the hub died before committing it

        ReadyStream crashed = ReadyStream.of(ctx);
        Poller.Round round = crashed.stream().round();
        assertThat(round.outcome()).isEqualTo(Poller.Outcome.FAILED);
        assertThat(stored(ctx, ReadyOrders.MESSAGE)).hasSize(100);
        SfccConnector.confirmAll(crashed.confirmations());
        long exported = orders.stream().filter(no -> sfcc.exportStatusOf(no).equals("exported")).count();
        assertThat(exported).as("only the committed page is exported").isEqualTo(100);

        ReadyStream.of(ctx).drain();

        assertThat(stored(ctx, ReadyOrders.MESSAGE)).hasSize(250);
        assertThat(storedOrderNos(ctx)).containsExactlyInAnyOrderElementsOf(orders);
        assertThat(orders).allSatisfy(no -> assertThat(sfcc.exportStatusOf(no)).isEqualTo("exported"));
    }

    @Test
    void storingRunsAheadOfConfirmingPastTheStoredOrdersTheReadyListStillHolds() throws Exception {
        List<String> orders = sfcc.addOrders(450);
        MemoryConnectorContext ctx = context();
        ReadyStream ready = ReadyStream.of(ctx);

        SfccConnector.drain(ready.stream());
        assertThat(stored(ctx, ReadyOrders.MESSAGE)).as("every order stored before any is confirmed").hasSize(450);
        long searches = sfcc.receivedOn("GET", ".*/orders").size();
        assertThat(searches).as("one search a page, and one finding the end").isLessThanOrEqualTo(6);

        // some confirmed, then more orders come: storing pages on from where it was, minus the confirmed ones
        assertThat(ready.confirmRound()).isEqualTo(100);
        List<String> later = sfcc.addOrders(150);
        sfcc.clearReceived();
        SfccConnector.drain(ready.stream());
        assertThat(stored(ctx, ReadyOrders.MESSAGE)).hasSize(600);
        assertThat(sfcc.receivedOn("GET", ".*/orders")).as("not from the front again").hasSizeLessThanOrEqualTo(3);

        ready.drain();
        assertThat(storedOrderNos(ctx)).hasSize(600).containsAll(orders).containsAll(later);
        assertThat(stored(ctx, ReadyOrders.MESSAGE)).as("no duplicate").hasSize(600);
        assertThat(orders).allSatisfy(no -> assertThat(sfcc.exportStatusOf(no)).isEqualTo("exported"));
        assertThat(later).allSatisfy(no -> assertThat(sfcc.exportStatusOf(no)).isEqualTo("exported"));
    }

    @Test
    void storingWhileConfirmingConcurrentlyPassesNoOrderBy() throws Exception {
        List<String> orders = sfcc.addOrders(4000);
        // each page commit takes 300 ms, so that some 400 orders are confirmed while storing runs
        MemoryConnectorContext ctx = context("pageSize: 200");
        ctx.pageCommitTakes = Duration.ofMillis(300);
        ReadyStream ready = ReadyStream.of(ctx);
        java.util.concurrent.atomic.AtomicBoolean storing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread confirming = new Thread(() -> {
            while (storing.get()) {
                ready.confirmRound();
            }
        });
        // storing starts a page ahead, as in a hub where the confirmations' timer finds the first page stored
        ready.stream().round();
        confirming.start();
        Poller.Round round;
        do {
            round = ready.stream().round();
        } while (round.outcome() == Poller.Outcome.MORE_WAITING || round.stored() > 0);
        storing.set(false);
        confirming.join();

        assertThat(ctx.counters.getOrDefault("poll.orders/searched_again_from_behind", 0L)).as("storing passed no order by").isZero();
        assertThat(storedOrderNos(ctx)).hasSize(orders.size()).containsAll(orders);
    }

    @Test
    void anOrderThatBecomesReadyBehindStoredOnesIsFoundByTheConfirmationsAndStored() {
        List<String> orders = sfcc.addOrders(150);
        MemoryConnectorContext ctx = context();
        ReadyStream ready = ReadyStream.of(ctx);
        SfccConnector.drain(ready.stream());
        // an order placed earlier, ready only now (payment authorised late): in front of stored ones in the list
        String late = orders.get(0);
        ObjectNode early = sfcc.order(late).deepCopy();
        early.put("orderNo", "00000001").put("creationDate", "2020-01-01T00:00:00Z");
        sfcc.putOrder(early);

        ready.drain();

        assertThat(storedOrderNos(ctx)).contains("00000001").hasSize(151);
        assertThat(sfcc.exportStatusOf("00000001")).isEqualTo("exported");
        assertThat(orders).allSatisfy(no -> assertThat(sfcc.exportStatusOf(no)).isEqualTo("exported"));
    }

    @Test
    void anOrderSfccRefusesToMarkIsPassedOverDeadLetteredWithItsReasonAndNewOrdersStillArrive() {
        String stuck = sfcc.addOrders(1).get(0);
        MemoryConnectorContext ctx = context();
        ReadyStream ready = ReadyStream.of(ctx);
        SfccConnector.drain(ready.stream());
        // the front-of-list search goes through; the export-status call for the order is refused for good
        sfcc.inject(Fault.delay(Duration.ZERO), Fault.status(409, null));
        assertThat(ready.confirmRound()).isZero();
        ready.drain();

        assertThat(sfcc.exportStatusOf(stuck)).isEqualTo("ready");
        assertThat(ctx.deadLetters).singleElement().satisfies(d -> {
            assertThat(d.key()).isEqualTo(stuck);
            assertThat(d.reason()).contains("409").contains("passed over");
        });

        List<String> later = sfcc.addOrders(3);
        ready.drain();
        assertThat(storedOrderNos(ctx)).containsExactlyInAnyOrder(stuck, later.get(0), later.get(1), later.get(2));
        assertThat(stored(ctx, ReadyOrders.MESSAGE)).as("the stuck order stored once").hasSize(4);
        assertThat(later).allSatisfy(no -> assertThat(sfcc.exportStatusOf(no)).isEqualTo("exported"));
        assertThat(sfcc.receivedOn("PUT", ".*/orders/" + stuck + "/export-status")).as("not asked again and again").hasSize(1);
    }

    @Test
    void aTokenExpiringMidPollIsRenewedOnce() {
        List<String> orders = sfcc.addOrders(250);
        MemoryConnectorContext ctx = context();
        ReadyStream ready = ReadyStream.of(ctx);
        sfcc.expireTokensAfter(3); // three searches, then the token lapses

        ready.drain();

        assertThat(stored(ctx, ReadyOrders.MESSAGE)).hasSize(250);
        assertThat(orders).allSatisfy(no -> assertThat(sfcc.exportStatusOf(no)).isEqualTo("exported"));
        assertThat(sfcc.tokensIssued()).as("the first token and one renewal").isEqualTo(2);
        assertThat(sfcc.receivedOn("POST", SfccSimulator.TOKEN_PATH)).hasSize(2);
        assertThat(ctx.statuses).as("nothing paused").isEmpty();
    }

    @Test
    void refusedCredentialsPauseTheStreamWithTheReasonAndNothingIsConfirmed() {
        sfcc.addOrders(3);
        sfcc.refuseCredentials(true);
        MemoryConnectorContext ctx = context();

        Poller.Round round = stream(ctx, ReadyOrders.STREAM).round();

        assertThat(round.outcome()).isEqualTo(Poller.Outcome.PAUSED);
        assertThat(ctx.statuses.get(SfccTesting.CONNECTION).ok()).isFalse();
        assertThat(ctx.statuses.get(SfccTesting.CONNECTION).detail()).contains("paused").contains("invalid_client");
        assertThat(ctx.stored).isEmpty();
    }

    @Test
    void aStorePickupOrderNamesItsStoreAsTheHubLocationItIsFulfilledFrom() {
        String pickup = sfcc.addOrder("pickup@example.com", "00077", "store7", new SfccSimulator.Line("SKU-1", 2, "24.50"));
        String shipped = sfcc.addOrder("ship@example.com", null, null, new SfccSimulator.Line("SKU-2", 1, "9.99"));
        MemoryConnectorContext ctx = context("storeLocations: {store7: STORE-7}");

        ReadyStream.of(ctx).drain();

        List<Order> orders = stored(ctx, ReadyOrders.MESSAGE).stream()
                .map(d -> map(ctx, d).get(0).dataAs(Order.class)).toList();
        Order atStore = orders.stream().filter(o -> o.externalId().equals(pickup)).findFirst().orElseThrow();
        assertThat(atStore.fulfilledFromLocation()).isEqualTo("STORE-7");
        assertThat(atStore.placedAtLocation()).as("placed online, fulfilled from the store").isNull();
        assertThat(atStore.total().amount()).isEqualByComparingTo("49.00");
        assertThat(atStore.identifiers()).anySatisfy(i -> assertThat(i.type()).isEqualTo(IdentifierType.CHANNEL_CUSTOMER_ID));
        assertThat(orders.stream().filter(o -> o.externalId().equals(shipped)).findFirst().orElseThrow().fulfilledFromLocation())
                .isNull();
    }

    @Test
    void anOrderThatCannotBeMappedIsStoredSetToFailedAndDeadLetteredByTheHub() {
        String good = sfcc.addOrders(1).get(0);
        ObjectNode broken = sfcc.order(good).deepCopy();
        broken.put("orderNo", "99999999");
        broken.putArray("productItems");
        sfcc.putOrder(broken);
        MemoryConnectorContext ctx = context();

        ReadyStream.of(ctx).drain();

        assertThat(sfcc.exportStatusOf(good)).isEqualTo("exported");
        assertThat(sfcc.exportStatusOf("99999999")).isEqualTo("failed");
        InboundDelivery kept = stored(ctx, ReadyOrders.MESSAGE).stream().filter(d -> d.dedupeKey().contains("99999999"))
                .findFirst().orElseThrow();
        assertThatThrownBy(() -> map(ctx, kept)).hasMessageContaining("no product items");
    }

    @Test
    void orderChangesAfterTheExportAreUpdatesAndTheExportItselfIsNot() {
        String orderNo = sfcc.addOrders(1).get(0);
        MemoryConnectorContext ctx = context();
        ReadyStream orders = ReadyStream.of(ctx);
        Poller updates = stream(ctx, ChangedRecords.ORDER_UPDATES);
        SfccConnector.drain(updates); // the updates stream starts now
        orders.drain();

        SfccConnector.drain(updates);
        assertThat(stored(ctx, ChangedRecords.ORDER_UPDATE)).as("setting the export status is no change of the order").isEmpty();

        sfcc.changeOrder(orderNo, "cancelled", "not_paid", "not_shipped");
        SfccConnector.drain(updates);
        SfccConnector.drain(updates);

        List<InboundDelivery> changed = stored(ctx, ChangedRecords.ORDER_UPDATE);
        assertThat(changed).hasSize(1);
        CanonicalEvent event = map(ctx, changed.get(0)).get(0);
        assertThat(event.type()).isEqualTo(EventType.ORDER_UPDATED);
        assertThat(event.dataAs(Order.class).status()).isEqualTo(OrderStatus.CANCELLED);
        assertThat(event.dataAs(Order.class).id()).isEqualTo(SfccTesting.CONNECTION + ":" + orderNo);
    }

    @Test
    void customersArePulledByLastModificationAcrossPagesOnce() {
        for (int i = 0; i < 7; i++) {
            sfcc.putCustomer("C" + i, "Customer" + i + "@Example.com", i % 2 == 0 ? "+1 617 555 01" + (10 + i) : null);
        }
        MemoryConnectorContext ctx = SfccTesting.context(sfcc.baseUrl(), "pageSize: 3", "customerListId: RefArch");
        Poller customers = stream(ctx, ChangedRecords.CUSTOMERS);

        SfccConnector.drain(customers);
        SfccConnector.drain(customers);
        assertThat(stored(ctx, ChangedRecords.CUSTOMER)).hasSize(7);

        sfcc.putCustomer("C3", "new.address@example.com", null);
        SfccConnector.drain(customers);

        List<InboundDelivery> all = stored(ctx, ChangedRecords.CUSTOMER);
        assertThat(all).hasSize(8);
        CustomerAccount changed = map(ctx, all.get(7)).get(0).dataAs(CustomerAccount.class);
        assertThat(changed.id()).isEqualTo("sfcc:refarch:C3");
        assertThat(changed.identifiers()).anySatisfy(i -> assertThat(i.value()).isEqualTo("new.address@example.com"));
        CustomerAccount first = map(ctx, all.get(0)).get(0).dataAs(CustomerAccount.class);
        assertThat(first.identifiers()).extracting(i -> i.type()).containsExactly(IdentifierType.EMAIL, IdentifierType.PHONE);
    }
}
