package dev.unison.bench.freshness;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.bench.Results;
import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * End-to-end freshness: POS sales in at a fixed rate, the time until each sale is reflected in a
 * Shopify shop that enforces Shopify's real limits (GraphQL cost bucket 2000 points, 100/s).
 *
 * <p>It forks the hub jar (embedded defaults, fresh data directory) with two connections in the
 * same run: {@code unison} (the real connector: coalesced, batched, paced) and {@code naive} (a
 * Shopify connection for the shop's webhooks, plus a connection of the benchmark's own
 * {@code naive-shopify-inventory} connector: one call per event) — each to its own in-process
 * {@link ShopifySimulator}. The naive connector is not part of the hub: it comes from this module's
 * plugin jar ({@code --naive-connector}), put on the hub's class path with Spring Boot's
 * {@code loader.path}. Stock is spread over the stores so that every sale changes the
 * shops' number. A sale of sku k counts as reflected in a shop at the first moment the shop's
 * quantity of k is at most the quantity expected after it (initial stock minus the accepted sales
 * of k sent up to and including it). See docs/benchmarks.md.
 *
 * <p>{@code --instances N} (production profile only: {@code --db postgres --bus kafka}) starts N
 * hubs on the one database and broker; store k's sales go to instance k mod N, and the result
 * gives each instance's CPU and its share of the events relayed (the outbox shards it leases).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.unison.bench.freshness.FreshnessBenchmark \
 *      --rate 1000 --seconds 60 --skus 1000 --stores 20 --hub apps/hub/target/unison-hub.jar --out bench/results
 * </pre>
 */
public final class FreshnessBenchmark {

    static final String KEY = "bench-bootstrap-key-0123456789";
    static final long STOCK_PER_STORE = 1_000;
    static final String LOCATION = String.valueOf(ShopifySimulator.DEFAULT_LOCATION_ID);
    static final String HUB_HEAP = "-Xmx2g";

    record Settings(int rate, int seconds, int skus, int stores, Path hubJar, Path out, int drainSeconds, long seed,
            Baseline baseline, int warmupSeconds, String db, int posBatchMillis, int warmupRate, int settleSeconds, String bus,
            int instances, int idleSeconds, int diskEverySeconds, Path naiveConnector) {
        static Settings parse(String[] args) {
            Map<String, String> a = dev.unison.bench.Options.parse(args, Set.of("rate", "seconds", "skus", "stores", "hub", "out",
                    "drain", "seed", "naive", "warmup", "db", "pos-batch-ms", "warmup-rate", "settle", "bus", "instances", "idle",
                    "disk-every", "naive-connector"));
            return new Settings(Integer.parseInt(a.getOrDefault("rate", "1000")),
                    Integer.parseInt(a.getOrDefault("seconds", "30")), Integer.parseInt(a.getOrDefault("skus", "1000")),
                    Integer.parseInt(a.getOrDefault("stores", "20")), Path.of(a.getOrDefault("hub", "apps/hub/target/unison-hub.jar")),
                    Path.of(a.getOrDefault("out", "bench/results")), Integer.parseInt(a.getOrDefault("drain", "30")),
                    Long.parseLong(a.getOrDefault("seed", "42")), Baseline.parse(a.getOrDefault("naive", "after")),
                    Integer.parseInt(a.getOrDefault("warmup", "30")), a.getOrDefault("db", "h2"),
                    Integer.parseInt(a.getOrDefault("pos-batch-ms", "0")),
                    Integer.parseInt(a.getOrDefault("warmup-rate", a.getOrDefault("rate", "1000"))),
                    Integer.parseInt(a.getOrDefault("settle", "0")), a.getOrDefault("bus", "artemis"),
                    Integer.parseInt(a.getOrDefault("instances", "1")), Integer.parseInt(a.getOrDefault("idle", "0")),
                    Integer.parseInt(a.getOrDefault("disk-every", "60")),
                    Path.of(a.getOrDefault("naive-connector", "bench/target/unison-bench-naive-connector.jar")));
        }

        /** Kafka runs the hub's production profile, which needs PostgreSQL. */
        Settings {
            if (!Set.of("artemis", "kafka").contains(bus)) {
                throw new IllegalArgumentException("--bus takes artemis or kafka, got '" + bus + "'");
            }
            if (bus.equals("kafka") && !db.equals("postgres")) {
                throw new IllegalArgumentException("--bus kafka runs the production profile: add --db postgres");
            }
            if (instances < 1 || instances > 16) {
                throw new IllegalArgumentException("--instances takes 1..16, got " + instances);
            }
            if (instances > 1 && !bus.equals("kafka")) {
                throw new IllegalArgumentException("--instances above 1 share one broker: add --bus kafka --db postgres");
            }
            if (baseline != Baseline.NONE && !java.nio.file.Files.isRegularFile(naiveConnector)) {
                throw new IllegalArgumentException("the naive baseline needs the benchmark's plugin jar " + naiveConnector
                        + " (built by mvn package in bench/; --naive-connector <jar>, or --naive false)");
            }
            if (idleSeconds < 0 || diskEverySeconds < 1) {
                throw new IllegalArgumentException("--idle takes seconds >= 0 and --disk-every seconds >= 1");
            }
        }
    }

    /**
     * When the naive baseline runs. {@code AFTER} (the default): a second phase, on a fresh hub with
     * the same seeded load, after the Unison phase; each has the machine to itself, so neither
     * measurement includes the other's cost (the naive consumer can never keep up, and its
     * ever-growing broker queue and retry loop take CPU the two cores do not have to spare).
     * {@code BESIDE}: both connections in one hub at once. {@code NONE}: Unison only.
     */
    enum Baseline {
        AFTER, BESIDE, NONE;

        static Baseline parse(String value) {
            return switch (value) {
                case "after" -> AFTER;
                case "beside" -> BESIDE;
                case "false", "none" -> NONE;
                default -> throw new IllegalArgumentException("--naive takes after, beside or false, got '" + value + "'");
            };
        }
    }

    /** One shop under test and what it was told, timed on this JVM's nanoTime. */
    static final class Shop {
        final String connection;
        final ShopifySimulator simulator;
        final Map<String, Long> itemBySku = new HashMap<>();
        final Map<String, List<long[]>> setsByLevel = new ConcurrentHashMap<>();
        long mutationsBefore;
        long throttledBefore;

        Shop(String connection, ShopifySimulator simulator) {
            this.connection = connection;
            this.simulator = simulator;
            simulator.setQuantityListener((level, quantity) -> setsByLevel
                    .computeIfAbsent(level, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                    .add(new long[] {System.nanoTime(), quantity}));
        }

        Long quantity(String sku) {
            return simulator.available(itemBySku.get(sku), ShopifySimulator.DEFAULT_LOCATION_ID);
        }

        List<long[]> sets(String sku) {
            return setsByLevel.getOrDefault(itemBySku.get(sku) + ":" + LOCATION, List.of());
        }
    }

