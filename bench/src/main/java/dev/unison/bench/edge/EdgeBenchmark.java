package dev.unison.bench.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.bench.Options;
import dev.unison.bench.Results;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every door into the hub at its saturation point, in one run against one hub on its embedded
 * defaults (H2 file database, embedded Artemis): POS one request per sale, POS store batches,
 * signed Shopify webhooks, partner events one per request and batched (CloudEvents), identity
 * sightings. Each door runs closed-loop ({@code --clients} keep-alive connections, each sending its
 * next request once the last is answered) for a warm-up and then {@code --seconds}; reported per
 * door: requests and items accepted per second, acknowledgement latency p50/p99/max, the hub's CPU
 * per request and per item. Between doors the hub is left to finish what the last door started
 * (mapping webhooks, publishing events) until it is idle, so a door pays only for its own work;
 * the webhook door runs last, since mapping its backlog takes longest.
 *
 * <p>Then the overload phase: POS one request per sale, open loop, at three times the rate the
 * POS door sustained, then back to a rate below it. It reports how quickly refused requests were
 * answered (503/429 with {@code Retry-After}), and the accepted rate and latency once the load drops.
 *
 * <p>Finally the hub is killed with {@code kill -9} and its database opened: every request the hub
 * acknowledged must be there (sales, webhook deliveries, partner events, identifiers).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.unison.bench.edge.EdgeBenchmark --seconds 30 --clients 64 \
 *      --hub apps/hub/target/unison-hub.jar --out bench/results
 * </pre>
 */
public final class EdgeBenchmark {

    private static final String KEY = "bench-bootstrap-key-0123456789";
    private static final String SECRET = "bench-webhook-secret";
    private static final String CONNECTION = "bench-shop";
    private static final String SHOP_DOMAIN = "bench-shop.myshopify.com";
    private static final int SKUS = 1000;
    private static final int STORES = 20;
    private static final int BATCH = 100;

    /**
     * @param clients connections per one-item door; {@code batchClients} for the batch doors (a store
     *     server or a partner's exporter sends one batch after another, not dozens at once)
     */
    record Settings(int seconds, int warmup, int clients, int batchClients, Path hubJar, Path out, List<String> doors,
            boolean overload, int overloadSeconds, double overloadFactor) {
        static Settings parse(String[] args) {
            Map<String, String> a = Options.parse(args, Set.of("seconds", "warmup", "clients", "batch-clients", "hub", "out",
                    "doors", "overload", "overload-seconds", "overload-factor"));
            return new Settings(Integer.parseInt(a.getOrDefault("seconds", "30")), Integer.parseInt(a.getOrDefault("warmup", "10")),
                    Integer.parseInt(a.getOrDefault("clients", "64")), Integer.parseInt(a.getOrDefault("batch-clients", "4")),
                    Path.of(a.getOrDefault("hub", "apps/hub/target/unison-hub.jar")), Path.of(a.getOrDefault("out", "bench/results")),
                    List.of(a.getOrDefault("doors", "pos-single,pos-batch,events-single,events-batch,identities,webhooks").split(",")),
                    Boolean.parseBoolean(a.getOrDefault("overload", "true")), Integer.parseInt(a.getOrDefault("overload-seconds", "20")),
                    Double.parseDouble(a.getOrDefault("overload-factor", "3")));
        }
    }

    /** A door's measured window. */
    record Measured(String door, String path, int itemsPerRequest, HttpLoad.Outcome outcome, long accepted, long hubCpuMillis) {
        double requestsPerSecond() {
            return outcome.answers.get() / outcome.seconds;
        }

        double itemsPerSecond() {
            return accepted / outcome.seconds;
        }
    }

    private final Settings settings;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String day = LocalDate.now().toString();
    private final AtomicLong sequence = new AtomicLong();
    private final List<String> skus = new ArrayList<>();
    private final List<String> stores = new ArrayList<>();
    /** What the hub acknowledged, per door, to look for in its database afterwards. */
    private final Queue<long[]> acceptedSales = new ConcurrentLinkedQueue<>();
    private final Queue<String> acceptedWebhooks = new ConcurrentLinkedQueue<>();
    private final Queue<String> acceptedEvents = new ConcurrentLinkedQueue<>();
    private final Queue<String> acceptedIdentifiers = new ConcurrentLinkedQueue<>();
    private ShopifySimulator shop;
    private String partnerKey;
    private Path dir;
    private int port;

