package dev.unison.bench.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.bench.Options;
import dev.unison.bench.Results;
import dev.unison.canonical.json.CanonicalJson;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Partner event ingest through {@code POST /api/v1/events}: the CloudEvents batched mode
 * ({@code application/cloudevents-batch+json}) beside the single-event structured mode, in the same
 * run against the same hub. Each mode runs closed-loop: {@code --clients} partner clients each send
 * the next request as soon as the previous one is acknowledged, for {@code --seconds}. Reported per
 * mode: events accepted per second, acknowledgement latency (per request; p50, p99, max), the hub's
 * CPU per accepted event. Afterwards every accepted event is read back through
 * {@code GET /api/v1/events/{id}} — an event counted as accepted but not readable fails the run.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.unison.bench.ingest.PartnerIngestBenchmark \
 *      --seconds 30 --clients 8 --batch 100 --hub apps/hub/target/unison-hub.jar --out bench/results
 * </pre>
 */
public final class PartnerIngestBenchmark {

    private static final String KEY = "bench-bootstrap-key-0123456789";

    /**
     * @param singleOnly measure the single-event mode only, sent as a structured event in an
     *     {@code application/json} body (what hubs before the CloudEvents binding accepted), to compare builds
     */
    record Settings(int seconds, int warmup, int clients, int batch, Path hubJar, Path out, boolean singleOnly) {
        static Settings parse(String[] args) {
            Map<String, String> a = Options.parse(args, Set.of("seconds", "warmup", "clients", "batch", "hub", "out", "single-only"));
            return new Settings(Integer.parseInt(a.getOrDefault("seconds", "30")), Integer.parseInt(a.getOrDefault("warmup", "10")),
                    Integer.parseInt(a.getOrDefault("clients", "8")), Integer.parseInt(a.getOrDefault("batch", "100")),
                    Path.of(a.getOrDefault("hub", "apps/hub/target/unison-hub.jar")), Path.of(a.getOrDefault("out", "bench/results")),
                    Boolean.parseBoolean(a.getOrDefault("single-only", "false")));
        }
    }

    /** What one mode did. */
    record Outcome(String mode, int eventsPerRequest, long requests, long accepted, long refused, double seconds,
            Histogram latency, long hubCpuMillis, List<String> acceptedIds) {
        double eventsPerSecond() {
            return accepted / seconds;
        }
    }

    private final Settings settings;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String hub;
    private String partnerKey;

    private PartnerIngestBenchmark(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        new PartnerIngestBenchmark(Settings.parse(args)).run();
    }

    private void run() throws Exception {
        Path dir = Files.createTempDirectory("unison-ingest-bench-");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        hub = "http://127.0.0.1:" + port;
        Process process = startHub(dir, port);
        try {
            awaitHealthy(Duration.ofSeconds(120));
            HttpResponse<String> created = send("/api/v1/admin/partners", KEY, "application/json",
                    "{\"name\":\"bench-partner\",\"scopes\":[\"events:write\",\"events:read\"]}");
            partnerKey = CanonicalJson.parse(created.body()).get("apiKey").asText();

            // warm-up of both paths (JIT, pools), not counted
            measure("warmup-single", 1, settings.warmup(), process);
            if (!settings.singleOnly()) {
                measure("warmup-batch", settings.batch(), settings.warmup(), process);
            }
            Outcome single = measure("single", 1, settings.seconds(), process);
            Outcome batched = settings.singleOnly() ? null : measure("batch", settings.batch(), settings.seconds(), process);
            long unreadable = verify(single) + (batched == null ? 0 : verify(batched));
            report(single, batched, unreadable);
            if (unreadable > 0) {
                throw new IllegalStateException(unreadable + " accepted events could not be read back");
            }
        } finally {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
            deleteTree(dir);
        }
    }

