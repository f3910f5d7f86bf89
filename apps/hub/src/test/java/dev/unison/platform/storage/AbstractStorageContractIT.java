package dev.unison.platform.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.ChannelAvailability;
import dev.unison.platform.bus.BusException;
import dev.unison.platform.outbox.Outbox;
import dev.unison.platform.outbox.OutboxRecord;
import dev.unison.platform.outbox.OutboxRelay;
import dev.unison.hub.support.RecordingTransport;
import dev.unison.connectors.kit.simulator.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The storage contract every supported database must meet, run on H2 and on PostgreSQL:
 * the migrations apply, the outbox is transactional, the relay publishes in order exactly once
 * (also with two relays racing) and keeps events when the broker fails, and the JDBC idempotent
 * repository admits an id once — even to concurrent racers — and joins the caller's transaction.
 */
abstract class AbstractStorageContractIT {

    private static final URI SOURCE = URI.create("/test");

    private HikariDataSource dataSource;
    private MigrateResult migration;
    private JdbcTemplate jdbc;
    private TransactionTemplate tx;
    private RecordingTransport broker;
    private Outbox outbox;

    protected abstract HikariDataSource newDatabase() throws Exception;

    /** A second, empty database beside the test's own. */
    protected abstract HikariDataSource anotherDatabase() throws Exception;

    @BeforeEach
    void migrate() throws Exception {
        dataSource = newDatabase();
        migration = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = new JdbcTemplate(dataSource);
        tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        broker = new RecordingTransport();
        outbox = new Outbox(jdbc, Clock.systemUTC(), () -> { });
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    private OutboxRelay relay(int batchSize) {
        return relay(batchSize, "instance-a", Clock.systemUTC());
    }

    private OutboxRelay relay(int batchSize, String instance, Clock clock) {
        return relay(batchSize, instance, clock, new SimpleMeterRegistry());
    }

    private OutboxRelay relay(int batchSize, String instance, Clock clock, io.micrometer.core.instrument.MeterRegistry meters) {
        return new OutboxRelay(jdbc, tx, broker, new OutboxRelay.Settings(batchSize, Duration.ofMillis(50),
                Duration.ofSeconds(1), LEASE), instance, clock, meters);
    }

    private static final Duration LEASE = Duration.ofSeconds(15);

    /** Per partition key, the ids in the order the broker received them. */
    private static java.util.Map<String, List<String>> idsByKey(List<OutboxRecord> records) {
        java.util.Map<String, List<String>> byKey = new java.util.LinkedHashMap<>();
        records.forEach(r -> byKey.computeIfAbsent(r.partitionKey(), k -> new ArrayList<>()).add(r.eventId()));
        return byKey;
    }

    private static java.util.Map<String, List<String>> idsByKeyOf(List<CanonicalEvent> events) {
        java.util.Map<String, List<String>> byKey = new java.util.LinkedHashMap<>();
        events.forEach(e -> byKey.computeIfAbsent(e.partitionKey(), k -> new ArrayList<>()).add(e.id()));
        return byKey;
    }

    private static CanonicalEvent availability(String sku, long ats) {
        return CanonicalEvent.of(EventType.AVAILABILITY_CHANGED, SOURCE,
                new ChannelAvailability(sku, "shopify", ats, Instant.now()));
    }

    @Test
    void migrationsApplyAndCreateEveryTable() {
        assertThat(migration.success).isTrue();
        for (String table : List.of("outbox_event", "job_lock", "camel_messageprocessed", "dead_letter", "partner",
                "api_key")) {
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM " + table, Long.class)).as(table).isNotNull();
        }
        // a second run finds nothing to do
        assertThat(Flyway.configure().dataSource(dataSource).load().migrate().migrationsExecuted).isZero();
    }

    @Test
    void anOutboxWriteInARolledBackTransactionLeavesNothing() {
        tx.executeWithoutResult(status -> {
            outbox.append("events", availability("SKU-1", 3));
            status.setRollbackOnly();
        });

        assertThat(outbox.pendingCount()).isZero();
        assertThat(relay(100).drain()).isZero();
        assertThat(broker.published).isEmpty();
    }

    /**
     * Every append queues its events for the relay under their own sequence numbers and shards:
     * a batch of the hub's own events, a partner's batch with a duplicate, and a single event
     * appended outside any transaction (its two rows are written atomically all the same).
     */
    @Test
    void everyAppendedEventIsQueuedUnderItsOwnSeqAndShard() {
        List<CanonicalEvent> own = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            own.add(availability("SKU-" + i, i));
        }
        tx.executeWithoutResult(status -> outbox.append("events", own));
        CanonicalEvent submitted = availability("SKU-PARTNER", 1);
        List<Boolean> accepted = tx.execute(status -> outbox.appendSubmitted("events", List.of(
                new dev.unison.platform.outbox.Outbox.Submitted("ptn_a", "e-1", submitted),
                new dev.unison.platform.outbox.Outbox.Submitted("ptn_a", "e-1", submitted))));
        CanonicalEvent alone = availability("SKU-ALONE", 1);
        assertThat(outbox.appendIfAbsent("events", alone)).isTrue();
        assertThat(outbox.appendIfAbsent("events", alone)).as("a duplicate").isFalse();

        assertThat(accepted).containsExactly(true, false);
        List<String> queued = jdbc.query("SELECT e.event_id, e.shard, p.shard FROM outbox_pending p "
                + "JOIN outbox_event e ON e.seq = p.seq ORDER BY p.seq", (rs, i) -> rs.getString(1) + " "
                + (rs.getInt(2) == rs.getInt(3) ? "in its shard" : "in shard " + rs.getInt(3) + " instead of " + rs.getInt(2)));
        List<String> expected = new ArrayList<>();
        own.forEach(e -> expected.add(e.id() + " in its shard"));
        expected.add(submitted.id() + " in its shard");
        expected.add(alone.id() + " in its shard");
        assertThat(queued).containsExactlyElementsOf(expected);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM outbox_pending", Long.class))
                .isEqualTo(jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event", Long.class));
        assertThat(jdbc.queryForObject("SELECT COUNT(DISTINCT shard) FROM outbox_pending", Long.class))
                .as("40 keys spread over the shards").isGreaterThan(8);
    }

    @Test
    void theRelayPublishesEveryCommittedEventOnceInOrderAndForgetsItsPendingRow() {
        List<CanonicalEvent> appended = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            appended.add(availability("SKU-" + (i % 7), i));
        }
        tx.executeWithoutResult(status -> outbox.append("events", appended));

        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        OutboxRelay relay = relay(500, "instance-a", Clock.systemUTC(), meters);
        int published = relay.drain();
        relay.relayOnce();

        assertThat(published).isEqualTo(1_200);
        assertThat(meters.counter("unison.outbox.published").count()).isEqualTo(1_200);
        assertThat(meters.counter("unison.outbox.relay.batches").count())
                .as("500 + 500 + 200; a round that finds nothing is no batch").isEqualTo(3);
        assertThat(broker.published).extracting(OutboxRecord::eventId)
                .containsExactlyElementsOf(appended.stream().map(CanonicalEvent::id).toList());
        assertThat(outbox.pendingCount()).isZero();
        OutboxRecord stored = outbox.find(appended.get(0).id()).orElseThrow();
        assertThat(outbox.isPending(stored.seq())).isFalse();
        assertThat(CanonicalEvent.fromStructuredJson(stored.payload())).isEqualTo(appended.get(0));
        assertThat(relay(500).drain()).as("nothing is published twice").isZero();
    }

    @Test
    void aBrokerFailureKeepsTheEventsForTheNextAttempt() {
        CanonicalEvent event = availability("SKU-9", 1);
        outbox.append("events", event);
        broker.failNext.set(1);
        OutboxRelay relay = relay(100);

        assertThatThrownBy(relay::relayOnce).isInstanceOf(BusException.class);
        assertThat(outbox.pendingCount()).isEqualTo(1);

        assertThat(relay.relayOnce()).isEqualTo(1);
        assertThat(broker.published).extracting(OutboxRecord::eventId).containsExactly(event.id());
    }