    private EdgeBenchmark(Settings settings) {
        this.settings = settings;
        for (int i = 0; i < SKUS; i++) {
            skus.add(String.format(Locale.ROOT, "EDGE-%04d", i));
        }
        for (int i = 0; i < STORES; i++) {
            stores.add(String.format(Locale.ROOT, "STORE-%02d", i + 1));
        }
    }

    public static void main(String[] args) throws Exception {
        new EdgeBenchmark(Settings.parse(args)).run();
    }

    private void run() throws Exception {
        dir = Files.createTempDirectory("unison-edge-bench-");
        port = freePort();
        shop = new ShopifySimulator(freePort(), SHOP_DOMAIN, "shpat_bench", SECRET, Clock.systemUTC());
        shop.start();
        writeConfiguration();
        Process hub = startHub();
        List<Measured> doors = new ArrayList<>();
        ObjectNode overload = null;
        long[] lost;
        try (HttpLoad load = new HttpLoad("127.0.0.1", port)) {
            dev.unison.bench.HubHealth.await(http, base(), Duration.ofSeconds(180));
            setUp();
            for (String door : settings.doors()) {
                HttpLoad.Door warm = door(door.trim());
                load.closedLoop(warm, clientsOf(door.trim()), Duration.ofSeconds(settings.warmup()));
                awaitIdle(hub);
                doors.add(measure(load, hub, door.trim()));
                awaitIdle(hub);
            }
            if (settings.overload()) {
                double sustained = doors.stream().filter(d -> d.door().equals("pos-single")).mapToDouble(Measured::itemsPerSecond)
                        .findFirst().orElse(1000);
                overload = overloadPhase(load, hub, sustained);
            }
        } finally {
            // kill -9: what the hub acknowledged must already be on disk
            hub.destroyForcibly();
            hub.waitFor(60, TimeUnit.SECONDS);
            shop.close();
        }
        lost = verify();
        report(doors, overload, lost);
        deleteTree(dir.resolve("data"));
        System.err.println("hub log: " + dir.resolve("hub.log"));
    }

    // ---- the doors -------------------------------------------------------------------------