    private Outcome measure(String mode, int perRequest, int seconds, Process process) throws Exception {
        Recorder recorder = new Recorder(3);
        AtomicLong requests = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicInteger sequence = new AtomicInteger();
        Queue<String> accepted = new ConcurrentLinkedQueue<>();
        long cpuBefore = cpuMillis(process);
        long started = System.nanoTime();
        long deadline = started + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService clients = Executors.newFixedThreadPool(settings.clients());
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < settings.clients(); c++) {
            running.add(clients.submit(() -> {
                while (System.nanoTime() < deadline) {
                    List<String> ids = new ArrayList<>(perRequest);
                    StringBuilder body = new StringBuilder(perRequest * 220).append(perRequest > 1 ? "[" : "");
                    for (int i = 0; i < perRequest; i++) {
                        String id = mode + "-" + sequence.incrementAndGet();
                        ids.add(id);
                        body.append(i > 0 ? "," : "").append("{\"specversion\":\"1.0\",\"id\":\"").append(id)
                                .append("\",\"source\":\"/bench/pim\",\"type\":\"commerce.item.upserted.v1\",")
                                .append("\"datacontenttype\":\"application/json\",\"data\":{\"sku\":\"SKU-")
                                .append(id.hashCode() & 1023).append("\",\"title\":\"Bench item ").append(id).append("\"}}");
                    }
                    body.append(perRequest > 1 ? "]" : "");
                    long sent = System.nanoTime();
                    HttpResponse<String> answer = send("/api/v1/events", partnerKey,
                            perRequest > 1 ? "application/cloudevents-batch+json"
                                    : settings.singleOnly() ? "application/json" : "application/cloudevents+json", body.toString());
                    recorder.recordValue(Math.max(1, (System.nanoTime() - sent) / 1_000));
                    requests.incrementAndGet();
                    collect(answer, ids, accepted, refused);
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        clients.shutdown();
        double elapsed = (System.nanoTime() - started) / 1e9;
        return new Outcome(mode, perRequest, requests.get(), accepted.size(), refused.get(), elapsed,
                recorder.getIntervalHistogram(), cpuMillis(process) - cpuBefore, new ArrayList<>(accepted));
    }

    private static void collect(HttpResponse<String> answer, List<String> ids, Queue<String> accepted, AtomicLong refused) {
        if (ids.size() == 1) {
            if (answer.statusCode() == 202) {
                accepted.add(ids.get(0));
            } else {
                refused.incrementAndGet();
            }
            return;
        }
        if (answer.statusCode() != 200) {
            refused.addAndGet(ids.size());
            return;
        }
        JsonNode results = CanonicalJson.parse(answer.body()).get("results");
        for (int i = 0; i < ids.size(); i++) {
            if ("accepted".equals(results.get(i).get("status").asText())) {
                accepted.add(ids.get(i));
            } else {
                refused.incrementAndGet();
            }
        }
    }

    /** Reads every accepted event back; returns how many could not be. */
    private long verify(Outcome outcome) throws Exception {
        AtomicLong missing = new AtomicLong();
        ExecutorService readers = Executors.newFixedThreadPool(8);
        List<Future<?>> reads = new ArrayList<>();
        int slice = Math.max(1, outcome.acceptedIds().size() / 8 + 1);
        for (int from = 0; from < outcome.acceptedIds().size(); from += slice) {
            List<String> ids = outcome.acceptedIds().subList(from, Math.min(outcome.acceptedIds().size(), from + slice));
            reads.add(readers.submit(() -> {
                for (String id : ids) {
                    HttpResponse<String> answer;
                    // the partner's own rate limit (429) or the hub's back-pressure (503) says when to ask again
                    while ((answer = http.send(HttpRequest.newBuilder(URI.create(hub + "/api/v1/events/" + id))
                            .header("Authorization", "Bearer " + partnerKey).build(), HttpResponse.BodyHandlers.ofString()))
                            .statusCode() == 429 || answer.statusCode() == 503) {
                        Thread.sleep(1000 * answer.headers().firstValueAsLong("Retry-After").orElse(1));
                    }
                    if (answer.statusCode() != 200 || !answer.body().contains(id + "\"")) {
                        missing.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : reads) {
            f.get();
        }
        readers.shutdown();
        return missing.get();
    }

    private void report(Outcome single, Outcome batched, long unreadable) throws IOException {
        ObjectNode result = CanonicalJson.mapper().createObjectNode();
        result.put("benchmark", "partner-ingest").put("at", Instant.now().toString()).put("clients", settings.clients())
                .put("seconds", settings.seconds()).put("cores", Runtime.getRuntime().availableProcessors())
                .put("unreadableAfterwards", unreadable);
        StringBuilder md = new StringBuilder("## Partner ingest: CloudEvents batched vs single (" + settings.clients() + " clients, "
                + settings.seconds() + " s per mode, " + Runtime.getRuntime().availableProcessors() + " cores)\n\n"
                + "| mode | events/request | requests | events accepted | refused | events/s | ack p50 | ack p99 | ack max | hub CPU per event |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        for (Outcome o : batched == null ? List.of(single) : List.of(single, batched)) {
            ObjectNode m = result.putObject(o.mode());
            m.put("eventsPerRequest", o.eventsPerRequest()).put("requests", o.requests()).put("accepted", o.accepted())
                    .put("refused", o.refused()).put("eventsPerSecond", Math.round(o.eventsPerSecond()))
                    .put("ackP50Millis", o.latency().getValueAtPercentile(50) / 1000.0)
                    .put("ackP99Millis", o.latency().getValueAtPercentile(99) / 1000.0)
                    .put("ackMaxMillis", o.latency().getMaxValue() / 1000.0)
                    .put("hubCpuMicrosPerEvent", o.accepted() == 0 ? 0 : o.hubCpuMillis() * 1000 / o.accepted());
            md.append(String.format("| %s | %d | %,d | %,d | %,d | %,.0f | %.1f ms | %.1f ms | %.1f ms | %d µs |%n", o.mode(),
                    o.eventsPerRequest(), o.requests(), o.accepted(), o.refused(), o.eventsPerSecond(),
                    o.latency().getValueAtPercentile(50) / 1000.0, o.latency().getValueAtPercentile(99) / 1000.0,
                    o.latency().getMaxValue() / 1000.0, o.accepted() == 0 ? 0 : o.hubCpuMillis() * 1000 / o.accepted()));
        }
        md.append("\nEvery accepted event read back afterwards: ").append(unreadable == 0 ? "yes" : unreadable + " missing")
                .append(" (").append(single.accepted() + (batched == null ? 0 : batched.accepted())).append(" events).\n");
        Results.write(settings.out(), "partner-ingest", result, md.toString());
    }

    private HttpResponse<String> send(String path, String key, String contentType, String body) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(hub + path)).header("Authorization", "Bearer " + key)
                    .header("Content-Type", contentType).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Process startHub(Path dir, int port) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g"));
        String extra = System.getProperty("bench.hubJvmOpts"); // e.g. a JFR recording when profiling
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", settings.hubJar().toAbsolutePath().toString(), "--server.port=" + port,
                "--unison.data-dir=" + dir.resolve("data"), "--unison.simulators.shopify.enabled=false",
                "--unison.simulators.tiktok-shop.enabled=false",
                "--unison.simulators.sfcc.enabled=false", "--logging.level.org.apache.activemq.audit=WARN"));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("UNISON_BOOTSTRAP_API_KEY", KEY);
        builder.redirectErrorStream(true).redirectOutput(dir.resolve("hub.log").toFile());
        return builder.start();
    }

    private void awaitHealthy(Duration timeout) throws InterruptedException {
        dev.unison.bench.HubHealth.await(http, hub, timeout);
    }

    /** CPU time of the hub process and its children, in milliseconds. */
    private static long cpuMillis(Process process) {
        return process.toHandle().info().totalCpuDuration().map(Duration::toMillis).orElse(0L);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
