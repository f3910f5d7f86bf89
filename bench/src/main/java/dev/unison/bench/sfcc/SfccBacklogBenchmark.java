package dev.unison.bench.sfcc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.bench.HubHealth;
import dev.unison.bench.Options;
import dev.unison.bench.Results;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.simulator.SimResponse;
import dev.unison.connectors.sfcc.simulator.SfccSimulator;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backlog of {@code --orders} ready orders in SFCC drained by the hub: an {@link SfccSimulator}
 * in this process with its real per-endpoint limits ("B2C Commerce API: Rate limits", per 60 s
 * window: GET orders 4000, PUT export-status 4000) holds {@code --orders} ready orders before the
 * hub starts; a forked hub (embedded default, H2 file, demo shops off, inventory locations serving
 * channel {@code sfcc} as config/application.yaml does) has one {@code sfcc} connection to it
 * ({@code pageSize} 200, the descriptor's maximum; {@code pollInterval} PT1S;
 * {@code requestsPerSecond} {@code --requests-per-second}, default 60, the descriptor's maximum).
 *
 * <p>Measured from the hub's health answering 200 (start-up ready): (a) the time until every order
 * is stored in the hub, i.e. readable at {@code GET /api/v1/orders/sfcc/{orderNo}} (the orders
 * domain, not just the inbox), and (b) the time until every order's export status in the simulator
 * is {@code exported}. Counted in the simulator (a subclass wraps every route): order-search GETs
 * (ready-orders stream and order-updates stream apart), export-status PUTs, token requests, OCI
 * batch updates, 429s and 503s answered. From the hub's metrics: {@code poll.orders} deliveries
 * stored; more than {@code --orders} is an order stored twice (duplicates, must be 0);
 * {@code poll.order-updates} stored must be 0 too (setting the export status changes no state the
 * hub keeps).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.unison.bench.sfcc.SfccBacklogBenchmark --orders 10000 \
 *      --hub apps/hub/target/unison-hub.jar --out bench/results
 * </pre>
 */
public final class SfccBacklogBenchmark {

    private static final String KEY = "bench-bootstrap-key-0123456789";
    private static final String CONNECTION = "bench-sfcc";
    private static final int PAGE_SIZE = 200;

    record Settings(int orders, int requestsPerSecond, Path hubJar, Path out, int timeoutMinutes, String name) {
        static Settings parse(String[] args) {
            Map<String, String> a = Options.parse(args, Set.of("orders", "requests-per-second", "hub", "out", "timeout-minutes", "name"));
            Settings s = new Settings(Integer.parseInt(a.getOrDefault("orders", "10000")),
                    Integer.parseInt(a.getOrDefault("requests-per-second", "60")),
                    Path.of(a.getOrDefault("hub", "apps/hub/target/unison-hub.jar")), Path.of(a.getOrDefault("out", "bench/results")),
                    Integer.parseInt(a.getOrDefault("timeout-minutes", "10")), a.getOrDefault("name", "sfcc-backlog"));
            if (s.requestsPerSecond() < 1 || s.requestsPerSecond() > 60) {
                throw new IllegalArgumentException("--requests-per-second must be 1 to 60 (the descriptor's range)");
            }
            if (s.orders() < 1) {
                throw new IllegalArgumentException("--orders must be at least 1");
            }
            return s;
        }
    }

    /** The simulator with every answer counted: per endpoint, and 429s and 503s. */
    static final class CountingSfcc extends SfccSimulator {
        private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
        private final AtomicLong firstDataCall = new AtomicLong();

        CountingSfcc(int port) {
            super(port, Clock.systemUTC());
        }

        @Override
        protected void route(String method, String pathRegex, Handler handler) {
            super.route(method, pathRegex, r -> {
                String endpoint = endpoint(method, r.path(), r.queryParam("exportStatus"));
                SimResponse response = null;
                try {
                    response = handler.apply(r);
                    return response;
                } finally {
                    int status = response == null ? 400 : response.status();
                    count(endpoint, status);
                }
            });
        }

        private static String endpoint(String method, String path, String exportStatus) {
            if (path.endsWith("/access_token")) {
                return "token";
            }
            if (path.endsWith("/export-status")) {
                return "PUT export-status";
            }
            if (path.endsWith("/batch-update")) {
                return "POST OCI batch-update";
            }
            if (path.endsWith("/customer-search")) {
                return "POST customer-search";
            }
            if ("GET".equals(method) && path.endsWith("/orders")) {
                return "GET order search (exportStatus=" + exportStatus + ")";
            }
            if ("GET".equals(method) && path.contains("/orders/")) {
                return "GET order";
            }
            return method + " " + path;
        }

        private void count(String endpoint, int status) {
            if (!"token".equals(endpoint)) {
                firstDataCall.compareAndSet(0, System.nanoTime());
            }
            calls.computeIfAbsent(endpoint, e -> new AtomicLong()).incrementAndGet();
            calls.computeIfAbsent(endpoint + " -> " + status, e -> new AtomicLong()).incrementAndGet();
            if (status == 429 || status == 503) {
                calls.computeIfAbsent("status " + status, e -> new AtomicLong()).incrementAndGet();
            }
        }

        long calls(String key) {
            AtomicLong n = calls.get(key);
            return n == null ? 0 : n.get();
        }

        Map<String, Long> snapshot() {
            Map<String, Long> out = new TreeMap<>();
            calls.forEach((k, v) -> out.put(k, v.get()));
            return out;
        }
    }

    /** One sample of the run. */
    record Sample(double seconds, long inInbox, int stored, int exported, long searches, long puts, long throttled) {
    }

    private final Settings settings;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Sample> samples = new ArrayList<>();
    private CountingSfcc sfcc;
    private Path dir;
    private int port;

    private SfccBacklogBenchmark(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        new SfccBacklogBenchmark(Settings.parse(args)).run();
    }

    private void run() throws Exception {
        dir = Files.createTempDirectory("unison-sfcc-bench-");
        port = freePort();
        sfcc = new CountingSfcc(freePort());
        sfcc.keepReceived(10);
        sfcc.start();
        List<String> orderNos = sfcc.addOrders(settings.orders());
        writeConfiguration();
        long forked = System.nanoTime();
        Process hub = startHub();
        ObjectNode result;
        try {
            HubHealth.await(http, base(), Duration.ofSeconds(180));
            long ready = System.nanoTime();
            result = drain(orderNos, forked, ready);
            result.set("hubMetrics", metrics());
        } finally {
            hub.destroy();
            if (!hub.waitFor(60, TimeUnit.SECONDS)) {
                hub.destroyForcibly();
                hub.waitFor(30, TimeUnit.SECONDS);
            }
            sfcc.close();
        }
        report(result);
        deleteTree(dir.resolve("data"));
        System.err.println("hub log: " + dir.resolve("hub.log"));
    }

    private ObjectNode drain(List<String> orderNos, long forked, long ready) throws Exception {
        int n = orderNos.size();
        int storedUpTo = 0; // orders [0, storedUpTo) are readable in the hub
        int exportedUpTo = 0; // orders [0, exportedUpTo) are exported in the simulator
        long storedAt = 0;
        long exportedAt = 0;
        long deadline = ready + TimeUnit.MINUTES.toNanos(settings.timeoutMinutes());
        long nextSample = ready;
        while (System.nanoTime() < deadline && (storedAt == 0 || exportedAt == 0)) {
            // a page's last order stored stands for its page (a GET per page, not per order: the probe must not load
            // the hub it measures); once the last page's is, every order is checked (the time includes that check, so
            // it is never too early, at most the check's duration late)
            int checks = 0;
            while (storedUpTo < n && checks++ < 20 && stored(orderNos.get(Math.min(n, storedUpTo + PAGE_SIZE) - 1))) {
                storedUpTo = Math.min(n, storedUpTo + PAGE_SIZE);
            }
            if (storedUpTo == n && storedAt == 0 && !allStored(orderNos)) {
                storedUpTo = n - 1; // not all of them yet: look again next time round
            }
            if (storedUpTo == n && storedAt == 0) {
                storedAt = System.nanoTime();
                System.err.printf(Locale.ROOT, "all %,d stored %.1f s after ready%n", n, (storedAt - ready) / 1e9);
            }
            while (exportedUpTo < n && "exported".equals(sfcc.exportStatusOf(orderNos.get(exportedUpTo)))) {
                exportedUpTo++;
            }
            if (exportedUpTo == n && exportedAt == 0) {
                // the order of confirmation is the order of search; make sure of every order
                exportedAt = System.nanoTime();
                int notExported = (int) orderNos.stream().filter(o -> !"exported".equals(sfcc.exportStatusOf(o))).count();
                if (notExported > 0) {
                    throw new IllegalStateException(notExported + " orders not exported after the first " + n + " were");
                }
                System.err.printf(Locale.ROOT, "all %,d exported %.1f s after ready%n", n, (exportedAt - ready) / 1e9);
            }
            long now = System.nanoTime();
            if (now >= nextSample) {
                Sample s = new Sample((now - ready) / 1e9, inInbox(), storedUpTo, exportedUpTo, searches(), sfcc.calls("PUT export-status"),
                        sfcc.calls("status 429"));
                samples.add(s);
                if (samples.size() % 5 == 1) {
                    System.err.printf(Locale.ROOT, "%6.0f s: %,d in the inbox, %,d in the orders domain, %,d exported, %,d searches, "
                            + "%,d export-status PUTs, %,d 429s%n", s.seconds(), s.inInbox(), s.stored(), s.exported(), s.searches(),
                            s.puts(), s.throttled());
                }
                nextSample = Math.max(nextSample + TimeUnit.SECONDS.toNanos(1), now); // no burst of samples after a slow look
            }
            Thread.sleep(100);
        }
        long end = System.nanoTime();
        samples.add(new Sample((end - ready) / 1e9, inInbox(), storedUpTo, exportedUpTo, searches(), sfcc.calls("PUT export-status"),
                sfcc.calls("status 429")));
        // a last look a few seconds on: a page fetched again would show as stored twice now
        Thread.sleep(5000);
        int missing = 0;
        for (String orderNo : orderNos) {
            if (!stored(orderNo)) {
                missing++;
            }
        }
        ObjectNode r = CanonicalJson.mapper().createObjectNode();
        r.put("completed", storedAt != 0 && exportedAt != 0).put("orders", n)
                .put("hubStartupSeconds", round((ready - forked) / 1e9))
                .put("firstDataCallAfterReadySeconds", sfcc.firstDataCall.get() == 0 ? -1 : round((sfcc.firstDataCall.get() - ready) / 1e9))
                .put("allStoredSeconds", storedAt == 0 ? -1 : round((storedAt - ready) / 1e9))
                .put("allExportedSeconds", exportedAt == 0 ? -1 : round((exportedAt - ready) / 1e9))
                .put("storedAtEnd", storedUpTo).put("exportedAtEnd", exportedUpTo).put("missingInHubAfterwards", missing);
        ObjectNode calls = r.putObject("calls");
        sfcc.snapshot().forEach(calls::put);
        r.put("orderSearches", searches()).put("exportStatusPuts", sfcc.calls("PUT export-status"))
                .put("tokenRequests", sfcc.calls("token")).put("tokensIssued", sfcc.tokensIssued())
                .put("throttled429", sfcc.calls("status 429")).put("shed503", sfcc.calls("status 503"));
        ArrayNode timeline = r.putArray("timeline");
        for (Sample s : samples) {
            timeline.addObject().put("seconds", round(s.seconds())).put("inInbox", s.inInbox()).put("stored", s.stored()).put("exported", s.exported())
                    .put("searches", s.searches()).put("exportStatusPuts", s.puts()).put("throttled429", s.throttled());
        }
        return r;
    }

    private long searches() {
        long total = 0;
        for (var e : sfcc.snapshot().entrySet()) {
            if (e.getKey().startsWith("GET order search") && !e.getKey().contains(" -> ")) {
                total += e.getValue();
            }
        }
        return total;
    }

    /** Orders taken into the hub's inbox so far: the hub's counter of stored deliveries of the orders stream. */
    private long inInbox() {
        return events(metrics(), "poll.orders", "stored");
    }

    /** Every order readable in the hub, asked 16 at a time: the time it takes is within the reported time, so keep it short. */
    private boolean allStored(List<String> orderNos) {
        java.util.concurrent.ExecutorService askers = java.util.concurrent.Executors.newFixedThreadPool(16);
        try {
            List<java.util.concurrent.Future<Boolean>> answers = new ArrayList<>();
            for (String orderNo : orderNos) {
                answers.add(askers.submit(() -> storedQuietly(orderNo)));
            }
            boolean all = true;
            for (var answer : answers) {
                all &= answer.get();
            }
            return all;
        } catch (Exception e) {
            return false;
        } finally {
            askers.shutdownNow();
        }
    }

    private boolean storedQuietly(String orderNo) {
        try {
            return stored(orderNo);
        } catch (Exception e) {
            return false;
        }
    }

    private boolean stored(String orderNo) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/orders/sfcc/" + orderNo)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }

    private JsonNode metrics() {
        ObjectNode m = CanonicalJson.mapper().createObjectNode();
        try {
            String text = http.send(HttpRequest.newBuilder(URI.create(base() + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Map<String, String> lines = new TreeMap<>();
            text.lines().filter(l -> !l.startsWith("#") && l.contains(CONNECTION)).forEach(l -> {
                int space = l.lastIndexOf(' ');
                lines.put(l.substring(0, space), l.substring(space + 1));
            });
            lines.forEach(m::put);
        } catch (Exception e) {
            m.put("error", String.valueOf(e.getMessage()));
        }
        return m;
    }

    /** The hub's counter {@code unison_connection_events_total} of this connection for {@code what} and {@code outcome}. */
    private static long events(JsonNode metrics, String what, String outcome) {
        double total = 0;
        for (var field : (Iterable<Map.Entry<String, JsonNode>>) metrics::fields) {
            String k = field.getKey();
            if (k.startsWith("unison_connection_events_total") && k.contains("what=\"" + what + "\"")
                    && k.contains("outcome=\"" + outcome + "\"")) {
                total += Double.parseDouble(field.getValue().asText());
            }
        }
        return (long) total;
    }

    // ---- set-up and report --------------------------------------------------------------------

    private void writeConfiguration() throws IOException {
        // as config/application.yaml: a store and the warehouse serve channel sfcc (a sale needs a location of its channel)
        Files.writeString(dir.resolve("application.yaml"), "unison:\n  simulators:\n    shopify:\n      enabled: false\n"
                + "    tiktok-shop:\n      enabled: false\n    sfcc:\n      enabled: false\n"
                + "  api:\n    rate-limit:\n      requests-per-second: 0\n"
                + "  inventory:\n    locations:\n"
                + "      - id: STORE-7\n        type: store\n        channels: [store, sfcc]\n"
                + "      - id: WH-1\n        type: warehouse\n        channels: [sfcc]\n"
                + "    safety-stock:\n      sfcc: 0\n"
                + "logging:\n  level:\n    root: WARN\n");
        Files.writeString(dir.resolve("connections.yaml"), "connections:\n  - id: " + CONNECTION + "\n    connector: sfcc\n"
                + "    settings:\n      apiBaseUrl: " + sfcc.baseUrl() + "\n      tokenUrl: " + sfcc.baseUrl() + SfccSimulator.TOKEN_PATH + "\n"
                + "      organizationId: " + SfccSimulator.ORGANIZATION + "\n      tenantId: " + SfccSimulator.TENANT + "\n"
                + "      siteId: " + SfccSimulator.SITE + "\n      clientId: " + SfccSimulator.CLIENT_ID + "\n"
                + "      clientSecret: ${BENCH_SFCC_CLIENT_SECRET}\n      channel: sfcc\n      ociLocation: RefArch-online\n"
                + "      pollInterval: PT1S\n      pageSize: " + PAGE_SIZE + "\n      requestsPerSecond: " + settings.requestsPerSecond() + "\n");
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
        builder.environment().put("BENCH_SFCC_CLIENT_SECRET", SfccSimulator.CLIENT_SECRET);
        builder.redirectErrorStream(true).redirectOutput(dir.resolve("hub.log").toFile());
        return builder.start();
    }

    private void report(ObjectNode r) throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        JsonNode metrics = r.get("hubMetrics");
        long storedDeliveries = events(metrics, "poll.orders", "stored");
        long updatesStored = events(metrics, "poll.order-updates", "stored");
        int n = settings.orders();
        r.put("pollOrdersStored", storedDeliveries).put("pollOrderUpdatesStored", updatesStored)
                .put("duplicates", Math.max(0, storedDeliveries - n));
        ObjectNode result = CanonicalJson.mapper().createObjectNode();
        result.put("benchmark", "sfcc-backlog").put("at", Instant.now().toString()).put("cores", cores).put("orders", n)
                .put("pageSize", PAGE_SIZE).put("pollInterval", "PT1S").put("requestsPerSecond", settings.requestsPerSecond())
                .put("database", "H2 file (embedded default)")
                .put("limits", "simulator per 60 s window: GET orders 4000, PUT export-status 4000 (B2C Commerce API: Rate limits)")
                .put("note", "hub, simulator and driver on the same machine; times from the hub's health answering 200");
        result.set("hub", r);
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "## SFCC backlog: %,d ready orders, pageSize %d, pollInterval PT1S, "
                + "requestsPerSecond %d, %d cores, embedded default (H2)%n%n", n, PAGE_SIZE, settings.requestsPerSecond(), cores));
        md.append("| | |\n|---|---|\n");
        row(md, "hub start-up (fork → health 200)", r.get("hubStartupSeconds").asText() + " s");
        row(md, "first API call after ready", r.get("firstDataCallAfterReadySeconds").asText() + " s");
        row(md, "(a) all orders stored in the hub (GET /api/v1/orders/sfcc/{orderNo} 200)", seconds(r.get("allStoredSeconds").asDouble())
                + String.format(Locale.ROOT, " (%,d of %,d at the end)", r.get("storedAtEnd").asInt(), n));
        row(md, "(b) all orders `exported` in the simulator", seconds(r.get("allExportedSeconds").asDouble())
                + String.format(Locale.ROOT, " (%,d of %,d at the end)", r.get("exportedAtEnd").asInt(), n));
        row(md, "order searches (GET .../orders)", fmt(r.get("orderSearches").asLong()) + "  " + breakdown(r.get("calls"), "GET order search"));
        row(md, "export-status PUTs", fmt(r.get("exportStatusPuts").asLong()));
        row(md, "token requests", fmt(r.get("tokenRequests").asLong()));
        row(md, "OCI batch updates (the sales' availability out)", fmt(r.get("calls").path("POST OCI batch-update").asLong()));
        row(md, "429s received", fmt(r.get("throttled429").asLong()));
        row(md, "503s received", fmt(r.get("shed503").asLong()));
        row(md, "deliveries stored by the orders stream (hub metric poll.orders stored)", fmt(storedDeliveries));
        row(md, "duplicates (orders stored twice, must be 0)", fmt(Math.max(0, storedDeliveries - n)));
        row(md, "order-updates stream stored (must be 0: exporting changes no state)", fmt(updatesStored));
        row(md, "orders missing in the hub 5 s after the end (must be 0)", fmt(r.get("missingInHubAfterwards").asLong()));
        md.append("\nEvery call the simulator answered, by endpoint and status:\n\n| call | count |\n|---|---|\n");
        r.get("calls").fields().forEachRemaining(e -> md.append("| ").append(e.getKey()).append(" | ").append(fmt(e.getValue().asLong()))
                .append(" |\n"));
        md.append("\nTimeline (every 5 s after ready): taken into the hub's inbox (metric poll.orders stored), readable in the "
                + "orders domain (a page counted when its last order is), exported in the simulator, searches, PUTs, 429s\n\n")
                .append("| s | in the inbox | in the orders domain | exported | searches | export-status PUTs | 429s |\n"
                        + "|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            if (i % 5 == 0 || i == samples.size() - 1) {
                md.append(String.format(Locale.ROOT, "| %.0f | %,d | %,d | %,d | %,d | %,d | %,d |%n", s.seconds(), s.inInbox(), s.stored(), s.exported(),
                        s.searches(), s.puts(), s.throttled()));
            }
        }
        Results.write(settings.out(), settings.name(), result, md.toString());
    }

    private static String breakdown(JsonNode calls, String prefix) {
        StringBuilder b = new StringBuilder();
        calls.fields().forEachRemaining(e -> {
            if (e.getKey().startsWith(prefix) && !e.getKey().contains(" -> ")) {
                b.append(b.length() == 0 ? "(" : ", ").append(e.getKey().substring(prefix.length()).trim()).append(": ")
                        .append(fmt(e.getValue().asLong()));
            }
        });
        return b.length() == 0 ? "" : b.append(')').toString();
    }

    private static String seconds(double s) {
        return s < 0 ? "**not reached** (timed out)" : String.format(Locale.ROOT, "**%.1f s**", s);
    }

    private static void row(StringBuilder md, String what, String value) {
        md.append("| ").append(what).append(" | ").append(value).append(" |\n");
    }

    private static String fmt(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
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