    private HttpLoad.Door door(String name) {
        return switch (name) {
            case "pos-single" -> new SimpleDoor("/api/v1/pos/transactions", KEY, () -> {
                long seq = sequence.incrementAndGet();
                return new Tagged(sale(seq).getBytes(StandardCharsets.UTF_8), seq);
            }, (tag, status, body) -> {
                if (status == 201) {
                    acceptedSales.add(new long[] {(Long) tag});
                }
            });
            case "pos-batch" -> new SimpleDoor("/api/v1/pos/transactions/batch", KEY, () -> {
                long[] seqs = new long[BATCH];
                StringBuilder body = new StringBuilder(BATCH * 260).append("{\"transactions\":[");
                for (int i = 0; i < BATCH; i++) {
                    seqs[i] = sequence.incrementAndGet();
                    body.append(i > 0 ? "," : "").append(sale(seqs[i]));
                }
                return new Tagged(body.append("]}").toString().getBytes(StandardCharsets.UTF_8), seqs);
            }, (tag, status, body) -> {
                if (status == 200) {
                    JsonNode results = CanonicalJson.parse(body).path("results");
                    long[] seqs = (long[]) tag;
                    for (int i = 0; i < seqs.length; i++) {
                        if ("accepted".equals(results.path(i).path("status").asText())) {
                            acceptedSales.add(new long[] {seqs[i]});
                        }
                    }
                }
            });
            case "webhooks" -> new HttpLoad.Door() {
                @Override
                public HttpLoad.Request next() {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    ObjectNode order = shop.newOrder("shopper" + random.nextInt(100_000) + "@bench.example", "USD",
                            new ShopifySimulator.Line(skus.get(random.nextInt(SKUS)), 1, "9.99"));
                    ShopifySimulator.Delivery delivery = shop.webhook("orders/create", order);
                    Map<String, String> headers = new LinkedHashMap<>(delivery.headers());
                    headers.put("Content-Type", "application/json");
                    return new HttpLoad.Request("/webhooks/shopify/" + CONNECTION, headers, delivery.body(), delivery.eventId());
                }

                @Override
                public void answered(HttpLoad.Request request, int status, String body) {
                    if (status == 200 && body.contains("accepted")) {
                        acceptedWebhooks.add("event:" + request.tag());
                    }
                }
            };
            case "events-single" -> new SimpleDoor("/api/v1/events", partnerKey, "application/cloudevents+json", () -> {
                String id = "single-" + sequence.incrementAndGet();
                return new Tagged(cloudEvent(id).getBytes(StandardCharsets.UTF_8), id);
            }, (tag, status, body) -> {
                if (status == 202) {
                    acceptedEvents.add((String) tag);
                }
            });
            case "events-batch" -> new SimpleDoor("/api/v1/events", partnerKey, "application/cloudevents-batch+json", () -> {
                String[] ids = new String[BATCH];
                StringBuilder body = new StringBuilder(BATCH * 240).append('[');
                for (int i = 0; i < BATCH; i++) {
                    ids[i] = "batch-" + sequence.incrementAndGet();
                    body.append(i > 0 ? "," : "").append(cloudEvent(ids[i]));
                }
                return new Tagged(body.append(']').toString().getBytes(StandardCharsets.UTF_8), ids);
            }, (tag, status, body) -> {
                if (status == 200) {
                    JsonNode results = CanonicalJson.parse(body).path("results");
                    String[] ids = (String[]) tag;
                    for (int i = 0; i < ids.length; i++) {
                        if ("accepted".equals(results.path(i).path("status").asText())) {
                            acceptedEvents.add(ids[i]);
                        }
                    }
                }
            });
            case "identities" -> new SimpleDoor("/api/v1/identities", partnerKey, () -> {
                // a loyalty sign-up: a new card with an email that is new half the time and known the other half
                long n = sequence.incrementAndGet();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                String email = random.nextBoolean() ? "member" + n + "@bench.example" : "member" + random.nextLong(Math.max(1, n)) + "@bench.example";
                String body = "{\"source\":\"bench-loyalty\",\"identifiers\":[{\"type\":\"loyalty_id\",\"value\":\"LC" + n
                        + "\"},{\"type\":\"email\",\"value\":\"" + email + "\"}]}";
                return new Tagged(body.getBytes(StandardCharsets.UTF_8), "loyalty_id:LC" + n);
            }, (tag, status, body) -> {
                if (status == 200 || status == 201) {
                    acceptedIdentifiers.add((String) tag);
                }
            });
            default -> throw new IllegalArgumentException("unknown door '" + name
                    + "'; doors: pos-single, pos-batch, webhooks, events-single, events-batch, identities");
        };
    }

    private record Tagged(byte[] body, Object tag) {
    }

    private interface Answered {
        void answered(Object tag, int status, String body);
    }

    /** A door whose requests are JSON bodies with the bearer key to one path. */
    private static final class SimpleDoor implements HttpLoad.Door {
        private final String path;
        private final Map<String, String> headers;
        private final java.util.function.Supplier<Tagged> next;
        private final Answered answered;

        SimpleDoor(String path, String key, java.util.function.Supplier<Tagged> next, Answered answered) {
            this(path, key, "application/json", next, answered);
        }

        SimpleDoor(String path, String key, String contentType, java.util.function.Supplier<Tagged> next, Answered answered) {
            this.path = path;
            this.headers = Map.of("Authorization", "Bearer " + key, "Content-Type", contentType);
            this.next = next;
            this.answered = answered;
        }

        @Override
        public HttpLoad.Request next() {
            Tagged t = next.get();
            return new HttpLoad.Request(path, headers, t.body(), t.tag());
        }

        @Override
        public void answered(HttpLoad.Request request, int status, String body) {
            answered.answered(request.tag(), status, body);
        }
    }