    @Test
    void twoRelaysOfOneInstanceRacingPublishEachEventExactlyOnceInOrder() throws Exception {
        List<CanonicalEvent> appended = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            appended.add(availability("SKU-" + (i % 11), i));
        }
        outbox.append("events", appended);
        OutboxRelay a = relay(50);
        OutboxRelay b = relay(50);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> fa = pool.submit(a::drain);
            Future<Integer> fb = pool.submit(b::drain);
            assertThat(fa.get() + fb.get()).isEqualTo(2_000);
        } finally {
            pool.shutdownNow();
        }
        // one instance holds every shard: its batches lock the same shard rows and take turns
        assertThat(broker.published).extracting(OutboxRecord::eventId)
                .containsExactlyElementsOf(appended.stream().map(CanonicalEvent::id).toList());
    }

    @Test
    void everyEventOfAKeyIsInTheShardOfItsKey() {
        List<CanonicalEvent> appended = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            appended.add(availability("SKU-" + (i % 40), i));
        }
        outbox.append("events", appended);

        jdbc.query("SELECT partition_key, shard FROM outbox_event", rs -> {
            assertThat(rs.getInt("shard")).isEqualTo(dev.unison.platform.outbox.RelayShards.of(rs.getString("partition_key")));
        });
        assertThat(jdbc.queryForObject("SELECT COUNT(DISTINCT shard) FROM outbox_event", Integer.class))
                .as("40 keys spread over the shards").isGreaterThan(8);
    }

    @Test
    void threeInstancesShareTheShardsAndEachKeyKeepsItsOrder() throws Exception {
        ManualClock clock = ManualClock.startingNow();
        List<OutboxRelay> relays = List.of(relay(40, "instance-a", clock), relay(40, "instance-b", clock),
                relay(40, "instance-c", clock));
        // a takes everything while alone; b and c announce themselves; a gives back above its share
        // (16 / 3 rounded up = 6) and b and c take theirs
        relays.get(0).rebalance();
        assertThat(relays.get(0).heldShards()).hasSize(dev.unison.platform.outbox.RelayShards.COUNT);
        relays.get(1).rebalance();
        relays.get(2).rebalance();
        relays.get(0).rebalance();
        relays.get(1).rebalance();
        relays.get(2).rebalance();
        List<Integer> all = new ArrayList<>();
        relays.forEach(r -> all.addAll(r.heldShards()));
        assertThat(all).as("every shard held by exactly one instance")
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 16).boxed().toList());
        assertThat(relays).allSatisfy(r -> assertThat(r.heldShards()).hasSizeBetween(4, 6));

        List<CanonicalEvent> appended = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            appended.add(availability("SKU-" + (i % 37), i));
        }
        outbox.append("events", appended);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Integer> counts = new ArrayList<>();
        try {
            List<Future<Integer>> drained = new ArrayList<>();
            relays.forEach(r -> drained.add(pool.submit(r::drain)));
            for (Future<Integer> f : drained) {
                counts.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(counts.stream().mapToInt(Integer::intValue).sum()).isEqualTo(3_000);
        assertThat(counts).as("every instance published its share").allSatisfy(n -> assertThat(n).isPositive());
        assertThat(broker.published).hasSize(3_000);
        assertThat(idsByKey(broker.published)).as("per key, the order of appending")
                .isEqualTo(idsByKeyOf(appended));
        assertThat(outbox.pendingCount()).isZero();
    }

    @Test
    void aDeadInstancesShardsAreTakenOverOnceItsLeasesExpireAndItCanNoLongerPublishThem() {
        ManualClock clock = ManualClock.startingNow();
        OutboxRelay a = relay(100, "instance-a", clock);
        OutboxRelay b = relay(100, "instance-b", clock);
        a.rebalance();
        b.rebalance();
        a.rebalance();
        b.rebalance();
        assertThat(a.heldShards()).hasSize(8);
        assertThat(b.heldShards()).hasSize(8);

        // a stops renewing (killed, or paused); b keeps renewing and, once a's leases expired, takes all
        clock.advance(LEASE.dividedBy(2));
        b.rebalance();
        clock.advance(LEASE.dividedBy(2).plusSeconds(1));
        b.rebalance();
        assertThat(b.heldShards()).hasSize(16);

        List<CanonicalEvent> appended = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            appended.add(availability("SKU-" + (i % 23), i));
        }
        outbox.append("events", appended);
        // a wakes up still believing it holds 8 shards: the lock of its batch finds none of them its own
        assertThat(a.relayOnce()).isZero();
        assertThat(b.drain()).isEqualTo(300);
        assertThat(idsByKey(broker.published)).isEqualTo(idsByKeyOf(appended));
    }

    /**
     * Rows as a hub before V13 wrote them (no shard, published ones marked in {@code published_at}):
     * V14 gives the pending ones the shard of their key, V18 queues exactly those for the relay.
     */
    @Test
    void theUpgradeQueuesEveryPendingRowInTheShardOfItsKeyAndLeavesPublishedOnes() throws Exception {
        try (HikariDataSource older = anotherDatabase()) {
            Flyway.configure().dataSource(older).locations("classpath:db/migration").target("12").load().migrate();
            JdbcTemplate olderJdbc = new JdbcTemplate(older);
            olderJdbc.update("INSERT INTO outbox_event (event_id, topic, event_type, partition_key, payload, created_at, published_at) "
                    + "VALUES ('p1', 'events', 't', 'SKU-A', '{}', CURRENT_TIMESTAMP, NULL), "
                    + "('p2', 'events', 't', 'SKU-B', '{}', CURRENT_TIMESTAMP, NULL), "
                    + "('done', 'events', 't', 'SKU-B', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");

            MigrateResult upgrade = Flyway.configure().dataSource(older).locations("classpath:db/migration").load().migrate();

            assertThat(upgrade.migrations).extracting(m -> m.version).contains("13", "14", "18");
            assertThat(olderJdbc.query("SELECT e.event_id, p.shard FROM outbox_pending p JOIN outbox_event e ON e.seq = p.seq "
                    + "ORDER BY p.seq", (rs, i) -> rs.getString(1) + " in shard " + rs.getInt(2))).containsExactly(
                            "p1 in shard " + dev.unison.platform.outbox.RelayShards.of("SKU-A"),
                            "p2 in shard " + dev.unison.platform.outbox.RelayShards.of("SKU-B"));
            assertThat(olderJdbc.queryForObject("SELECT shard FROM outbox_event WHERE event_id = 'p2'", Integer.class))
                    .isEqualTo(dev.unison.platform.outbox.RelayShards.of("SKU-B"));
            assertThat(olderJdbc.queryForObject("SELECT shard FROM outbox_event WHERE event_id = 'done'", Integer.class)).isZero();
        }
    }

    @Test
    void aStoppingInstanceGivesItsShardsBackAtOnce() {
        ManualClock clock = ManualClock.startingNow();
        OutboxRelay a = relay(100, "instance-a", clock);
        a.rebalance();
        a.start();
        a.stop();

        assertThat(a.shards().leases()).allSatisfy(lease -> assertThat(lease.owner()).isNull());
        assertThat(a.shards().members()).isEmpty();
        OutboxRelay b = relay(100, "instance-b", clock);
        assertThat(b.rebalance()).as("no lease to wait for").hasSize(16);
    }

    private dev.unison.platform.inbox.JdbcInbox inbox() {
        return new dev.unison.platform.inbox.JdbcInbox(jdbc, tx, Clock.systemUTC(), () -> { }, java.time.Duration.ZERO,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    @Test
    void webhookDeliveriesSentAtOnceShareCommitsAndEachIsStoredOnce() throws Exception {
        // 8 senders deliver the same 40 deliveries at once (a shop retrying): the group commit stores each once,
        // and exactly one copy of each is answered "accepted", also when copies meet in one group or race
        try (dev.unison.platform.inbox.JdbcInbox inbox = inbox()) {
            java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(8);
            List<java.util.concurrent.Future<dev.unison.connectors.kit.spi.Inbox.Result>> results = new java.util.ArrayList<>();
            for (int copy = 0; copy < 8; copy++) {
                for (int i = 0; i < 40; i++) {
                    String key = "event:group-" + i;
                    results.add(senders.submit(() -> inbox.accept(new dev.unison.connectors.kit.spi.InboundDelivery("shop-group",
                            "shopify", "orders/create", key, java.util.Map.of(), "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            Instant.now()))));
                }
            }
            long accepted = 0;
            for (var result : results) {
                accepted += result.get(30, java.util.concurrent.TimeUnit.SECONDS) == dev.unison.connectors.kit.spi.Inbox.Result.ACCEPTED
                        ? 1 : 0;
            }
            senders.shutdown();
            assertThat(accepted).isEqualTo(40);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM inbox WHERE connection_id = 'shop-group'", Long.class))
                    .isEqualTo(40);
        }
    }

    @Test
    void aPulledPageAndItsCursorAreStoredTogetherAndTheCursorNeverMovesBack() {
        dev.unison.platform.inbox.JdbcInbox inbox = inbox();
        java.util.function.Function<String, dev.unison.connectors.kit.spi.InboundDelivery> order = key ->
                new dev.unison.connectors.kit.spi.InboundDelivery("sfcc-main", "sfcc", "order", key, java.util.Map.of(),
                        ("{\"id\":\"" + key + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8), Instant.now());
        assertThat(inbox.cursor("sfcc-main", "orders")).isEmpty();

        assertThat(inbox.acceptPage("sfcc-main", "orders", java.util.Optional.empty(), "c1", List.of(order.apply("o1"),
                order.apply("o2")))).contains(2);
        // a page fetched again after a crash before its commit: stored once, the cursor moves on
        assertThat(inbox.acceptPage("sfcc-main", "orders", java.util.Optional.of("c1"), "c2", List.of(order.apply("o2"),
                order.apply("o3")))).contains(1);
        // a second poller committing the page it fetched from c1: nothing of it is stored, c2 stands
        assertThat(inbox.acceptPage("sfcc-main", "orders", java.util.Optional.of("c1"), "c2-late", List.of(order.apply("o9"))))
                .isEmpty();
        assertThat(inbox.acceptPage("sfcc-main", "orders", java.util.Optional.empty(), "c0", List.of(order.apply("o8")))).isEmpty();
        // a page whose store fails leaves its cursor where it was
        assertThatThrownBy(() -> inbox.acceptPage("sfcc-main", "orders", java.util.Optional.of("c2"), "c3",
                List.of(order.apply("o4"), order.apply("x".repeat(1000))))).isInstanceOf(org.springframework.dao.DataAccessException.class);

        // a restart (a new inbox on the same database) resumes from the committed cursor
        dev.unison.platform.inbox.JdbcInbox restarted = inbox();
        assertThat(restarted.cursor("sfcc-main", "orders")).contains("c2");
        assertThat(jdbc.queryForList("SELECT dedupe_key FROM inbox WHERE connection_id = 'sfcc-main' ORDER BY dedupe_key",
                String.class)).containsExactly("o1", "o2", "o3");
        assertThat(restarted.cursor("sfcc-main", "customers")).as("streams are apart").isEmpty();
        inbox.close();
        restarted.close();
    }

    @Test
    void aSubmittedEventIdIsAcceptedOnce() {
        CanonicalEvent event = availability("SKU-2", 5);

        assertThat(outbox.appendIfAbsent("events", event)).isTrue();
        assertThat(outbox.appendIfAbsent("events", event)).isFalse();
        assertThat(outbox.pendingCount()).isEqualTo(1);
    }

    @Test
    void theIdempotentRepositoryAdmitsAnIdOncePerConsumer() {
        JdbcMessageIdRepository shopify = repository("bus:shopify-fanout");
        JdbcMessageIdRepository sfcc = repository("bus:sfcc-fanout");

        assertThat(shopify.add("evt-1")).isTrue();
        assertThat(shopify.add("evt-1")).isFalse();
        assertThat(sfcc.add("evt-1")).as("another consumer group is independent").isTrue();
        assertThat(shopify.contains("evt-1")).isTrue();
    }

    @Test
    void concurrentDuplicatesPassTheIdempotentRepositoryOnce() throws Exception {
        JdbcMessageIdRepository repository = repository("bus:race");
        int racers = 8;
        for (int round = 0; round < 20; round++) {
            String id = "evt-race-" + round;
            AtomicInteger admitted = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(racers);
            try {
                List<Callable<Void>> calls = new ArrayList<>();
                for (int i = 0; i < racers; i++) {
                    calls.add(() -> {
                        try {
                            if (repository.add(id)) {
                                admitted.incrementAndGet();
                            }
                        } catch (RuntimeException uniqueConstraintViolation) {
                            // the loser of a race hits the primary key: it is not admitted
                        }
                        return null;
                    });
                }
                for (Future<Void> f : pool.invokeAll(calls)) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(admitted).as("round " + round).hasValue(1);
        }
    }

    @Test
    void theIdempotentMarkJoinsTheCallersTransaction() {
        JdbcMessageIdRepository repository = repository("bus:tx");

        tx.executeWithoutResult(status -> {
            assertThat(repository.add("evt-rolled-back")).isTrue();
            status.setRollbackOnly();
        });

        assertThat(repository.contains("evt-rolled-back")).as("rolled back with the work it guarded").isFalse();
        assertThat(repository.add("evt-rolled-back")).isTrue();
    }

    private JdbcMessageIdRepository repository(String processorName) {
        JdbcMessageIdRepository repository = new JdbcMessageIdRepository(dataSource, tx, processorName);
        repository.setCreateTableIfNotExists(false);
        repository.start();
        return repository;
    }

    @Test
    void theCoalescingQueueKeepsTheNewestValuePerKeyAndNeverClearsANewerOne() {
        var queue = new dev.unison.platform.connectors.JdbcCoalescingQueue(jdbc, Clock.systemUTC());
        var mapper = dev.unison.canonical.json.CanonicalJson.mapper();

        queue.offer("shop", "inventory", "SKU-1", mapper.createObjectNode().put("quantity", 5));
        queue.offer("shop", "inventory", "SKU-1", mapper.createObjectNode().put("quantity", 3));
        queue.offer("shop", "inventory", "SKU-2", mapper.createObjectNode().put("quantity", 9));
        var pending = queue.next("shop", "inventory", 10);

        assertThat(pending).hasSize(2);
        assertThat(pending.get(0).value().get("quantity").asLong()).isEqualTo(3);
        assertThat(pending.get(0).version()).isEqualTo(2);
        // a newer value arrives while the batch is in flight: completing the batch must keep it
        queue.offer("shop", "inventory", "SKU-1", mapper.createObjectNode().put("quantity", 1));
        queue.done(pending);
        assertThat(queue.next("shop", "inventory", 10)).singleElement()
                .satisfies(p -> assertThat(p.value().get("quantity").asLong()).isEqualTo(1));
    }

    /** How long the fan-out and the sender contend in {@link #theFanOutAndTheSenderOnTheSameKeysNeverDeadlockAndEndAtTheNewestValue}. */
    protected Duration contention() {
        return Duration.ofSeconds(Long.getLong("unison.it.queue-contention-seconds", 20));
    }

    /**
     * The availability fan-out group and a connection's sender work the same keys at once, as under
     * load: each fan-out batch offers newer values of random keys in random order in one transaction
     * (keys split between two consumers, as message groups split them), while the sender reads a
     * batch, "sends" it to a shop and forgets what it sent. No transaction may end in a deadlock,
     * and once the offers stop and the queue drains, the shop holds every key's newest value.
     */
    @Test
    void theFanOutAndTheSenderOnTheSameKeysNeverDeadlockAndEndAtTheNewestValue() throws Exception {
        var queue = new dev.unison.platform.connectors.JdbcCoalescingQueue(jdbc, Clock.systemUTC());
        var mapper = dev.unison.canonical.json.CanonicalJson.mapper();
        int keys = 200;
        int consumers = 2;
        java.util.concurrent.atomic.AtomicLongArray newest = new java.util.concurrent.atomic.AtomicLongArray(keys);
        java.util.Map<String, Long> shop = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicLong offered = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        long until = System.nanoTime() + contention().toNanos();
        java.util.concurrent.atomic.AtomicBoolean offering = new java.util.concurrent.atomic.AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(consumers + 1);
        List<Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < consumers; c++) {
            int consumer = c;
            workers.add(pool.submit(() -> {
                java.util.Random random = new java.util.Random(consumer);
                while (System.nanoTime() < until) {
                    List<Integer> batch = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        int k = random.nextInt(keys / consumers) * consumers + consumer;
                        batch.add(k);
                    }
                    try {
                        tx.executeWithoutResult(status -> batch.forEach(k -> {
                            long version = newest.incrementAndGet(k);
                            queue.offerIfNewer("shop", "inventory", "SKU-" + k,
                                    mapper.createObjectNode().put("quantity", version), version);
                        }));
                        offered.addAndGet(batch.size());
                    } catch (RuntimeException e) {
                        failures.add(e);
                        // a rolled-back batch is redelivered in the hub; here its versions are simply offered again
                        batch.forEach(k -> newest.incrementAndGet(k));
                    }
                }
                return null;
            }));
        }
        workers.add(pool.submit(() -> {
            while (true) {
                boolean stillOffering = offering.get();
                var pending = queue.next("shop", "inventory", 100);
                if (pending.isEmpty() && !stillOffering) {
                    return null;
                }
                pending.forEach(p -> shop.put(p.key(), p.value().get("quantity").asLong()));
                try {
                    queue.done(pending);
                    sent.addAndGet(pending.size());
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
        }));
        for (Future<?> consumer : workers.subList(0, consumers)) {
            consumer.get();
        }
        offering.set(false);
        workers.get(consumers).get();
        pool.shutdown();

        System.out.printf("queue contention (%s): %d offers, %d sent, %d lock retries of the sender, failures: %s%n",
                getClass().getSimpleName(), offered.get(), sent.get(), queue.lockRetries(), failures);
        assertThat(failures).as("transactions that ended in a deadlock or lock timeout").isEmpty();
        assertThat(queue.lockRetries()).as("deletes repeated after a lost lock race").isZero();
        assertThat(offered.get()).as("the fan-out made progress").isGreaterThan(1_000);
        for (int k = 0; k < keys; k++) {
            if (newest.get(k) > 0) {
                assertThat(shop.get("SKU-" + k)).as("SKU-" + k + " in the shop").isEqualTo(newest.get(k));
            }
        }
    }

    @Test
    void forgettingWhatWasSentAndRecordingWhatWasSetCommitTogether() {
        var queue = new dev.unison.platform.connectors.JdbcCoalescingQueue(jdbc, Clock.systemUTC());
        var refs = new dev.unison.platform.connectors.JdbcExternalRefs(jdbc, tx, Clock.systemUTC());
        var mapper = dev.unison.canonical.json.CanonicalJson.mapper();
        queue.offer("shop", "inventory", "SKU-1", mapper.createObjectNode().put("quantity", 5));
        queue.offer("shop", "inventory", "SKU-2", mapper.createObjectNode().put("quantity", 7));
        var sent = queue.next("shop", "inventory", 10);

        assertThatThrownBy(() -> queue.done(sent, () -> {
            refs.putAll("shop", "last-set", java.util.Map.of("SKU-1", "5", "SKU-2", "7"));
            throw new IllegalStateException("the recording failed");
        })).hasMessage("the recording failed");
        assertThat(queue.next("shop", "inventory", 10)).as("nothing forgotten").hasSize(2);
        assertThat(refs.getAll("shop", "last-set", List.of("SKU-1", "SKU-2"))).as("nothing recorded").isEmpty();

        queue.done(sent, () -> refs.putAll("shop", "last-set", java.util.Map.of("SKU-1", "5", "SKU-2", "7")));
        assertThat(queue.next("shop", "inventory", 10)).isEmpty();
        assertThat(refs.getAll("shop", "last-set", List.of("SKU-1", "SKU-2", "SKU-3")))
                .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("SKU-1", "5", "SKU-2", "7"));
    }

    @Test
    void manyRefsAreReadAtOnceAcrossInListChunks() {
        var refs = new dev.unison.platform.connectors.JdbcExternalRefs(jdbc, tx, Clock.systemUTC());
        java.util.Map<String, String> stored = new java.util.HashMap<>();
        for (int i = 0; i < 40; i++) {
            stored.put("SKU-" + i, "gid://shopify/InventoryItem/" + i);
        }
        refs.putAll("shop", "inventory-item", stored);
        refs.put("other-shop", "inventory-item", "SKU-1", "elsewhere");
        List<String> asked = new ArrayList<>(stored.keySet());
        asked.add("SKU-unknown");
        asked.add("SKU-1");

        assertThat(refs.getAll("shop", "inventory-item", asked)).as("every stored ref of this connection, once")
                .containsExactlyInAnyOrderEntriesOf(stored);
    }

    @Test
    void aValueNotNewerThanTheNewestOfferedIsDroppedEvenAfterItWasSent() {
        var queue = new dev.unison.platform.connectors.JdbcCoalescingQueue(jdbc, Clock.systemUTC());
        var mapper = dev.unison.canonical.json.CanonicalJson.mapper();

        assertThat(queue.offerIfNewer("shop", "inventory", "SKU-1", mapper.createObjectNode().put("quantity", 7), 2)).isTrue();
        queue.done(queue.next("shop", "inventory", 10));
        assertThat(queue.next("shop", "inventory", 10)).as("sent").isEmpty();

        // the same event again, and an older one arriving late: neither may put an old quantity back
        assertThat(queue.offerIfNewer("shop", "inventory", "SKU-1", mapper.createObjectNode().put("quantity", 7), 2)).isFalse();
        assertThat(queue.offerIfNewer("shop", "inventory", "SKU-1", mapper.createObjectNode().put("quantity", 9), 1)).isFalse();
        assertThat(queue.next("shop", "inventory", 10)).isEmpty();

        assertThat(queue.offerIfNewer("shop", "inventory", "SKU-1", mapper.createObjectNode().put("quantity", 6), 3)).isTrue();
        assertThat(queue.offerIfNewer("other-shop", "inventory", "SKU-1", mapper.createObjectNode().put("quantity", 6), 1))
                .as("per connection").isTrue();
        assertThat(queue.next("shop", "inventory", 10)).singleElement()
                .satisfies(p -> assertThat(p.value().get("quantity").asLong()).isEqualTo(6));
    }

    @Test
    void aValueThatCouldNotBeStoredDoesNotAdvanceTheWatermark() {
        var queue = new dev.unison.platform.connectors.JdbcCoalescingQueue(jdbc, Clock.systemUTC());
        var mapper = dev.unison.canonical.json.CanonicalJson.mapper();
        // pending_update.payload holds at most 65,536 characters: this offer fails after the watermark's write
        var tooLarge = mapper.createObjectNode().put("quantity", 3).put("note", "x".repeat(70_000));

        assertThatThrownBy(() -> queue.offerIfNewer("shop", "inventory", "SKU-7", tooLarge, 4))
                .isInstanceOf(org.springframework.dao.DataAccessException.class);

        assertThat(queue.offerIfNewer("shop", "inventory", "SKU-7", mapper.createObjectNode().put("quantity", 3), 4))
                .as("the same version again is still new: the failed offer left nothing behind").isTrue();
        assertThat(queue.next("shop", "inventory", 10)).singleElement()
                .satisfies(p -> assertThat(p.value().get("quantity").asLong()).isEqualTo(3));
    }

    @Test
    void anAvailabilityEventDeliveredAgainDoesNotRegressTheQueuedQuantity() {
        var queue = new dev.unison.platform.connectors.JdbcCoalescingQueue(jdbc, Clock.systemUTC());
        Instant at = Instant.parse("2026-11-26T12:00:00Z");
        CanonicalEvent v1 = CanonicalEvent.of("availability:SKU-9:shopify:1", EventType.AVAILABILITY_CHANGED, SOURCE,
                dev.unison.canonical.json.CanonicalJson.toTree(new ChannelAvailability("SKU-9", "shopify", 5, at, 1L)), at);
        CanonicalEvent v2 = CanonicalEvent.of("availability:SKU-9:shopify:2", EventType.AVAILABILITY_CHANGED, SOURCE,
                dev.unison.canonical.json.CanonicalJson.toTree(new ChannelAvailability("SKU-9", "shopify", 4, at, 2L)), at);

        assertThat(queue.offerAvailability("shop", "inventory", "shopify", v1)).isTrue();
        assertThat(queue.offerAvailability("shop", "inventory", "shopify", v2)).isTrue();
        assertThat(queue.offerAvailability("shop", "inventory", "shopify", v1)).as("redelivered").isFalse();

        assertThat(queue.next("shop", "inventory", 10)).singleElement()
                .satisfies(p -> assertThat(p.value().get("quantity").asLong()).isEqualTo(4));
    }

    @Test
    void oneInstanceAtATimeHoldsASendersLease() {
        ManualClock clock = ManualClock.startingNow();
        var queue = new dev.unison.platform.connectors.JdbcCoalescingQueue(jdbc, clock);

        assertThat(queue.tryLease("shop", "inventory", "a", Duration.ofSeconds(15))).isTrue();
        assertThat(queue.tryLease("shop", "inventory", "b", Duration.ofSeconds(15))).isFalse();
        assertThat(queue.tryLease("shop", "inventory", "a", Duration.ofSeconds(15))).as("renewal").isTrue();
        assertThat(queue.tryLease("shop", "prices", "b", Duration.ofSeconds(15))).as("another kind").isTrue();
        clock.advance(Duration.ofSeconds(16));
        assertThat(queue.tryLease("shop", "inventory", "b", Duration.ofSeconds(15))).as("after expiry").isTrue();
        assertThat(queue.tryLease("shop", "inventory", "a", Duration.ofSeconds(15))).isFalse();

        // b holds it until +31 s; asked again within half the time, nothing is written
        clock.advance(Duration.ofSeconds(5));
        assertThat(queue.tryLease("shop", "inventory", "b", Duration.ofSeconds(15))).isTrue();
        assertThat(leaseExpiry("shop", "inventory")).as("not rewritten").isEqualTo(clock.instant().plusSeconds(10));
        clock.advance(Duration.ofSeconds(5));
        assertThat(queue.tryLease("shop", "inventory", "b", Duration.ofSeconds(15))).isTrue();
        assertThat(leaseExpiry("shop", "inventory")).as("renewed past half its time").isEqualTo(clock.instant().plusSeconds(15));
        assertThat(queue.tryLease("shop", "inventory", "a", Duration.ofSeconds(15))).isFalse();
    }

    /**
     * Each instance has its own queue object on the shared table. One that found the lease held asks
     * the database again only once that lease could have expired (leases are never given back
     * early), so its senders skip their ticks without a statement; it learns a renewal when it asks.
     */
    @Test
    void anInstanceThatFoundASendersLeaseHeldAsksAgainOnlyWhenItCouldHaveExpired() {
        ManualClock clock = ManualClock.startingNow();
        var instanceA = new dev.unison.platform.connectors.JdbcCoalescingQueue(jdbc, clock);
        var instanceB = new dev.unison.platform.connectors.JdbcCoalescingQueue(jdbc, clock);
        String shop = "held-" + System.nanoTime();
        Duration ttl = Duration.ofSeconds(15);

        assertThat(instanceA.tryLease(shop, "inventory", "a", ttl)).isTrue();
        assertThat(instanceB.heldByAnother(shop, "inventory", "b")).as("before asking").isFalse();
        assertThat(instanceB.tryLease(shop, "inventory", "b", ttl)).isFalse();
        assertThat(instanceB.heldByAnother(shop, "inventory", "b")).isTrue();
        assertThat(instanceA.heldByAnother(shop, "inventory", "a")).isFalse();
        assertThat(instanceB.heldByAnother(shop, "prices", "b")).as("another kind").isFalse();

        // a renews past half its time; b, asking at the expiry it read, finds the renewal
        clock.advance(Duration.ofSeconds(8));
        assertThat(instanceA.tryLease(shop, "inventory", "a", ttl)).isTrue();
        clock.advance(Duration.ofSeconds(7));
        assertThat(instanceB.tryLease(shop, "inventory", "b", ttl)).isFalse();
        assertThat(instanceB.heldByAnother(shop, "inventory", "b")).isTrue();

        // the lease cut short in the table (by hand): b does not look before the expiry it read
        jdbc.update("UPDATE queue_lease SET expires_at = ? WHERE connection_id = ? AND kind = 'inventory'",
                java.time.OffsetDateTime.ofInstant(clock.instant().minusSeconds(1), java.time.ZoneOffset.UTC), shop);
        clock.advance(Duration.ofSeconds(7));
        assertThat(instanceB.tryLease(shop, "inventory", "b", ttl)).as("not asked again before +23 s").isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(instanceB.heldByAnother(shop, "inventory", "b")).isFalse();
        assertThat(instanceB.tryLease(shop, "inventory", "b", ttl)).as("the lease ran out: b takes it").isTrue();
        assertThat(instanceB.heldByAnother(shop, "inventory", "b")).isFalse();
        assertThat(instanceA.tryLease(shop, "inventory", "a", ttl)).isFalse();
        assertThat(instanceA.heldByAnother(shop, "inventory", "a")).isTrue();

        // a holder's expiry further off than the asker's own lease (another setting) is not trusted
        // beyond one lease from now: an expiry moved earlier is noticed within that
        assertThat(instanceA.tryLease(shop, "prices", "a", Duration.ofSeconds(60))).isTrue();
        assertThat(instanceB.tryLease(shop, "prices", "b", ttl)).isFalse();
        clock.advance(ttl);
        assertThat(instanceB.heldByAnother(shop, "prices", "b")).isFalse();
        assertThat(instanceB.tryLease(shop, "prices", "b", ttl)).isFalse();
    }

    /**
     * After an unclean stop, positions are recomputed from what they derive from: the newest applied
     * count plus the applied movements after it, and the held reservations. A position whose stored
     * numbers a crash left behind (on-hand, reserved, the count's time) is repaired and its
     * availability published again; a position that matches is left alone.
     */
    @Test
    void positionsAreRepairedFromTheirMovementsAndReservations() {
        var ledger = ledger();
        Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
        String a = "REPAIR-A-" + System.nanoTime();
        String b = "REPAIR-B-" + System.nanoTime();
        String c = "REPAIR-C-" + System.nanoTime();
        tx.executeWithoutResult(s -> ledger.apply(List.of(
                move(a + "-s0", a, "S1", dev.unison.inventory.Movement.Kind.SALE, -2, t0),            // before the count: not counted
                move(a + "-c1", a, "S1", dev.unison.inventory.Movement.Kind.COUNT, 10, t0.plusSeconds(60)),
                move(a + "-s1", a, "S1", dev.unison.inventory.Movement.Kind.SALE, -1, t0.plusSeconds(120)),
                move(a + "-c0", a, "S1", dev.unison.inventory.Movement.Kind.COUNT, 50, t0.plusSeconds(30)), // older count: superseded
                move(a + "-s2", a, "S1", dev.unison.inventory.Movement.Kind.SALE, -3, t0.plusSeconds(180)),
                move(b + "-r1", b, "W1", dev.unison.inventory.Movement.Kind.RECEIPT, 7, t0),
                move(b + "-s1", b, "W1", dev.unison.inventory.Movement.Kind.SALE, -2, t0.plusSeconds(60)),
                move(c + "-r1", c, "S1", dev.unison.inventory.Movement.Kind.RECEIPT, 4, t0))));
        tx.executeWithoutResult(s -> ledger.reserve(b + "-hold", null, b, "W1", 2, Instant.now().plusSeconds(600)));
        tx.executeWithoutResult(s -> assertThat(ledger.reconcile().positions()).as("nothing to repair yet")
                .noneMatch(r -> r.sku().startsWith("REPAIR-")));
        assertThat(onHand(a, "S1")).isEqualTo(6);

        // what a lost update leaves: a sale missing from a, a reservation missing from b, a's count time from before
        jdbc.update("UPDATE inventory_position SET on_hand = 7, counted_at = ? WHERE sku = ? AND location_id = 'S1'",
                java.time.OffsetDateTime.ofInstant(t0.plusSeconds(30), java.time.ZoneOffset.UTC), a);
        jdbc.update("UPDATE inventory_position SET reserved = 0 WHERE sku = ? AND location_id = 'W1'", b);
        jdbc.update("UPDATE channel_availability SET ats = 7 WHERE sku = ? AND channel = 'store'", a);
        int eventsBefore = jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE partition_key IN (?, ?, ?)", Integer.class,
                a, b, c);

        List<dev.unison.inventory.InventoryLedger.Repair> repairs = tx.execute(s -> ledger.reconcile()).positions()
                .stream().filter(r -> r.sku().startsWith("REPAIR-")).toList();
        assertThat(repairs).containsExactlyInAnyOrder(
                new dev.unison.inventory.InventoryLedger.Repair(a, "S1", 7, 6, 0, 0),
                new dev.unison.inventory.InventoryLedger.Repair(b, "W1", 5, 5, 0, 2));
        assertThat(onHand(a, "S1")).isEqualTo(6);
        assertThat(jdbc.queryForObject("SELECT counted_at FROM inventory_position WHERE sku = ? AND location_id = 'S1'",
                java.time.OffsetDateTime.class, a).toInstant()).isEqualTo(t0.plusSeconds(60));
        assertThat(jdbc.queryForObject("SELECT reserved FROM inventory_position WHERE sku = ? AND location_id = 'W1'", Long.class, b))
                .isEqualTo(2);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE partition_key IN (?, ?, ?)", Integer.class,
                a, b, c)).as("a's store availability was 7 as the crash left it and is 6 again: published").isEqualTo(eventsBefore + 1);
        assertThat(jdbc.queryForObject("SELECT ats FROM channel_availability WHERE sku = ? AND channel = 'store'", Long.class, a))
                .isEqualTo(6);
        tx.executeWithoutResult(s -> assertThat(ledger.reconcile().positions()).as("repaired once")
                .noneMatch(r -> r.sku().startsWith("REPAIR-")));
    }

    /**
     * A channel's availability row that lost the update which published an event (the event kept,
     * the row at the version before it) is moved forward to that event, so the next change does not
     * reuse its id; the value is then published again if the positions say otherwise.
     */
    @Test
    void anAvailabilityRowBehindItsPublishedEventIsMovedForward() {
        var ledger = ledger();
        String sku = "REPAIR-ATS-" + System.nanoTime();
        Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
        tx.executeWithoutResult(s -> ledger.apply(List.of(move(sku + "-r1", sku, "S1", dev.unison.inventory.Movement.Kind.RECEIPT,
                5, t0))));
        tx.executeWithoutResult(s -> ledger.apply(List.of(move(sku + "-s1", sku, "S1", dev.unison.inventory.Movement.Kind.SALE,
                -1, t0.plusSeconds(1)))));
        assertThat(jdbc.queryForObject("SELECT version FROM channel_availability WHERE sku = ? AND channel = 'store'", Long.class, sku))
                .isEqualTo(2);
        // the crash: the row lost the update that published version 2 (4 units) and the position the sale
        jdbc.update("UPDATE channel_availability SET ats = 5, version = 1 WHERE sku = ? AND channel = 'store'", sku);
        jdbc.update("UPDATE inventory_position SET on_hand = 5 WHERE sku = ? AND location_id = 'S1'", sku);

        var repaired = tx.execute(s -> ledger.reconcile());
        assertThat(repaired.availability()).filteredOn(a -> a.sku().equals(sku))
                .containsExactly(new dev.unison.inventory.InventoryLedger.AvailabilityRepair(sku, "store", 1, 2, 5, 4));
        assertThat(repaired.positions()).filteredOn(r -> r.sku().equals(sku)).hasSize(1);
        assertThat(jdbc.queryForObject("SELECT version FROM channel_availability WHERE sku = ? AND channel = 'store'", Long.class, sku))
                .as("4 units as published: nothing to publish again").isEqualTo(2);

        // the next sale publishes version 3 instead of failing on version 2's id
        tx.executeWithoutResult(s -> ledger.apply(List.of(move(sku + "-s2", sku, "S1", dev.unison.inventory.Movement.Kind.SALE,
                -1, t0.plusSeconds(2)))));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE event_id = ?", Integer.class,
                "availability:" + sku + ":store:3")).isEqualTo(1);
        assertThat(onHand(sku, "S1")).isEqualTo(3);
    }

    private long onHand(String sku, String location) {
        return jdbc.queryForObject("SELECT on_hand FROM inventory_position WHERE sku = ? AND location_id = ?", Long.class, sku,
                location);
    }

    private Instant leaseExpiry(String connection, String kind) {
        return jdbc.queryForObject("SELECT expires_at FROM queue_lease WHERE connection_id = ? AND kind = ?",
                java.time.OffsetDateTime.class, connection, kind).toInstant();
    }

    private dev.unison.inventory.InventoryLedger ledger() {
        var network = new dev.unison.inventory.InventoryNetwork(List.of(
                new dev.unison.inventory.InventoryNetwork.LocationSettings("S1", null, null, List.of("store", "shopify"),
                        java.util.Map.of()),
                new dev.unison.inventory.InventoryNetwork.LocationSettings("W1", null, null, List.of("shopify"),
                        java.util.Map.of("shopify", 2L))), java.util.Map.of());
        return new dev.unison.inventory.InventoryLedger(jdbc, outbox, network, Clock.systemUTC(), new SimpleMeterRegistry());
    }

    private static dev.unison.inventory.Movement move(String key, String sku, String location,
            dev.unison.inventory.Movement.Kind kind, long quantity, Instant at) {
        return new dev.unison.inventory.Movement(key, sku, location, kind, quantity, at, "test", null);
    }

    /**
     * The order consumer applies a batch of orders in one transaction while the POS group applies
     * till sales of the same skus: the orders' skus come in any order across the batch (order 1
     * sells Z, order 2 sells A), the POS group locks its skus sorted. With every sku of the batch
     * locked first, in sorted order ({@code lockAhead}, as the inventory route does), neither ever
     * waits on the other in a cycle: no deadlock, and every sale is applied exactly once.
     */
    @Test
    void anOrderBatchAndAPosGroupOnTheSameSkusNeverDeadlock() throws Exception {
        var ledger = ledger();
        int skus = 40;
        tx.executeWithoutResult(s -> {
            List<dev.unison.inventory.Movement> counts = new ArrayList<>();
            for (int k = 0; k < skus; k++) {
                counts.add(move("lock-count-" + k, "LK-" + k, "S1", dev.unison.inventory.Movement.Kind.COUNT, 1_000_000,
                        Instant.now().minusSeconds(3600)));
            }
            ledger.apply(counts);
        });
        java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicLong orderLines = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong tillSales = new java.util.concurrent.atomic.AtomicLong();
        long until = System.nanoTime() + contention().toNanos() / 3;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<?> orders = pool.submit(() -> {
            java.util.Random random = new java.util.Random(1);
            int n = 0;
            while (System.nanoTime() < until) {
                List<dev.unison.canonical.model.Order> batch = new ArrayList<>();
                java.util.Set<String> batchSkus = new java.util.TreeSet<>();
                for (int o = 0; o < 20; o++, n++) {
                    // each order's lines descend: across the batch the skus are taken in no global order
                    int hi = 1 + random.nextInt(skus - 1);
                    int lo = random.nextInt(hi);
                    List<dev.unison.canonical.model.OrderLine> lines = List.of(
                            new dev.unison.canonical.model.OrderLine("1", "LK-" + hi, 1, null, null),
                            new dev.unison.canonical.model.OrderLine("2", "LK-" + lo, 1, null, null));
                    batch.add(new dev.unison.canonical.model.Order("shopify:" + n, "shopify", "o-" + n,
                            dev.unison.canonical.model.OrderStatus.PLACED, Instant.now(), null, "S1", null, List.of(), lines,
                            dev.unison.canonical.model.Money.of("1.00", "USD"), null, Instant.now()));
                    batchSkus.add("LK-" + hi);
                    batchSkus.add("LK-" + lo);
                }
                try {
                    tx.executeWithoutResult(s -> batch.forEach(order -> {
                        ledger.lockAhead(batchSkus);
                        ledger.applyOrder(order);
                    }));
                    orderLines.addAndGet(batch.size() * 2L);
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
        });
        Future<?> tills = pool.submit(() -> {
            java.util.Random random = new java.util.Random(2);
            int n = 0;
            while (System.nanoTime() < until) {
                List<dev.unison.inventory.Movement> group = new ArrayList<>();
                for (int i = 0; i < 30; i++, n++) {
                    group.add(move("till-" + n, "LK-" + random.nextInt(skus), "S1", dev.unison.inventory.Movement.Kind.SALE,
                            -1, Instant.now()));
                }
                try {
                    tx.executeWithoutResult(s -> ledger.apply(group));
                    tillSales.addAndGet(group.size());
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
        });
        orders.get(5, TimeUnit.MINUTES);
        tills.get(5, TimeUnit.MINUTES);
        pool.shutdown();
        assertThat(failures).as("deadlocks or other failures between the order consumer and the POS group").isEmpty();
        long onHand = 0;
        for (int k = 0; k < skus; k++) {
            onHand += ledger.view("LK-" + k).orElseThrow().positions().get(0).onHand();
        }
        assertThat(orderLines.get()).as("orders applied").isPositive();
        assertThat(tillSales.get()).as("till sales applied").isPositive();
        assertThat(onHand).as("every sale applied exactly once").isEqualTo(1_000_000L * skus - orderLines.get() - tillSales.get());
    }

    @Test
    void theLedgerAppliesOnceHonoursCountsAndPublishesOnlyChangedAvailability() {
        var ledger = ledger();
        var C = dev.unison.inventory.Movement.Kind.COUNT;
        var SALE = dev.unison.inventory.Movement.Kind.SALE;
        Instant t0 = Instant.parse("2026-11-26T08:00:00Z");
        tx.executeWithoutResult(s -> ledger.apply(List.of(move("c1", "A", "S1", C, 10, t0), move("c2", "A", "W1", C, 5, t0))));
        assertThat(ledger.publishedAts("A", "shopify")).as("10 + (5 - 2 safety at W1)").isEqualTo(13);
        assertThat(ledger.publishedAts("A", "store")).isEqualTo(10);
        long events = jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE event_type = ?", Long.class,
                EventType.AVAILABILITY_CHANGED.typeName());

        var outcomes = tx.execute(s -> ledger.apply(List.of(move("s1", "A", "S1", SALE, -1, t0.plusSeconds(10)),
                move("s1", "A", "S1", SALE, -1, t0.plusSeconds(10))))).outcomes();
        assertThat(outcomes).extracting(Enum::name).containsExactly("APPLIED", "DUPLICATE");
        assertThat(tx.execute(s -> ledger.apply(List.of(move("c0", "A", "S1", C, 99, t0.minusSeconds(1))))).outcomes())
                .extracting(Enum::name).containsExactly("SUPERSEDED");
        tx.executeWithoutResult(s -> ledger.apply(List.of(move("c3", "A", "S1", C, 4, t0.plusSeconds(5)))));
        var view = ledger.view("A").orElseThrow();
        assertThat(view.positions()).extracting(p -> p.locationId() + "=" + p.onHand()).containsExactly("S1=3", "W1=5");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE event_type = ?", Long.class,
                EventType.AVAILABILITY_CHANGED.typeName()) - events).as("store 10->9->3, shopify 13->12->6").isEqualTo(4);
        // every availability event carries the channel's ATS version, as the inventory view shows it
        var shopifyVersions = jdbc.queryForList("SELECT payload FROM outbox_event WHERE event_type = ? ORDER BY seq", String.class,
                EventType.AVAILABILITY_CHANGED.typeName()).stream()
                .map(json -> CanonicalEvent.fromStructuredJson(json).dataAs(ChannelAvailability.class))
                .filter(a -> a.sku().equals("A") && a.channel().equals("shopify")).map(ChannelAvailability::version).toList();
        assertThat(shopifyVersions).containsExactly(1L, 2L, 3L);
        assertThat(view.channels()).filteredOn(c -> c.channel().equals("shopify")).singleElement()
                .satisfies(c -> assertThat(c.version()).isEqualTo(3));

        // a delta that changes nothing visible publishes nothing: W1 is below its safety stock either way
        tx.executeWithoutResult(s -> ledger.apply(List.of(move("c4", "B", "W1", C, 1, t0))));
        long before = jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event", Long.class);
        tx.executeWithoutResult(s -> ledger.apply(List.of(move("s2", "B", "W1", SALE, -1, t0.plusSeconds(1)))));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event", Long.class)).isEqualTo(before);
    }

    @Test
    void concurrentSalesOfOneNewSkuAllApply() throws Exception {
        var ledger = ledger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String key = "sale-" + i;
                futures.add(pool.submit(() -> tx.executeWithoutResult(s -> ledger.apply(List.of(move(key, "NEW", "S1",
                        dev.unison.inventory.Movement.Kind.SALE, -1, Instant.now()))))));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(ledger.view("NEW").orElseThrow().positions()).singleElement()
                .satisfies(p -> assertThat(p.onHand()).isEqualTo(-40));
        assertThat(ledger.publishedAts("NEW", "store")).isZero();
    }

    @Test
    void aGroupOfDeltasGivesWhatOneByOneWouldGive() {
        var ledger = ledger();
        var C = dev.unison.inventory.Movement.Kind.COUNT;
        var SALE = dev.unison.inventory.Movement.Kind.SALE;
        Instant t0 = Instant.parse("2026-11-26T08:00:00Z");
        tx.executeWithoutResult(s -> ledger.apply(List.of(move("g-c1", "G1", "S1", C, 5, t0))));
        tx.executeWithoutResult(s -> ledger.apply(List.of(move("g-c2", "G2", "W1", C, 9, t0))));
        tx.executeWithoutResult(s -> ledger.apply(List.of(move("g-s0", "G1", "S1", SALE, -1, t0.plusSeconds(1)))));

        var result = tx.execute(s -> ledger.apply(List.of(
                move("g-s1", "G1", "S1", SALE, -1, t0.plusSeconds(5)),
                move("g-s0", "G1", "S1", SALE, -1, t0.plusSeconds(1)),      // applied before: duplicate
                move("g-s2", "G1", "S1", SALE, -1, t0.minusSeconds(5)),     // older than the count: superseded
                move("g-s3", "G2", "W1", SALE, -2, t0.plusSeconds(6)),
                move("g-s3", "G2", "W1", SALE, -2, t0.plusSeconds(6)),      // twice in one group: once
                move("g-s4", "G3", "S1", SALE, -1, t0.plusSeconds(7)))));   // a sku never seen

        assertThat(result.outcomes()).extracting(Enum::name)
                .containsExactly("APPLIED", "DUPLICATE", "SUPERSEDED", "APPLIED", "DUPLICATE", "APPLIED");
        assertThat(result.unknownSkus()).containsExactly("G3");
        assertThat(ledger.view("G1").orElseThrow().positions()).extracting(p -> p.locationId() + "=" + p.onHand())
                .containsExactly("S1=3");
        assertThat(ledger.view("G2").orElseThrow().positions()).extracting(p -> p.locationId() + "=" + p.onHand())
                .containsExactly("W1=7");
        assertThat(ledger.view("G3").orElseThrow().positions()).extracting(p -> p.locationId() + "=" + p.onHand())
                .containsExactly("S1=-1");
        assertThat(ledger.publishedAts("G1", "store")).isEqualTo(3);
        assertThat(ledger.publishedAts("G1", "shopify")).isEqualTo(3);
        assertThat(ledger.publishedAts("G2", "shopify")).as("7 - 2 safety at W1").isEqualTo(5);
        assertThat(ledger.publishedAts("G3", "store")).as("never negative").isZero();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM inventory_movement WHERE movement_key LIKE 'g-s%'", Long.class))
                .isEqualTo(5);
    }

    /**
     * docs/operations.md "Retention", rule by rule: what is past its retention goes, what is still
     * needed (unpublished events, pending deliveries, held reservations, anything younger) stays, in
     * batches smaller than the backlog; a second instance finds the sweep taken and deletes nothing.
     */
    @Test
    void retentionSweepDeletesExactlyWhatOutlivedItsRetention() throws Exception {
        Instant now = Instant.parse("2026-11-26T12:00:00Z");
        java.util.function.IntFunction<java.time.OffsetDateTime> daysAgo =
                d -> java.time.OffsetDateTime.ofInstant(now.minus(Duration.ofDays(d)), java.time.ZoneOffset.UTC);
        // published events (no pending row), appended 9 days and 1 day ago
        jdbc.update("INSERT INTO outbox_event (event_id, topic, event_type, partition_key, payload, created_at) "
                + "VALUES ('old', 'events', 't', 'k', '{}', ?), ('old-2', 'events', 't', 'k', '{}', ?), "
                + "('old-3', 'events', 't', 'k', '{}', ?), ('new', 'events', 't', 'k', '{}', ?)",
                daysAgo.apply(9), daysAgo.apply(9), daysAgo.apply(9), daysAgo.apply(1));
        jdbc.update("INSERT INTO outbox_event (event_id, topic, event_type, partition_key, payload, created_at) "
                + "VALUES ('old-unpublished', 'events', 't', 'k', '{}', ?)", daysAgo.apply(9));
        jdbc.update("INSERT INTO outbox_pending (seq, shard) SELECT seq, shard FROM outbox_event WHERE event_id = 'old-unpublished'");
        jdbc.update("INSERT INTO CAMEL_MESSAGEPROCESSED (processorName, messageId, createdAt) VALUES ('bus:g', 'old', ?), "
                + "('bus:g', 'new', ?)", java.sql.Timestamp.from(now.minus(Duration.ofDays(8))),
                java.sql.Timestamp.from(now.minus(Duration.ofDays(1))));
        Object[][] inbox = {{"processed-8d", "processed", 8}, {"kept-8d", "kept", 8}, {"stale-8d", "stale", 8},
                {"pending-8d", "pending", 8}, {"failed-8d", "failed", 8}, {"failed-31d", "failed", 31},
                {"processed-1d", "processed", 1}};
        for (Object[] row : inbox) {
            jdbc.update("INSERT INTO inbox (connection_id, connector, message_type, dedupe_key, headers, body, received_at, "
                    + "status) VALUES ('c', 'shopify', 'orders/create', ?, '{}', '{}', ?, ?)", row[0],
                    daysAgo.apply((Integer) row[2]), row[1]);
        }
        jdbc.update("INSERT INTO dead_letter (consumer, event_id, reason, failed_at) VALUES ('g', 'dl-31d', 'r', ?), "
                + "('g', 'dl-29d', 'r', ?)", daysAgo.apply(31), daysAgo.apply(29));
        Object[][] reservations = {{"released-8d", "released", 8}, {"expired-8d", "expired", 8}, {"held-8d", "held", 8},
                {"released-1d", "released", 1}};
        for (Object[] row : reservations) {
            jdbc.update("INSERT INTO inventory_reservation (reservation_key, sku, location_id, quantity, expires_at, status, "
                    + "created_at) VALUES (?, 'S', 'L', 1, ?, ?, ?)", row[0], daysAgo.apply((Integer) row[2]), row[1],
                    daysAgo.apply(10));
        }
        var settings = new dev.unison.platform.retention.RetentionSweeper.Settings(Duration.ofMinutes(10), 2, Duration.ofDays(7),
                Duration.ofDays(7), Duration.ofDays(30));
        // the platform's rules and the inventory domain's, as the hub's configuration puts them together
        var rules = new java.util.ArrayList<>(settings.platformRules());
        rules.add(dev.unison.inventory.ReservationRetention.rule(Duration.ofDays(7)));
        dev.unison.platform.retention.RetentionSweeper sweeper = new dev.unison.platform.retention.RetentionSweeper(jdbc, tx,
                settings, rules, Clock.fixed(now, java.time.ZoneOffset.UTC), new SimpleMeterRegistry());

        // another instance holding the sweep: this one deletes nothing and does not wait
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CompletableFuture<Void> other = java.util.concurrent.CompletableFuture.runAsync(() -> tx.executeWithoutResult(s -> {
            jdbc.queryForList("SELECT name FROM job_lock WHERE name = 'retention-sweep' FOR UPDATE", String.class);
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        held.await();
        assertThat(sweeper.sweep()).isEmpty();
        release.countDown();
        other.get(10, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(sweeper.sweep()).containsEntry("outbox_event", 3).containsEntry("CAMEL_MESSAGEPROCESSED", 1)
                .containsEntry("inbox", 3).containsEntry("inbox (failed)", 1).containsEntry("dead_letter", 1)
                .containsEntry("inventory_reservation", 2);
        assertThat(jdbc.queryForList("SELECT event_id FROM outbox_event WHERE event_id LIKE 'old%' OR event_id = 'new' "
                + "ORDER BY event_id", String.class)).containsExactly("new", "old-unpublished");
        assertThat(jdbc.queryForList("SELECT messageId FROM CAMEL_MESSAGEPROCESSED WHERE processorName = 'bus:g'", String.class))
                .containsExactly("new");
        assertThat(jdbc.queryForList("SELECT dedupe_key FROM inbox ORDER BY dedupe_key", String.class))
                .containsExactly("failed-8d", "pending-8d", "processed-1d");
        assertThat(jdbc.queryForList("SELECT event_id FROM dead_letter", String.class)).containsExactly("dl-29d");
        assertThat(jdbc.queryForList("SELECT reservation_key FROM inventory_reservation ORDER BY reservation_key", String.class))
                .containsExactly("held-8d", "released-1d");
        assertThat(sweeper.sweep()).as("a second sweep finds nothing more").allSatisfy((table, n) -> assertThat(n).isZero());
    }

    @Test
    void retentionSettingsRefuseWindowsShorterThanTheirPurpose() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new dev.unison.platform.retention.RetentionSweeper.Settings(
                Duration.ofMinutes(10), 100, Duration.ofDays(7), Duration.ofHours(24), Duration.ofDays(30)))
                .hasMessageContaining("unison.retention.inbox must be at least PT48H");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.unison.inventory.ReservationRetention
                .rule(Duration.ofMinutes(30)))
                .hasMessageContaining("unison.retention.reservations must be at least PT1H");
    }
}