    private final Settings settings;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(8)).connectTimeout(Duration.ofSeconds(5)).build();
    /** The first instance: set-up goes through it. */
    private String hub;
    /** Every instance's base URL; a store's sales go to instance (store index mod instances). */
    private final List<String> hubs = new ArrayList<>();
    private String postgresUrl;
    /** The data directory measured while a phase runs. */
    private DiskSampler disk;
    /** The in-process Kafka broker of {@code --bus kafka}, else null. */
    private org.springframework.kafka.test.EmbeddedKafkaKraftBroker kafka;

    FreshnessBenchmark(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.parse(args);
        ObjectNode result = new FreshnessBenchmark(settings).run();
        Results.write(settings.out(), "freshness", result, Report.markdown(result));
        System.exit(0);
    }

    /**
     * The phases the baseline setting asks for, merged into one result: the shops side by side,
     * and per phase its POS throughput and CPU.
     */
    ObjectNode run() throws Exception {
        List<List<String>> phases = switch (settings.baseline()) {
            case AFTER -> List.of(List.of("unison"), List.of("naive"));
            case BESIDE -> List.of(List.of("unison", "naive"));
            case NONE -> List.of(List.of("unison"));
        };
        ObjectNode result = null;
        for (List<String> connections : phases) {
            System.err.println("phase: " + connections);
            ObjectNode phase = runPhase(connections);
            if (result == null) {
                result = CanonicalJson.mapper().createObjectNode();
                result.set("settings", phase.get("settings"));
                ((ObjectNode) result.get("settings")).put("baseline", switch (settings.baseline()) {
                    case AFTER -> "naive measured after Unison, on a fresh hub with the same load";
                    case BESIDE -> "naive and Unison in the same hub at once";
                    case NONE -> "none";
                });
                result.putArray("phases");
                result.putArray("shops");
            }
            ObjectNode summary = ((ArrayNode) result.get("phases")).addObject();
            summary.set("connections", CanonicalJson.mapper().valueToTree(connections));
            summary.set("pos", phase.get("pos"));
            summary.set("cpu", phase.get("cpu"));
            summary.set("workPerSale", phase.get("workPerSale"));
            if (phase.has("lockWaits")) {
                summary.set("lockWaits", phase.get("lockWaits"));
            }
            summary.set("machineCanary", phase.get("machineCanary"));
            summary.set("disk", phase.get("disk"));
            ((ArrayNode) result.get("shops")).addAll((ArrayNode) phase.get("shops"));
        }
        return result;
    }

    /** One hub, fresh data directory, the given connections: set-up, load, measurement. */
    private ObjectNode runPhase(List<String> connections) throws Exception {
        Path dir = Files.createTempDirectory("unison-bench-");
        // the hubs run from a copy: a rebuild of the jar during a run (minutes long) must not change
        // the classes a running hub still loads lazily
        hubJar = Files.copy(settings.hubJar(), dir.resolve("unison-hub.jar"));
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < settings.skus(); i++) {
            skus.add(String.format("SKU-%05d", i));
        }
        List<String> stores = new ArrayList<>();
        for (int i = 1; i <= settings.stores(); i++) {
            stores.add(String.format("STORE-%02d", i));
        }
        List<Shop> shops = new ArrayList<>();
        for (String connection : connections) {
            shops.add(new Shop(connection, new ShopifySimulator(freePort(), connection + "-bench.myshopify.com", "shpat_bench",
                    "bench-secret", Clock.systemUTC())));
        }
        shops.forEach(s -> s.simulator.start());
        io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres = null;
        if (settings.db().equals("postgres")) {
            // durability as in production: fsync and synchronous commit on (zonky's defaults turn fsync off)
            var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on").setServerConfig("max_connections", "100");
            postgres = dev.unison.bench.PostgresStatements.configure(builder).start();
            postgresUrl = postgres.getJdbcUrl("postgres", "postgres");
        }
        if (settings.bus().equals("kafka")) {
            // one broker, the events topic with 6 partitions (docs/operations.md); it shares the two cores
            kafka = new org.springframework.kafka.test.EmbeddedKafkaKraftBroker(1, 6, "unison.events");
            kafka.afterPropertiesSet();
        }
        writeConfiguration(dir, stores, shops);
        hubs.clear();
        hubProcesses.clear();
        List<Process> processes = new ArrayList<>();
        for (int k = 0; k < settings.instances(); k++) {
            int hubPort = freePort();
            hubs.add("http://127.0.0.1:" + hubPort);
            Process process = startHub(dir, k, hubPort);
            processes.add(process);
            hubProcesses.add(process.toHandle());
        }
        hub = hubs.get(0);
        try {
            for (String instance : hubs) {
                dev.unison.bench.HubHealth.await(http, instance, Duration.ofSeconds(180));
            }
            awaitShardsSpread(Duration.ofSeconds(60));
            // the first instance's data directory, from before the set-up until the end of the idle phase
            disk = new DiskSampler(http, hub, KEY, dir.resolve("data"), Duration.ofSeconds(settings.diskEverySeconds()));
            setUp(shops, skus, stores);
            ObjectNode result = load(shops, skus, stores);
            if (settings.idleSeconds() > 0) {
                disk.idle(Duration.ofSeconds(settings.idleSeconds()));
            }
            result.set("disk", disk.result());
            return result;
        } finally {
            if (disk != null) {
                disk.close();
                disk = null;
            }
            for (Process process : processes) {
                process.destroy();
            }
            for (Process process : processes) {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
            shops.forEach(s -> s.simulator.close());
            if (postgres != null) {
                dev.unison.bench.PostgresStatements.write(postgres);
                postgres.close();
            }
            if (kafka != null) {
                kafka.destroy();
                kafka = null;
            }
            // the H2 file and the Artemis journal grow to gigabytes; keep the configuration and the log only
            for (int k = 0; k < settings.instances(); k++) {
                deleteRecursively(dir.resolve(k == 0 ? "data" : "data-" + k));
            }
            Files.deleteIfExists(hubJar);
            System.err.println("hub log: " + dir.resolve("hub.log") + (settings.instances() > 1 ? " (and hub-<k>.log)" : ""));
        }
    }