    private String sale(long seq) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "{\"storeId\":\"" + stores.get((int) (seq % STORES)) + "\",\"registerId\":\"R1\",\"businessDay\":\"" + day
                + "\",\"sequence\":" + seq + ",\"type\":\"sale\",\"occurredAt\":\"" + Instant.now()
                + "\",\"currency\":\"USD\",\"lines\":[{\"sku\":\"" + skus.get(random.nextInt(SKUS))
                + "\",\"quantity\":1,\"unitPrice\":\"9.99\"}]}";
    }

    private static String cloudEvent(String id) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"/bench/pim\",\"type\":\"commerce.item.upserted.v1\","
                + "\"datacontenttype\":\"application/json\",\"data\":{\"sku\":\"PIM-" + (id.hashCode() & 1023)
                + "\",\"title\":\"Bench item " + id + "\"}}";
    }

    private Measured measure(HttpLoad load, Process hub, String name) throws Exception {
        long before = countAccepted(name);
        long cpu = cpuMillis(hub);
        HttpLoad.Outcome outcome = load.closedLoop(door(name), clientsOf(name), Duration.ofSeconds(settings.seconds()));
        long used = cpuMillis(hub) - cpu;
        Measured m = new Measured(name, pathOf(name), name.endsWith("batch") ? BATCH : 1, outcome, countAccepted(name) - before, used);
        System.err.printf("%s: %,.0f requests/s, %,.0f items/s, p99 %.1f ms, %d µs hub CPU per request%n", name,
                m.requestsPerSecond(), m.itemsPerSecond(), outcome.latency.getValueAtPercentile(99) / 1000.0,
                outcome.answers.get() == 0 ? 0 : used * 1000 / outcome.answers.get());
        return m;
    }

    private int clientsOf(String door) {
        return door.endsWith("batch") ? settings.batchClients() : settings.clients();
    }

    private long countAccepted(String door) {
        return switch (door) {
            case "pos-single", "pos-batch" -> acceptedSales.size();
            case "webhooks" -> acceptedWebhooks.size();
            case "events-single", "events-batch" -> acceptedEvents.size();
            default -> acceptedIdentifiers.size();
        };
    }

    private static String pathOf(String door) {
        return switch (door) {
            case "pos-single" -> "POST /api/v1/pos/transactions";
            case "pos-batch" -> "POST /api/v1/pos/transactions/batch (" + BATCH + " sales)";
            case "webhooks" -> "POST /webhooks/shopify/{connection} (orders/create, signed)";
            case "events-single" -> "POST /api/v1/events (application/cloudevents+json)";
            case "events-batch" -> "POST /api/v1/events (application/cloudevents-batch+json, " + BATCH + " events)";
            default -> "POST /api/v1/identities";
        };
    }

    // ---- overload ---------------------------------------------------------------------------

    /**
     * POS one request per sale at {@code factor} times the sustained rate, then at 80% of it: how
     * fast refusals come, that the hub keeps accepting near its capacity meanwhile, and that once
     * the load drops every sale is accepted promptly again.
     */
    private ObjectNode overloadPhase(HttpLoad load, Process hub, double sustained) throws Exception {
        double rate = sustained * settings.overloadFactor();
        long before = acceptedSales.size();
        long cpu = cpuMillis(hub);
        HttpLoad.Outcome over = load.openLoop(door("pos-single"), rate, 4000, Duration.ofSeconds(settings.overloadSeconds()));
        long overAccepted = acceptedSales.size() - before;
        long overCpu = cpuMillis(hub) - cpu;
        double calm = sustained * 0.8;
        before = acceptedSales.size();
        HttpLoad.Outcome after = load.openLoop(door("pos-single"), calm, 4000, Duration.ofSeconds(settings.overloadSeconds()));
        long afterAccepted = acceptedSales.size() - before;
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("sustainedPerSecond", Math.round(sustained)).put("factor", settings.overloadFactor());
        phase(o.putObject("overload"), rate, over, overAccepted).put("hubCpuMillis", overCpu);
        phase(o.putObject("afterwards"), calm, after, afterAccepted);
        return o;
    }

    private static ObjectNode phase(ObjectNode p, double rate, HttpLoad.Outcome outcome, long accepted) {
        p.put("offeredPerSecond", Math.round(rate)).put("seconds", round(outcome.seconds)).put("answers", outcome.answers.get())
                .put("accepted", accepted).put("acceptedPerSecond", Math.round(accepted / outcome.seconds))
                .put("refused503or429", outcome.refused.get()).put("failed", outcome.failed.get())
                .put("neverSent", outcome.dropped.get())
                .put("latencyP50Millis", outcome.latency.getValueAtPercentile(50) / 1000.0)
                .put("latencyP99Millis", outcome.latency.getValueAtPercentile(99) / 1000.0)
                .put("refusalP50Millis", outcome.refusalLatency.getValueAtPercentile(50) / 1000.0)
                .put("refusalP99Millis", outcome.refusalLatency.getValueAtPercentile(99) / 1000.0)
                .put("refusalSentToAnswerP50Millis", outcome.refusalService.getValueAtPercentile(50) / 1000.0)
                .put("refusalSentToAnswerP99Millis", outcome.refusalService.getValueAtPercentile(99) / 1000.0)
                .putPOJO("refusedBy", new java.util.TreeMap<>(outcome.refusalReasons))
                .put("sentToAnswerP50Millis", outcome.service.getValueAtPercentile(50) / 1000.0)
                .put("sentToAnswerP99Millis", outcome.service.getValueAtPercentile(99) / 1000.0);
        return p;
    }

    // ---- set-up, hub, verification ---------------------------------------------------------

    private void writeConfiguration() throws IOException {
        StringBuilder app = new StringBuilder("unison:\n  simulators:\n    shopify:\n      enabled: false\n"
                + "    tiktok-shop:\n      enabled: false\n"
                // capacity is measured, not the per-partner policy (2,000 requests/s by default)
                + "  api:\n    rate-limit:\n      requests-per-second: 0\n"
                + "  inventory:\n    locations:\n");
        for (String store : stores) {
            app.append("      - id: ").append(store).append("\n        type: store\n        channels: [store, shopify]\n");
        }
        app.append("logging:\n  level:\n    root: WARN\n");
        Files.writeString(dir.resolve("application.yaml"), app);
        Files.writeString(dir.resolve("connections.yaml"), "connections:\n  - id: " + CONNECTION + "\n    connector: shopify\n"
                + "    settings:\n      shopDomain: " + SHOP_DOMAIN + "\n      accessToken: ${BENCH_SHOP_TOKEN}\n"
                + "      webhookSecret: ${BENCH_WEBHOOK_SECRET}\n      adminBaseUrl: " + shop.baseUrl() + "\n"
                + "      locationId: '" + ShopifySimulator.DEFAULT_LOCATION_ID + "'\n");
    }

    private Process startHub() throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g"));
        String extra = System.getProperty("bench.hubJvmOpts");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", settings.hubJar().toAbsolutePath().toString(),
                "--spring.config.additional-location=file:" + dir + "/", "--server.port=" + port,
                "--unison.data-dir=" + dir.resolve("data"), "--unison.connections-location=file:" + dir.resolve("connections.yaml")));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("UNISON_BOOTSTRAP_API_KEY", KEY);
        builder.environment().put("BENCH_WEBHOOK_SECRET", SECRET);
        builder.environment().put("BENCH_SHOP_TOKEN", "shpat_bench");
        builder.redirectErrorStream(true).redirectOutput(dir.resolve("hub.log").toFile());
        return builder.start();
    }

    /** Products (taught by webhooks), stock at every store, and the partner the events and sightings come from. */
    private void setUp() throws Exception {
        HttpResponse<String> created = post("/api/v1/admin/partners", KEY,
                "{\"name\":\"bench-partner\",\"scopes\":[\"events:write\",\"events:read\",\"profiles:write\"]}");
        if (created.statusCode() != 201) {
            throw new IllegalStateException("partner not created: " + created.statusCode() + " " + created.body());
        }
        partnerKey = CanonicalJson.parse(created.body()).get("apiKey").asText();
        for (int from = 0; from < SKUS; from += 50) {
            ObjectNode product = shop.newProduct("Edge " + from, skus.subList(from, Math.min(SKUS, from + 50)).toArray(String[]::new));
            int status = shop.send(base() + "/webhooks/shopify/" + CONNECTION, shop.webhook("products/update", product));
            if (status != 200) {
                throw new IllegalStateException("products/update answered " + status);
            }
        }
        Instant asOf = Instant.now().minusSeconds(1);
        for (String store : stores) {
            ObjectNode body = CanonicalJson.mapper().createObjectNode();
            ArrayNode counts = body.put("countId", "edge-open-" + store).put("locationId", store).put("asOf", asOf.toString())
                    .putArray("counts");
            skus.forEach(sku -> counts.addObject().put("sku", sku).put("quantity", 1_000_000));
            HttpResponse<String> answer = post("/api/v1/inventory/counts", KEY, CanonicalJson.write(body));
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("count for " + store + " answered " + answer.statusCode() + ": " + answer.body());
            }
        }
    }

    /**
     * Until the hub has used less than a tenth of a core for two seconds (at most ten minutes: the
     * inbox maps a connection's deliveries one at a time, so a webhook door's backlog takes minutes).
     */
    private static void awaitIdle(Process hub) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        int quiet = 0;
        long last = cpuMillis(hub);
        while (quiet < 4 && System.nanoTime() < until) {
            Thread.sleep(500);
            long now = cpuMillis(hub);
            quiet = now - last < 50 ? quiet + 1 : 0;
            last = now;
        }
    }

    /**
     * Opens the killed hub's H2 database and looks for everything it acknowledged; returns per door
     * kind what is missing: sales, webhook deliveries, partner events, identifiers.
     */
    private long[] verify() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("data/db/unison") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
        try (Connection db = DriverManager.getConnection(url, "sa", "")) {
            // one scan per table: a lookup per key would scan on columns no index leads with
            long sales = missing(db, "SELECT sequence_no FROM pos_transaction", acceptedSales.stream().map(s -> (Object) s[0]).toList());
            long webhooks = missing(db, "SELECT dedupe_key FROM inbox WHERE connection_id = '" + CONNECTION + "'",
                    List.copyOf(acceptedWebhooks));
            long events = missing(db, "SELECT owner_event_id FROM outbox_event WHERE owner IS NOT NULL", List.copyOf(acceptedEvents));
            long identifiers = missing(db, "SELECT match_key FROM identity_identifier", List.copyOf(acceptedIdentifiers));
            return new long[] {sales, webhooks, events, identifiers};
        }
    }

    /** How many of {@code keys} the query's first column does not hold. */
    private static long missing(Connection db, String sql, List<Object> keys) throws Exception {
        Set<Object> stored = new java.util.HashSet<>();
        try (PreparedStatement s = db.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                stored.add(rs.getObject(1));
            }
        }
        return keys.stream().filter(k -> !stored.contains(k)).count();
    }

    private void report(List<Measured> doors, ObjectNode overload, long[] lost) throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        ObjectNode result = CanonicalJson.mapper().createObjectNode();
        result.put("benchmark", "edges").put("at", Instant.now().toString()).put("cores", cores).put("clients", settings.clients())
                .put("batchClients", settings.batchClients())
                .put("seconds", settings.seconds()).put("database", "H2 file (embedded default)")
                .put("note", "load driver (one Netty event loop) and hub on the same machine; partner rate limit off");
        StringBuilder md = new StringBuilder("## Edges at saturation (closed loop, " + settings.clients() + " keep-alive clients per "
                + "one-item door, " + settings.batchClients() + " per batch door, " + settings.seconds() + " s each, " + cores
                + " cores, embedded default)\n\n"
                + "| door | request | items/request | requests/s | items accepted/s | ack p50 | ack p99 | ack max | refused (503/429) | hub CPU per request | per item |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        ArrayNode json = result.putArray("doors");
        for (Measured m : doors) {
            HttpLoad.Outcome o = m.outcome();
            long answers = Math.max(1, o.answers.get());
            json.addObject().put("door", m.door()).put("request", m.path()).put("itemsPerRequest", m.itemsPerRequest())
                    .put("requests", o.answers.get()).put("requestsPerSecond", Math.round(m.requestsPerSecond()))
                    .put("itemsAccepted", m.accepted()).put("itemsPerSecond", Math.round(m.itemsPerSecond()))
                    .put("ackP50Millis", o.latency.getValueAtPercentile(50) / 1000.0)
                    .put("ackP99Millis", o.latency.getValueAtPercentile(99) / 1000.0)
                    .put("ackMaxMillis", o.latency.getMaxValue() / 1000.0).put("refused", o.refused.get()).put("failed", o.failed.get())
                    .put("hubCpuMicrosPerRequest", m.hubCpuMillis() * 1000 / answers)
                    .put("hubCpuMicrosPerItem", m.accepted() == 0 ? 0 : m.hubCpuMillis() * 1000 / m.accepted());
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %,.0f | %,.0f | %.1f ms | %.1f ms | %.1f ms | %,d | %,d µs | %,d µs |%n",
                    m.door(), m.path(), m.itemsPerRequest(), m.requestsPerSecond(), m.itemsPerSecond(),
                    o.latency.getValueAtPercentile(50) / 1000.0, o.latency.getValueAtPercentile(99) / 1000.0,
                    o.latency.getMaxValue() / 1000.0, o.refused.get(), m.hubCpuMillis() * 1000 / answers,
                    m.accepted() == 0 ? 0 : m.hubCpuMillis() * 1000 / m.accepted()));
        }
        if (overload != null) {
            result.set("overload", overload);
            md.append("\n### Overload: POS one request per sale, open loop\n\n")
                    .append("| phase | offered/s | accepted/s | refused (503/429) | refusal p50 / p99, sent to answer | every answer p50 / p99, sent to answer | every answer p50 / p99, from due time | never sent (driver queue) |\n|---|---|---|---|---|---|---|---|\n");
            for (String phase : List.of("overload", "afterwards")) {
                JsonNode p = overload.get(phase);
                md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %.1f / %.1f ms | %.1f / %.1f ms | %.1f / %.1f ms | %,d |%n",
                        phase, p.get("offeredPerSecond").asLong(), p.get("acceptedPerSecond").asLong(),
                        p.get("refused503or429").asLong(), p.get("refusalSentToAnswerP50Millis").asDouble(),
                        p.get("refusalSentToAnswerP99Millis").asDouble(), p.get("sentToAnswerP50Millis").asDouble(),
                        p.get("sentToAnswerP99Millis").asDouble(), p.get("latencyP50Millis").asDouble(),
                        p.get("latencyP99Millis").asDouble(), p.get("neverSent").asLong()));
            }
        }
        ObjectNode verified = result.putObject("afterKill9");
        verified.put("salesMissing", lost[0]).put("webhooksMissing", lost[1]).put("eventsMissing", lost[2]).put("identifiersMissing", lost[3])
                .put("salesAccepted", acceptedSales.size()).put("webhooksAccepted", acceptedWebhooks.size())
                .put("eventsAccepted", acceptedEvents.size()).put("sightingsAccepted", acceptedIdentifiers.size());
        md.append(String.format(Locale.ROOT, "%nAfter kill -9, in the hub's database: %,d of %,d acknowledged sales, %,d of %,d webhook "
                        + "deliveries, %,d of %,d partner events, %,d of %,d sightings' new identifiers.%n",
                acceptedSales.size() - lost[0], acceptedSales.size(), acceptedWebhooks.size() - lost[1], acceptedWebhooks.size(),
                acceptedEvents.size() - lost[2], acceptedEvents.size(), acceptedIdentifiers.size() - lost[3], acceptedIdentifiers.size()));
        Results.write(settings.out(), "edges", result, md.toString());
        if (lost[0] + lost[1] + lost[2] + lost[3] > 0) {
            throw new IllegalStateException("acknowledged input missing after kill -9: " + java.util.Arrays.toString(lost));
        }
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private HttpResponse<String> post(String path, String key, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static long cpuMillis(Process process) {
        return process.toHandle().info().totalCpuDuration().map(Duration::toMillis).orElse(0L);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