    private void writeConfiguration(Path dir, List<String> stores, List<Shop> shops) throws IOException {
        StringBuilder app = new StringBuilder("unison:\n  simulators:\n    shopify:\n      enabled: false\n"
                + "    tiktok-shop:\n      enabled: false\n  inventory:\n    locations:\n");
        for (String store : stores) {
            app.append("      - id: ").append(store).append("\n        type: store\n        channels: [store, shopify]\n");
        }
        app.append("logging:\n  level:\n    root: WARN\n");
        String datasource = postgresUrl != null ? postgresUrl : System.getProperty("bench.datasourceUrl");
        if (datasource != null) {
            app.append("spring:\n  datasource:\n    url: \"").append(datasource).append("\"\n");
            if (postgresUrl != null) {
                app.append("    username: postgres\n    password: postgres\n");
            }
        }
        Files.writeString(dir.resolve("application.yaml"), app);
        StringBuilder connections = new StringBuilder("connections:\n");
        for (Shop shop : shops) {
            connections.append("  - id: ").append(shop.connection).append("\n    connector: shopify\n    settings:\n")
                    .append("      shopDomain: ").append(shop.connection).append("-bench.myshopify.com\n")
                    .append("      accessToken: ${BENCH_SHOP_TOKEN}\n      webhookSecret: ${BENCH_WEBHOOK_SECRET}\n")
                    .append("      adminBaseUrl: ").append(shop.simulator.baseUrl()).append("\n");
            if (shop.connection.equals("naive")) {
                // this Shopify connection only receives the shop's webhooks (no locationId: it writes no stock);
                // the benchmark's own connector writes the stock, one call per event
                connections.append("  - id: naive-per-event\n    connector: naive-shopify-inventory\n    settings:\n")
                        .append("      shopifyConnection: naive\n      accessToken: ${BENCH_SHOP_TOKEN}\n")
                        .append("      adminBaseUrl: ").append(shop.simulator.baseUrl()).append("\n")
                        .append("      locationId: '").append(LOCATION).append("'\n");
            } else {
                connections.append("      locationId: '").append(LOCATION).append("'\n");
            }
        }
        Files.writeString(dir.resolve("connections.yaml"), connections);
    }

    /** Until every instance publishes a share of the outbox shards ({@code GET /api/v1/cluster}). */
    private void awaitShardsSpread(Duration timeout) throws Exception {
        String[] last = {""};
        dev.unison.bench.Polling.until(timeout, Duration.ofMillis(500), () -> {
            HttpResponse<String> cluster = http.send(HttpRequest.newBuilder(URI.create(hub + "/api/v1/cluster"))
                    .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
            last[0] = cluster.body();
            Map<String, Integer> held = new HashMap<>();
            CanonicalJson.parse(cluster.body()).path("relayShards").forEach(shard -> {
                if (shard.path("active").asBoolean()) {
                    held.merge(shard.path("instance").asText(), 1, Integer::sum);
                }
            });
            boolean spread = cluster.statusCode() == 200 && held.size() == settings.instances()
                    && held.values().stream().mapToInt(Integer::intValue).sum() == 16;
            if (spread) {
                System.err.println("outbox shards per instance: " + held);
            }
            return spread;
        }, () -> "the outbox shards did not spread over " + settings.instances() + " instances: " + last[0]);
    }

    /** Events each instance relayed so far ({@code unison_outbox_published_total} on its Prometheus endpoint). */
    private List<Double> publishedPerInstance() throws Exception {
        return workPerInstance().stream().map(work -> work.getOrDefault("unison_outbox_published_total", 0.0)).toList();
    }

    /**
     * Counters of the work each instance did, summed over their tags, from its Prometheus page:
     * events relayed, the consumer groups' deliveries and the database transactions they ran, and
     * the POS writer's group commits. With the sales of a window they give work per sale, which
     * does not depend on how fast this machine happens to run.
     */
    static final List<String> WORK_COUNTERS = List.of("unison_outbox_published_total", "unison_bus_delivered_total",
            "unison_bus_transactions_total", "unison_pos_group_seconds_count", "unison_outbox_relay_batches_total",
            "unison_bus_offset_commits_total", "kafka_consumer_fetch_manager_fetch_total");

    private List<Map<String, Double>> workPerInstance() throws Exception {
        List<Map<String, Double>> all = new ArrayList<>();
        for (String instance : hubs) {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(instance + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Map<String, Double> work = new LinkedHashMap<>();
            for (String counter : WORK_COUNTERS) {
                work.put(counter, metrics.lines()
                        .filter(line -> line.startsWith(counter + " ") || line.startsWith(counter + "{"))
                        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum());
            }
            // each consumer group's transactions apart: which groups' batches shrink as instances are added
            metrics.lines().filter(line -> line.startsWith("unison_bus_transactions_total{")).forEach(line -> {
                java.util.regex.Matcher group = java.util.regex.Pattern.compile("group=\"([^\"]+)\"").matcher(line);
                if (group.find()) {
                    work.merge("transactions of " + group.group(1), Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)),
                            Double::sum);
                }
            });
            all.add(work);
        }
        return all;
    }

    /** Transactions PostgreSQL has ended so far, committed or rolled back, all databases (-1 on H2). */
    private long databaseTransactions() {
        if (postgresUrl == null) {
            return -1;
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(postgresUrl);
                java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }

    /** This phase's copy of the hub jar ({@link #runPhase}). */
    private Path hubJar;

    private Process startHub(Path dir, int index, int port) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                HUB_HEAP));
        String extra = System.getProperty("bench.hubJvmOpts"); // e.g. a JFR recording when profiling
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        if (settings.baseline() != Baseline.NONE) {
            // the naive connector from this module's plugin jar, beside the hub's own (ServiceLoader finds both)
            command.addAll(List.of("-Dloader.path=" + settings.naiveConnector().toAbsolutePath(), "-cp",
                    hubJar.toAbsolutePath().toString(), "org.springframework.boot.loader.launch.PropertiesLauncher"));
        } else {
            command.addAll(List.of("-jar", hubJar.toAbsolutePath().toString()));
        }
        command.addAll(List.of(
                "--spring.config.additional-location=file:" + dir + "/",
                "--server.port=" + port, "--unison.data-dir=" + dir.resolve(index == 0 ? "data" : "data-" + index),
                "--unison.connections-location=file:" + dir.resolve("connections.yaml")));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("UNISON_BOOTSTRAP_API_KEY", KEY);
        builder.environment().put("BENCH_SHOP_TOKEN", "shpat_bench");
        builder.environment().put("BENCH_WEBHOOK_SECRET", "bench-secret");
        if (kafka != null) {
            // the production profile: PostgreSQL (from application.yaml above) and Kafka
            command.add("--spring.profiles.active=production");
            builder.command(command);
            builder.environment().put("KAFKA_BOOTSTRAP_SERVERS", kafka.getBrokersAsString());
            builder.environment().put("UNISON_DB_URL", postgresUrl);
            builder.environment().put("UNISON_DB_USER", "postgres");
            builder.environment().put("UNISON_DB_PASSWORD", "postgres");
            byte[] sealing = new byte[32];
            new java.security.SecureRandom().nextBytes(sealing);
            builder.environment().put("UNISON_SECRETS_ENCRYPTION_KEY", java.util.Base64.getEncoder().encodeToString(sealing));
        }
        builder.redirectErrorStream(true).redirectOutput(dir.resolve(index == 0 ? "hub.log" : "hub-" + index + ".log").toFile());
        return builder.start();
    }

    /** Products in both shops (webhooks teach the hub), stock at every store, until both shops show it. */
    private void setUp(List<Shop> shops, List<String> skus, List<String> stores) throws Exception {
        long started = System.nanoTime();
        List<String> learnedEvents = new ArrayList<>();
        for (Shop shop : shops) {
            shop.simulator.setCostLimits(1e9, 1e9); // set-up is not measured: let the naive path catch up quickly
            for (int from = 0; from < skus.size(); from += 50) {
                ObjectNode product = shop.simulator.newProduct("Bench " + from,
                        skus.subList(from, Math.min(skus.size(), from + 50)).toArray(String[]::new));
                product.get("variants").forEach(v -> shop.itemBySku.put(v.get("sku").asText(), v.get("inventory_item_id").asLong()));
                ShopifySimulator.Delivery delivery = shop.simulator.webhook("products/update", product);
                int status = shop.simulator.send(hub + "/webhooks/shopify/" + shop.connection, delivery);
                // the item event the hub publishes once it has mapped the delivery (and learned its skus)
                learnedEvents.add("shopify:" + shop.connection + ":event:" + delivery.eventId() + ":0");
                if (status != 200) {
                    throw new IllegalStateException("products/update answered " + status);
                }
            }
        }
        for (String eventId : learnedEvents) { // the inbox maps products/update asynchronously
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (http.send(HttpRequest.newBuilder(URI.create(hub + "/api/v1/events/" + eventId))
                    .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("the hub did not map products/update " + eventId);
                }
                Thread.sleep(100);
            }
        }
        Instant asOf = Instant.now().minusSeconds(1);
        for (String store : stores) {
            ArrayNode counts = CanonicalJson.mapper().createArrayNode();
            skus.forEach(sku -> counts.addObject().put("sku", sku).put("quantity", STOCK_PER_STORE));
            ObjectNode body = CanonicalJson.mapper().createObjectNode();
            body.put("countId", "bench-open-" + store).put("locationId", store).put("asOf", asOf.toString()).set("counts", counts);
            HttpResponse<String> answer = post("/api/v1/inventory/counts", CanonicalJson.write(body));
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("count for " + store + " answered " + answer.statusCode() + ": " + answer.body());
            }
        }
        long stock = STOCK_PER_STORE * stores.size();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (!shops.stream().allMatch(s -> skus.stream().allMatch(sku -> Long.valueOf(stock).equals(s.quantity(sku))))) {
            if (System.nanoTime() > deadline) {
                StringBuilder state = new StringBuilder();
                for (Shop shop : shops) {
                    state.append(' ').append(shop.connection).append(": ").append(skus.stream()
                            .filter(sku -> Long.valueOf(stock).equals(shop.quantity(sku))).count()).append(" skus at ").append(stock);
                }
                throw new IllegalStateException("set-up did not converge within 300 s;" + state);
            }
            Thread.sleep(250);
        }
        for (Shop shop : shops) {
            shop.simulator.setCostLimits(2000, 100); // Shopify's standard plan from here on
            shop.setsByLevel.clear();
            shop.mutationsBefore = shop.simulator.mutationsApplied();
            shop.throttledBefore = shop.simulator.throttledCount();
        }
        System.err.printf("set-up: %d skus x %d stores, %d units each, in %.1f s%n", skus.size(), stores.size(),
                STOCK_PER_STORE, (System.nanoTime() - started) / 1e9);
    }

    /**
     * Sends each store's waiting sales as one {@code POST /api/v1/pos/transactions/batch}; a sale
     * counts as accepted (201) when its result says "accepted".
     */
    private void forwardBatches(List<List<int[]>> storeBuffers, List<List<String>> storeBodies,
            List<CompletableFuture<Void>> inFlight, AtomicLongArray answeredAt, int[] status) {
        for (int k = 0; k < storeBuffers.size(); k++) {
            List<int[]> indexes = new ArrayList<>(storeBuffers.get(k));
            if (indexes.isEmpty()) {
                continue;
            }
            String body = "{\"transactions\":[" + String.join(",", storeBodies.get(k)) + "]}";
            storeBuffers.get(k).clear();
            storeBodies.get(k).clear();
            inFlight.add(sendBatch(hubs.get(k % hubs.size()), body, indexes, 1, answeredAt, status));
        }
    }

    /** A 503 or 429 the sender will answer by sending again (counted); false once the attempts are used up. */
    private boolean refusedForNow(HttpResponse<?> response, int attempt, int sales) {
        if (response == null || (response.statusCode() != 503 && response.statusCode() != 429) || attempt >= MAX_ATTEMPTS) {
            return false;
        }
        refusedAnswers.incrementAndGet();
        if (attempt == 1) {
            resentSales.addAndGet(sales);
        }
        return true;
    }

    /** {@code again}, once the answer's Retry-After seconds (1 when it names none) have passed. */
    private static CompletableFuture<Void> later(HttpResponse<?> response, java.util.function.Supplier<CompletableFuture<Void>> again) {
        long wait = response.headers().firstValueAsLong("Retry-After").orElse(1);
        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(wait, TimeUnit.SECONDS))
                .thenCompose(ignored -> again.get());
    }

    /** One store server's batch; a 503 or 429 is sent again after its Retry-After, as for a single sale. */
    private CompletableFuture<Void> sendBatch(String instance, String body, List<int[]> indexes, int attempt,
            AtomicLongArray answeredAt, int[] status) {
        return http.sendAsync(request(instance, "/api/v1/pos/transactions/batch", body), HttpResponse.BodyHandlers.ofString())
                .handle((response, failure) -> response)
                .thenCompose(response -> {
                    int code = response == null ? -1 : response.statusCode();
                    if (refusedForNow(response, attempt, indexes.size())) {
                        return later(response, () -> sendBatch(instance, body, indexes, attempt + 1, answeredAt, status));
                    }
                    long now = System.nanoTime();
                    JsonNode results = code == 200 ? CanonicalJson.parse(response.body()).path("results") : null;
                    for (int j = 0; j < indexes.size(); j++) {
                        int index = indexes.get(j)[0];
                        answeredAt.set(index, now);
                        status[index] = results == null ? -1
                                : "accepted".equals(results.path(j).path("status").asText()) ? 201 : 500;
                    }
                    return CompletableFuture.completedFuture(null);
                });
    }

    /** What the CPU and relay figures of the measured window start from. */
    private record MeasuredStart(long[] hubCpu, List<Map<Long, ThreadCpu>> threads, List<Double> published, long benchCpu,
            Map<Long, Long> databaseCpu, List<Map<String, Double>> work, long databaseTransactions) {
    }

    /** Samples PostgreSQL's lock waits during the measured window (PostgreSQL runs only). */
    private volatile LockWaitSampler lockWaits;
    /** The cost of a fixed job on this machine during the measured window (warm by then). */
    private volatile MachineCanary canary;

    private MeasuredStart measuredStart() {
        try {
            disk.phase("measured");
            if (postgresUrl != null) {
                lockWaits = new LockWaitSampler(postgresUrl);
            }
            if (canary != null) {
                canary.record();
            }
            long bench = cpuMillis(ProcessHandle.current());
            // one scrape per instance gives both the relay's count and the work counters
            List<Map<String, Double>> work = workPerInstance();
            List<Double> published = work.stream().map(w -> w.get("unison_outbox_published_total")).toList();
            return new MeasuredStart(hubCpuMillis(), hubThreadCpu(), published, bench, databaseCpu(), work,
                    databaseTransactions());
        } catch (Exception e) {
            throw new IllegalStateException("could not read the figures at the start of the measured window", e);
        }
    }

    /** 503 and 429 answers (each followed by a resend after its Retry-After, as a till does). */
    private final java.util.concurrent.atomic.AtomicLong refusedAnswers = new java.util.concurrent.atomic.AtomicLong();
    /** Sales answered 503/429 at least once (they count as accepted once a resend is). */
    private final java.util.concurrent.atomic.AtomicLong resentSales = new java.util.concurrent.atomic.AtomicLong();
    private static final int MAX_ATTEMPTS = 10;

    /**
     * One sale, sent as a till sends it: a 503 or 429 with Retry-After is sent again after those
     * seconds (the key makes the resend safe); the answer that counts is the last, timed from the sale.
     */
    private CompletableFuture<Void> sendSale(String instance, String body, int index, int attempt,
            java.util.concurrent.atomic.AtomicLongArray answeredAt, int[] status) {
        return http.sendAsync(request(instance, "/api/v1/pos/transactions", body), HttpResponse.BodyHandlers.discarding())
                .handle((response, failure) -> response)
                .thenCompose(response -> {
                    int code = response == null ? -1 : response.statusCode();
                    if (refusedForNow(response, attempt, 1)) {
                        return later(response, () -> sendSale(instance, body, index, attempt + 1, answeredAt, status));
                    }
                    answeredAt.set(index, System.nanoTime());
                    status[index] = code;
                    return CompletableFuture.completedFuture(null);
                });
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The forked hub instances, for their CPU time. */
    private final List<ProcessHandle> hubProcesses = new ArrayList<>();

    private long[] hubCpuMillis() {
        return hubProcesses.stream().mapToLong(FreshnessBenchmark::cpuMillis).toArray();
    }

    /**
     * CPU (ms) each thread of each hub has used so far, by thread id, with its name, from /proc
     * (Linux; empty elsewhere). The measured window's difference, grouped by thread name (digits
     * folded), says where an instance's CPU goes: its JIT compiler, GC, request threads, each
     * consumer group, the relay. A JVM compiles its hot code during its first minutes, and N
     * instances compile N times over while each sees 1/N of the load, so on two cores compilation
     * is a large, passing share of a short run's CPU; it is reported apart.
     */
    private List<Map<Long, ThreadCpu>> hubThreadCpu() {
        List<Map<Long, ThreadCpu>> all = new ArrayList<>();
        for (ProcessHandle process : hubProcesses) {
            all.add(threadCpu(process.pid()));
        }
        return all;
    }

    record ThreadCpu(String group, long millis) {
    }

    private static Map<Long, ThreadCpu> threadCpu(long pid) {
        Map<Long, ThreadCpu> threads = new HashMap<>();
        Path tasks = Path.of("/proc", String.valueOf(pid), "task");
        if (!Files.isDirectory(tasks)) {
            return threads;
        }
        try (var list = Files.list(tasks)) {
            for (Path thread : list.toList()) {
                try {
                    String name = Files.readString(thread.resolve("comm")).strip().replaceAll("[0-9]+", "#");
                    String stat = Files.readString(thread.resolve("stat"));
                    // fields after the parenthesised name: state is field 3, utime 14 and stime 15 (proc(5))
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    threads.put(Long.parseLong(thread.getFileName().toString()), new ThreadCpu(name, ticks * 10)); // USER_HZ 100
                } catch (IOException | RuntimeException gone) {
                    // a thread may end while it is read
                }
            }
        } catch (IOException e) {
            return threads;
        }
        return threads;
    }

    /** CPU (ms) per thread group used between two readings; threads that ended in between are missing (lower bound). */
    private static Map<String, Long> cpuByThreadGroup(Map<Long, ThreadCpu> before, Map<Long, ThreadCpu> after) {
        Map<String, Long> groups = new java.util.TreeMap<>();
        after.forEach((tid, now) -> {
            ThreadCpu then = before.get(tid);
            long used = now.millis() - (then == null ? 0 : then.millis());
            groups.merge(now.group(), Math.max(0, used), Long::sum);
        });
        return groups;
    }

    private static long jitMillis(Map<String, Long> groups) {
        return groups.entrySet().stream().filter(g -> g.getKey().contains("CompilerThre")).mapToLong(Map.Entry::getValue).sum();
    }

    /**
     * CPU used so far (ms) by each embedded PostgreSQL process (server and backends;
     * empty on H2, which runs inside the hub): the database's cores count against the same two.
     */
    private Map<Long, Long> databaseCpu() {
        Map<Long, Long> cpu = new HashMap<>();
        if (postgresUrl != null) {
            // zonky's server is re-parented to init by pg_ctl, so it is found by its binary, not as a child
            ProcessHandle.allProcesses()
                    .filter(p -> p.info().command().map(c -> c.contains("embedded-pg") && c.endsWith("postgres")).orElse(false))
                    .forEach(p -> cpu.put(p.pid(), Math.max(0, cpuMillis(p))));
        }
        return cpu;
    }

    /** CPU time a process has used so far (ms), or -1 when the platform does not tell. */
    private static long cpuMillis(ProcessHandle process) {
        return process.info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(-1L);
    }

    private ObjectNode load(List<Shop> shops, List<String> skus, List<String> stores) throws Exception {
        // the first warmupSeconds of the stream are not measured: a fresh JVM spends them JIT-compiling
        // the warm-up may run at a lower rate (--warmup-rate): a fresh JVM compiles for minutes, and a
        // backlog built while it does would be measured as if it were the steady state
        // then --settle seconds at the target rate, also not measured: the step up from the warm-up rate
        // leaves a transient the steady state does not have
        int jit = settings.warmupRate() * settings.warmupSeconds();
        int warm = jit + settings.rate() * settings.settleSeconds();
        int total = warm + settings.rate() * settings.seconds();
        Random random = new Random(settings.seed());
        int[] skuOf = new int[total];
        long[] sentAt = new long[total];
        AtomicLongArray answeredAt = new AtomicLongArray(total);
        int[] status = new int[total];
        List<CompletableFuture<Void>> inFlight = new ArrayList<>(total);
        String day = LocalDate.now().toString();
        long start = System.nanoTime();
        long interval = 1_000_000_000L / settings.rate();
        long warmInterval = 1_000_000_000L / settings.warmupRate();
        List<List<int[]>> storeBuffers = new ArrayList<>();
        List<List<String>> storeBodies = new ArrayList<>();
        for (int k = 0; k < stores.size(); k++) {
            storeBuffers.add(new ArrayList<>());
            storeBodies.add(new ArrayList<>());
        }
        long nextForward = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, settings.posBatchMillis()));
        CompletableFuture<MeasuredStart> atMeasuredStart = null;
        canary = new MachineCanary();
        disk.phase("warm-up");
        for (int i = 0; i < total; i++) {
            if (i == warm) {
                // taken beside the sending, not in its way: reading every hub thread's CPU and the metrics
                // took seconds under load, and the sales held back meanwhile then left in one burst
                atMeasuredStart = CompletableFuture.supplyAsync(this::measuredStart, runnable -> {
                    Thread t = new Thread(runnable, "measured-start");
                    t.setDaemon(true);
                    t.start();
                });
            }
            long due = i < jit ? start + i * warmInterval : start + jit * warmInterval + (i - jit) * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int sku = random.nextInt(skus.size());
            int storeIndex = random.nextInt(stores.size());
            String store = stores.get(storeIndex);
            skuOf[i] = sku;
            String body = "{\"storeId\":\"" + store + "\",\"registerId\":\"R1\",\"businessDay\":\"" + day + "\",\"sequence\":" + i
                    + ",\"type\":\"sale\",\"occurredAt\":\"" + Instant.now() + "\",\"currency\":\"USD\",\"lines\":[{\"sku\":\""
                    + skus.get(sku) + "\",\"quantity\":1,\"unitPrice\":\"9.99\"}]}";
            int index = i;
            sentAt[i] = System.nanoTime();
            if (settings.posBatchMillis() > 0) {
                // a store server forwarding its tills' sales every posBatchMillis: the sale is timed from when
                // it happened (now), so the wait for the next forward counts in its freshness
                storeBuffers.get(storeIndex).add(new int[] {index});
                storeBodies.get(storeIndex).add(body);
                if (System.nanoTime() >= nextForward) {
                    forwardBatches(storeBuffers, storeBodies, inFlight, answeredAt, status);
                    nextForward = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.posBatchMillis());
                }
                continue;
            }
            inFlight.add(sendSale(hubs.get(storeIndex % hubs.size()), body, index, 1, answeredAt, status));
        }
        if (settings.posBatchMillis() > 0) {
            forwardBatches(storeBuffers, storeBodies, inFlight, answeredAt, status);
        }
        long sendingEnded = System.nanoTime();
        long measuredStart = start + jit * warmInterval + (warm - jit) * interval;
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        long answersEnded = System.nanoTime();
        MeasuredStart startSnapshot = atMeasuredStart.get(120, TimeUnit.SECONDS);
        long[] hubCpuAtMeasuredStart = startSnapshot.hubCpu();
        List<Map<Long, ThreadCpu>> threadsAtMeasuredStart = startSnapshot.threads();
        List<Double> publishedAtMeasuredStart = startSnapshot.published();
        long benchCpuAtMeasuredStart = startSnapshot.benchCpu();
        Map<Long, Long> databaseCpuAtMeasuredStart = startSnapshot.databaseCpu();
        long[] hubCpuAtEnd = hubCpuMillis();
        List<Map<Long, ThreadCpu>> threadsAtEnd = hubThreadCpu();
        List<Map<String, Double>> workAtEnd = workPerInstance();
        MachineCanary canaryMeasured = canary;
        canary = null;
        canaryMeasured.close();
        LockWaitSampler lockWaitsMeasured = lockWaits;
        if (lockWaitsMeasured != null) {
            lockWaitsMeasured.close();
            lockWaits = null;
        }
        long databaseTransactionsAtEnd = databaseTransactions();
        List<Map<String, Long>> threadGroups = new ArrayList<>();
        long hubJit = 0;
        for (int k = 0; k < threadsAtEnd.size(); k++) {
            threadGroups.add(cpuByThreadGroup(threadsAtMeasuredStart.isEmpty() ? Map.of() : threadsAtMeasuredStart.get(k),
                    threadsAtEnd.get(k)));
            hubJit += jitMillis(threadGroups.get(k));
        }
        long[] hubCpuPerInstance = new long[hubCpuAtEnd.length];
        long hubCpu = 0;
        for (int k = 0; k < hubCpuAtEnd.length; k++) {
            hubCpuPerInstance[k] = hubCpuAtEnd[k] - hubCpuAtMeasuredStart[k];
            hubCpu += hubCpuPerInstance[k];
        }
        long benchCpu = cpuMillis(ProcessHandle.current()) - benchCpuAtMeasuredStart;
        long databaseCpu = 0;
        for (Map.Entry<Long, Long> process : databaseCpu().entrySet()) {
            databaseCpu += process.getValue() - databaseCpuAtMeasuredStart.getOrDefault(process.getKey(), 0L);
        }

        // what each shop should finally hold
        long stock = STOCK_PER_STORE * stores.size();
        long[] expectedAfter = new long[total];
        Map<Integer, Long> soldSoFar = new HashMap<>();
        int accepted = 0;
        for (int i = 0; i < total; i++) {
            if (status[i] == 201) {
                if (i >= warm) {
                    accepted++;
                }
                long sold = soldSoFar.merge(skuOf[i], 1L, Long::sum);
                expectedAfter[i] = stock - sold;
            } else {
                expectedAfter[i] = Long.MIN_VALUE;
            }
        }
        // wait for each shop to converge (or the drain budget to run out)
        disk.phase("drain");
        Map<Shop, Long> convergedAfterNanos = new LinkedHashMap<>();
        long drainDeadline = answersEnded + TimeUnit.SECONDS.toNanos(settings.drainSeconds());
        for (Shop shop : shops) {
            while (System.nanoTime() < drainDeadline && !converged(shop, skus, soldSoFar, stock)) {
                Thread.sleep(100);
            }
            if (converged(shop, skus, soldSoFar, stock)) {
                convergedAfterNanos.put(shop, System.nanoTime() - sendingEnded);
            }
        }

        // the relay's work per instance, from the first measured sale until the shops converged
        List<Double> publishedAtEnd = publishedPerInstance();

        ObjectNode result = CanonicalJson.mapper().createObjectNode();
        ObjectNode config = result.putObject("settings");
        config.put("rate", settings.rate()).put("seconds", settings.seconds()).put("skus", settings.skus())
                .put("stores", settings.stores()).put("stockPerStore", STOCK_PER_STORE).put("drainSeconds", settings.drainSeconds())
                .put("cores", Runtime.getRuntime().availableProcessors()).put("seed", settings.seed())
                .put("warmupSeconds", settings.warmupSeconds()).put("warmupRate", settings.warmupRate())
                .put("settleSeconds", settings.settleSeconds()).put("hubHeap", HUB_HEAP)
                .put("instances", settings.instances()).put("idleSeconds", settings.idleSeconds())
                .put("posBatchMillis", settings.posBatchMillis())
                .put("posSubmission", settings.posBatchMillis() > 0
                        ? "per store, every " + settings.posBatchMillis() + " ms, POST /api/v1/pos/transactions/batch (freshness timed from the sale)"
                        : "one POST /api/v1/pos/transactions per sale")
                .put("database", settings.db().equals("postgres") ? "PostgreSQL (local, fsync on)" : "H2 file (embedded default)")
                .put("bus", settings.bus().equals("kafka") ? "Apache Kafka (in the benchmark's JVM, 6 partitions; production profile)"
                        : "embedded Artemis");
        Histogram api = new Histogram(3_600_000_000L, 3);
        for (int i = warm; i < total; i++) {
            if (answeredAt.get(i) > 0) {
                api.recordValue(Math.max(1, (answeredAt.get(i) - sentAt[i]) / 1_000));
            }
        }
        ObjectNode pos = result.putObject("pos");
        pos.put("warmupSales", warm).put("sent", total - warm).put("accepted", accepted)
                .put("refusedOrFailed", total - warm - accepted)
                .put("overloadedAnswers", refusedAnswers.get()).put("resentSales", resentSales.get())
                .put("achievedSalesPerSecond", round(accepted / ((answersEnded - measuredStart) / 1e9)))
                .put("sendingSeconds", round((sendingEnded - measuredStart) / 1e9));
        pos.set("latencyMs", percentiles(api));
        // per second of the measured window (by when the sale happened): shows whether slow sales come in stalls
        int seconds = (int) Math.max(1, Math.ceil((sentAt[total - 1] - measuredStart) / 1e9));
        Histogram[] apiBySecond = new Histogram[seconds];
        for (int i = warm; i < total; i++) {
            int second = (int) Math.min(seconds - 1, Math.max(0, (sentAt[i] - measuredStart) / 1_000_000_000L));
            if (apiBySecond[second] == null) {
                apiBySecond[second] = new Histogram(3_600_000_000L, 3);
            }
            if (answeredAt.get(i) > 0) {
                apiBySecond[second].recordValue(Math.max(1, (answeredAt.get(i) - sentAt[i]) / 1_000));
            }
        }
        pos.set("latencyBySecondMs", bySecond(apiBySecond));
        // wall-clock start of second 0, to line the seconds up with the hub's log or a GC log
        pos.put("measuredFrom", java.time.Instant.now().minusNanos(System.nanoTime() - measuredStart).toString());
        // CPU from the first measured sale until the last answer: what the machine's cores were spent on
        double windowSeconds = (answersEnded - measuredStart) / 1e9;
        ObjectNode cpu = result.putObject("cpu");
        cpu.put("windowSeconds", round(windowSeconds))
                .put("hubCores", round(hubCpu / 1000.0 / windowSeconds))
                .put("hubMsPerAcceptedSale", accepted == 0 ? null : round((double) hubCpu / accepted))
                .put("hubJitCompilerCores", round(hubJit / 1000.0 / windowSeconds))
                .put("hubMsPerAcceptedSaleWithoutJit", accepted == 0 ? null : round((double) (hubCpu - hubJit) / accepted))
                .put("benchmarkProcessCores", round(benchCpu / 1000.0 / windowSeconds))
                .put("databaseProcessesCores", postgresUrl == null ? 0 : round(databaseCpu / 1000.0 / windowSeconds))
                .put("note", "benchmark process = load driver + the phase's Shopify simulators, same machine; "
                        + "hub = all instances together");
        ArrayNode perInstance = cpu.putArray("perInstance");
        double publishedTotal = 0;
        for (int k = 0; k < hubs.size(); k++) {
            publishedTotal += publishedAtEnd.get(k) - publishedAtMeasuredStart.get(k);
        }
        for (int k = 0; k < hubs.size(); k++) {
            double published = publishedAtEnd.get(k) - publishedAtMeasuredStart.get(k);
            perInstance.addObject().put("instance", k).put("cores", round(hubCpuPerInstance[k] / 1000.0 / windowSeconds))
                    .put("jitCompilerCores", round(jitMillis(threadGroups.get(k)) / 1000.0 / windowSeconds))
                    .put("eventsRelayed", (long) published)
                    .put("relayShare", publishedTotal == 0 ? 0 : Math.round(published / publishedTotal * 1000) / 1000.0);
        }
        for (int k = 0; k < hubs.size(); k++) {
            ObjectNode byThread = ((ObjectNode) perInstance.get(k)).putObject("coresByThreadGroup");
            threadGroups.get(k).entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .filter(g -> g.getValue() > 0)
                    .forEach(g -> byThread.put(g.getKey(), Math.round(g.getValue() / windowSeconds) / 1000.0));
        }
        // work per accepted sale in the CPU's window: counts, not times, so they compare across machines and runs
        if (lockWaitsMeasured != null) {
            result.set("lockWaits", lockWaitsMeasured.result());
        }
        result.set("machineCanary", canaryMeasured.result());
        ObjectNode work = result.putObject("workPerSale");
        work.put("note", "counted from the first measured sale to the last answer, as the CPU; per accepted sale");
        if (accepted > 0) {
            if (startSnapshot.databaseTransactions() >= 0 && databaseTransactionsAtEnd >= 0) {
                work.put("databaseTransactions", Math.round((databaseTransactionsAtEnd - startSnapshot.databaseTransactions())
                        * 1000.0 / accepted) / 1000.0);
            }
            ArrayNode byInstance = work.putArray("perInstance");
            Map<String, Double> totals = new LinkedHashMap<>();
            for (int k = 0; k < hubs.size(); k++) {
                ObjectNode one = byInstance.addObject().put("instance", k);
                Map<String, Double> deltas = new LinkedHashMap<>();
                for (String counter : WORK_COUNTERS) {
                    double delta = workAtEnd.get(k).get(counter) - startSnapshot.work().get(k).get(counter);
                    deltas.put(counter, delta);
                    totals.merge(counter, delta, Double::sum);
                    one.put(counter, (long) delta);
                }
                double transactions = deltas.get("unison_bus_transactions_total");
                one.put("eventsPerGroupTransaction", transactions == 0 ? 0
                        : Math.round(deltas.get("unison_bus_delivered_total") / transactions * 10) / 10.0);
            }
            ObjectNode byGroup = work.putObject("groupTransactionsByGroup");
            long acceptedSales = accepted;
            workAtEnd.get(0).keySet().stream().filter(key -> key.startsWith("transactions of ")).sorted().forEach(key -> {
                double delta = 0;
                for (int k = 0; k < hubs.size(); k++) {
                    delta += workAtEnd.get(k).getOrDefault(key, 0.0) - startSnapshot.work().get(k).getOrDefault(key, 0.0);
                }
                byGroup.put(key.substring("transactions of ".length()), Math.round(delta * 1000.0 / acceptedSales) / 1000.0);
            });
            work.put("groupTransactions", Math.round(totals.get("unison_bus_transactions_total") * 1000.0 / accepted) / 1000.0)
                    .put("groupDeliveries", Math.round(totals.get("unison_bus_delivered_total") * 1000.0 / accepted) / 1000.0)
                    .put("posGroupCommits", Math.round(totals.get("unison_pos_group_seconds_count") * 1000.0 / accepted) / 1000.0)
                    .put("kafkaFetches", Math.round(totals.get("kafka_consumer_fetch_manager_fetch_total") * 1000.0 / accepted) / 1000.0)
                    .put("kafkaOffsetCommits", Math.round(totals.get("unison_bus_offset_commits_total") * 1000.0 / accepted) / 1000.0)
                    .put("relayBatches", Math.round(totals.get("unison_outbox_relay_batches_total") * 1000.0 / accepted) / 1000.0)
                    .put("eventsPerRelayBatch", totals.get("unison_outbox_relay_batches_total") == 0 ? 0
                            : Math.round(totals.get("unison_outbox_published_total") / totals.get("unison_outbox_relay_batches_total") * 10) / 10.0)
                    .put("eventsPerGroupTransaction", totals.get("unison_bus_transactions_total") == 0 ? 0
                            : Math.round(totals.get("unison_bus_delivered_total") / totals.get("unison_bus_transactions_total") * 10) / 10.0);
        }
        cpu.put("hubCoresPrecise", Math.round(hubCpu / windowSeconds) / 1000.0)
                .put("hubMsPerAcceptedSaleWithoutJitPrecise", accepted == 0 ? null
                        : Math.round((double) (hubCpu - hubJit) / accepted * 100) / 100.0);
        cpu.put("eventsRelayed", (long) publishedTotal)
                .put("hubMsPerRelayedEvent", publishedTotal == 0 ? null : Math.round(hubCpu / publishedTotal * 1000) / 1000.0);
        ArrayNode shopResults = result.putArray("shops");
        for (Shop shop : shops) {
            Histogram freshness = new Histogram(3_600_000_000L, 3);
            Histogram lastFifth = new Histogram(3_600_000_000L, 3);
            Histogram[] freshnessBySecond = new Histogram[seconds];
            int reflected = 0;
            for (int i = warm; i < total; i++) {
                if (expectedAfter[i] == Long.MIN_VALUE) {
                    continue;
                }
                long seenAt = firstAtOrBelow(shop.sets(skus.get(skuOf[i])), expectedAfter[i]);
                if (seenAt == Long.MAX_VALUE) {
                    continue;
                }
                reflected++;
                long micros = Math.max(1, (seenAt - sentAt[i]) / 1_000);
                freshness.recordValue(micros);
                int second = (int) Math.min(seconds - 1, Math.max(0, (sentAt[i] - measuredStart) / 1_000_000_000L));
                if (freshnessBySecond[second] == null) {
                    freshnessBySecond[second] = new Histogram(3_600_000_000L, 3);
                }
                freshnessBySecond[second].recordValue(micros);
                if (i >= total - (total - warm) / 5) {
                    lastFifth.recordValue(micros);
                }
            }
            ObjectNode s = shopResults.addObject();
            s.put("connection", shop.connection);
            s.put("mode", shop.connection.equals("naive") ? "one call per event (no coalescing, no batching, no pacing)"
                    : "Unison: coalesced per sku, batched, paced by cost feedback");
            s.put("salesReflected", reflected).put("salesNotReflectedWithinDrain", accepted - reflected);
            s.set("freshnessMs", percentiles(freshness));
            s.set("freshnessLastFifthMs", percentiles(lastFifth));
            s.set("freshnessBySecondMs", bySecond(freshnessBySecond));
            s.put("apiCalls", shop.simulator.mutationsApplied() - shop.mutationsBefore);
            s.put("throttledAnswers", shop.simulator.throttledCount() - shop.throttledBefore);
            Long convergedAfter = convergedAfterNanos.get(shop);
            if (convergedAfter == null) {
                s.putNull("convergedSecondsAfterLastSale");
            } else {
                s.put("convergedSecondsAfterLastSale", round(convergedAfter / 1e9));
            }
        }
        return result;
    }

    private static boolean converged(Shop shop, List<String> skus, Map<Integer, Long> sold, long stock) {
        for (int k = 0; k < skus.size(); k++) {
            Long q = shop.quantity(skus.get(k));
            if (q == null || q != stock - sold.getOrDefault(k, 0L)) {
                return false;
            }
        }
        return true;
    }

    /** The first time the shop held at most {@code expected} (sets are appended in time order). */
    private static long firstAtOrBelow(List<long[]> sets, long expected) {
        synchronized (sets) {
            for (long[] set : sets) {
                if (set[1] <= expected) {
                    return set[0];
                }
            }
        }
        return Long.MAX_VALUE;
    }

    /** One entry per second: [second, count, p50, p99, max], ms; an empty second has count 0. */
    private static ArrayNode bySecond(Histogram[] histograms) {
        ArrayNode out = CanonicalJson.mapper().createArrayNode();
        for (int second = 0; second < histograms.length; second++) {
            Histogram h = histograms[second];
            ArrayNode row = out.addArray().add(second).add(h == null ? 0 : h.getTotalCount());
            if (h != null && h.getTotalCount() > 0) {
                row.add(round(h.getValueAtPercentile(50) / 1000.0)).add(round(h.getValueAtPercentile(99) / 1000.0))
                        .add(round(h.getMaxValue() / 1000.0));
            }
        }
        return out;
    }

    private static ObjectNode percentiles(Histogram h) {
        ObjectNode out = CanonicalJson.mapper().createObjectNode();
        out.put("count", h.getTotalCount());
        if (h.getTotalCount() == 0) {
            return out;
        }
        out.put("p50", round(h.getValueAtPercentile(50) / 1000.0)).put("p95", round(h.getValueAtPercentile(95) / 1000.0))
                .put("p99", round(h.getValueAtPercentile(99) / 1000.0)).put("max", round(h.getMaxValue() / 1000.0));
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private HttpRequest request(String path, String json) {
        return request(hub, path, json);
    }

    private HttpRequest request(String instance, String path, String json) {
        return HttpRequest.newBuilder(URI.create(instance + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return http.send(request(path, json), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
