package dev.unison.bench.conversions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.bench.HubHealth;
import dev.unison.bench.Options;
import dev.unison.bench.Results;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.amazonads.simulator.AmazonAdsSimulator;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hub's sales out to the Amazon Conversions API at volume: {@code --sales} placed orders, each
 * with a distinct email, online and in-store mixed, go into a forked hub (embedded defaults, H2
 * file database) through {@code POST /api/v1/events} in CloudEvents batches of 1,000; its one
 * {@code amazon-ads} connection (sendConversions, {@code conversionsBatchSize} {@code --batch},
 * {@code conversionsPerSecond} {@code --rate-limit}) sends them to an {@link AmazonAdsSimulator} in
 * this process whose events API allows {@code --rate-limit} requests per second (token bucket, burst
 * the same, 429 with {@code Retry-After} over it). Amazon publishes no number for that limit we
 * could verify, so it is an option and the report names it.
 *
 * <p>Measured: the ingest time (first order sent to last order acknowledged), the time from the first
 * order sent to the last conversion accepted by the simulator, events-API calls, 429s, duplicates
 * (by clientDedupeId, must be 0), events lost (accepted by the hub, never accepted by the simulator,
 * must be 0), conversions per second and the hub's CPU.
 *
 * <p>Beside it, in the same run, the naive sender: one event per request to a second simulator
 * (its own bucket, the same limit), a plain loop in this process that waits out each 429's
 * {@code Retry-After}, for {@code --naive-seconds}; its rate and the time it would take for the same
 * number of sales (extrapolated, not measured).
 *
 * <pre>
 * java -Xmx3g -cp bench/target/benchmarks.jar dev.unison.bench.conversions.ConversionsBenchmark --sales 1000000 \
 *      --rate-limit 10 --batch 1000 --naive-seconds 60 --hub apps/hub/target/unison-hub.jar --out bench/results
 * </pre>
 */
public final class ConversionsBenchmark {

    private static final String KEY = "bench-bootstrap-key-0123456789";
    private static final String CONNECTION = "bench-amazon";
    private static final int INGEST_BATCH = 1000;
    private static final int STORES = 10;
    private static final int SKUS = 200;

    record Settings(int sales, int rateLimit, int batch, int naiveSeconds, Path hubJar, Path out, int clients, double storeShare,
            int timeoutMinutes) {
        static Settings parse(String[] args) {
            Map<String, String> a = Options.parse(args, Set.of("sales", "rate-limit", "batch", "naive-seconds", "hub", "out", "clients",
                    "store-share", "timeout-minutes"));
            Settings s = new Settings(Integer.parseInt(a.getOrDefault("sales", "1000000")), Integer.parseInt(a.getOrDefault("rate-limit", "10")),
                    Integer.parseInt(a.getOrDefault("batch", "1000")), Integer.parseInt(a.getOrDefault("naive-seconds", "60")),
                    Path.of(a.getOrDefault("hub", "apps/hub/target/unison-hub.jar")), Path.of(a.getOrDefault("out", "bench/results")),
                    Integer.parseInt(a.getOrDefault("clients", "2")), Double.parseDouble(a.getOrDefault("store-share", "0.3")),
                    Integer.parseInt(a.getOrDefault("timeout-minutes", "30")));
            if (s.batch() < 1 || s.batch() > AmazonAdsSimulator.MAX_EVENTS) {
                throw new IllegalArgumentException("--batch must be 1 to " + AmazonAdsSimulator.MAX_EVENTS + " (the API's limit per request)");
            }
            if (s.rateLimit() < 1 || s.rateLimit() > 100) {
                throw new IllegalArgumentException("--rate-limit must be 1 to 100 (conversionsPerSecond's range)");
            }
            return s;
        }
    }

    /** One second of the run, as the sampler saw it. */
    record Sample(double seconds, long ordersAcknowledged, int conversions, int calls, int throttled, long hubCpuMillis) {
    }

    private final Settings settings;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final long run = System.currentTimeMillis() % 1_000_000_000L;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong refusedBatches = new AtomicLong();
    private final AtomicLong notAccepted = new AtomicLong();
    private final List<Sample> samples = new ArrayList<>();
    private AmazonAdsSimulator amazon;
    private Path dir;
    private int port;

    private ConversionsBenchmark(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        new ConversionsBenchmark(Settings.parse(args)).run();
    }

    private void run() throws Exception {
        dir = Files.createTempDirectory("unison-conversions-bench-");
        port = freePort();
        amazon = new AmazonAdsSimulator(freePort(), Clock.systemUTC(), settings.rateLimit());
        amazon.keepConversionEvents(false).keepReceived(10);
        amazon.start();
        writeConfiguration();
        Process hub = startHub();
        ObjectNode hubRun;
        try {
            HubHealth.await(http, base(), Duration.ofSeconds(180));
            hubRun = feedAndWait(hub);
            JsonNode metrics = metrics();
            hubRun.set("hubMetrics", metrics);
            // on a timeout the sales not sent yet are still in the hub's queue: queued, not lost
            long queued = -1;
            for (var field : (Iterable<Map.Entry<String, JsonNode>>) metrics::fields) {
                if (field.getKey().startsWith("unison_connection_outbound_pending")) {
                    queued = (long) Double.parseDouble(field.getValue().asText());
                }
            }
            hubRun.put("eventsQueuedAtEnd", queued);
            if (queued >= 0) {
                hubRun.put("eventsLost", Math.max(0, hubRun.get("eventsLost").asLong() - queued));
            }
        } finally {
            hub.destroy();
            if (!hub.waitFor(60, TimeUnit.SECONDS)) {
                hub.destroyForcibly();
                hub.waitFor(30, TimeUnit.SECONDS);
            }
            amazon.close();
        }
        ObjectNode naive = naive();
        report(hubRun, naive);
        deleteTree(dir.resolve("data"));
        System.err.println("hub log: " + dir.resolve("hub.log"));
    }

    // ---- the hub's run ------------------------------------------------------------------------

    private ObjectNode feedAndWait(Process hub) throws Exception {
        long cpuBefore = cpuMillis(hub);
        int callsBefore = amazon.eventRequests();
        long start = System.nanoTime();
        AtomicLong ingestEnd = new AtomicLong();
        AtomicLong firstConversion = new AtomicLong();
        AtomicLong lastConversion = new AtomicLong();
        AtomicLong cpuAtIngestEnd = new AtomicLong();
        AtomicInteger nextBatch = new AtomicInteger();
        int batches = (settings.sales() + INGEST_BATCH - 1) / INGEST_BATCH;
        ExecutorService feeders = Executors.newFixedThreadPool(settings.clients());
        List<Future<?>> feeding = new ArrayList<>();
        for (int c = 0; c < settings.clients(); c++) {
            feeding.add(feeders.submit(() -> {
                int b;
                while ((b = nextBatch.getAndIncrement()) < batches) {
                    feed(b);
                }
                return null;
            }));
        }
        feeders.shutdown();
        // the sampler: every 100 ms the simulator's count, every second a sample
        long deadline = start + TimeUnit.MINUTES.toNanos(settings.timeoutMinutes());
        long nextSample = start;
        boolean fed = false;
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            int count = amazon.conversionCount();
            if (count > 0 && firstConversion.get() == 0) {
                firstConversion.set(now);
            }
            if (!fed && feeding.stream().allMatch(Future::isDone)) {
                for (Future<?> f : feeding) {
                    f.get(); // a feeder's failure ends the run here
                }
                fed = true;
                ingestEnd.set(now);
                cpuAtIngestEnd.set(cpuMillis(hub));
                System.err.printf(Locale.ROOT, "ingest done: %,d orders acknowledged in %.1f s%n", acknowledged.get(), (now - start) / 1e9);
            }
            if (now >= nextSample) {
                Sample s = new Sample((now - start) / 1e9, acknowledged.get(), count, amazon.eventRequests() - callsBefore,
                        amazon.throttledEventRequests(), cpuMillis(hub) - cpuBefore);
                samples.add(s);
                if (samples.size() % 10 == 1) {
                    System.err.printf(Locale.ROOT, "%6.0f s: %,d orders acknowledged, %,d conversions accepted, %,d calls, %,d 429s%n",
                            s.seconds(), s.ordersAcknowledged(), s.conversions(), s.calls(), s.throttled());
                }
                nextSample += TimeUnit.SECONDS.toNanos(1);
            }
            if (fed && count >= acknowledged.get()) {
                lastConversion.set(now);
                samples.add(new Sample((now - start) / 1e9, acknowledged.get(), count, amazon.eventRequests() - callsBefore,
                        amazon.throttledEventRequests(), cpuMillis(hub) - cpuBefore));
                break;
            }
            Thread.sleep(100);
        }
        long end = lastConversion.get() != 0 ? lastConversion.get() : System.nanoTime();
        long cpuAfter = cpuMillis(hub);
        // a last look a few seconds on: a sale sent twice would show as a duplicate now
        Thread.sleep(3000);
        int accepted = amazon.conversionCount();
        ObjectNode r = CanonicalJson.mapper().createObjectNode();
        double ingestSeconds = ((ingestEnd.get() != 0 ? ingestEnd.get() : end) - start) / 1e9;
        double totalSeconds = (end - start) / 1e9;
        double sendingSeconds = firstConversion.get() == 0 ? 0 : (end - firstConversion.get()) / 1e9;
        r.put("completed", lastConversion.get() != 0).put("salesOffered", settings.sales()).put("ordersAcknowledged", acknowledged.get())
                .put("ordersNotAccepted", notAccepted.get()).put("ingestBatchesRefusedAndRetried", refusedBatches.get())
                .put("ingestSeconds", round(ingestSeconds)).put("ingestPerSecond", Math.round(acknowledged.get() / ingestSeconds))
                .put("firstOrderToFirstConversionSeconds", firstConversion.get() == 0 ? -1 : round((firstConversion.get() - start) / 1e9))
                .put("firstOrderToLastConversionSeconds", round(totalSeconds))
                .put("firstToLastConversionSeconds", round(sendingSeconds))
                .put("conversionsAccepted", accepted).put("duplicatesAtSimulator", amazon.duplicateConversions())
                .put("eventsLost", Math.max(0, acknowledged.get() - accepted))
                .put("eventsApiCalls", amazon.eventRequests() - callsBefore).put("throttled429", amazon.throttledEventRequests())
                .put("tokensIssued", amazon.tokensIssued())
                .put("conversionsPerSecondOverall", Math.round(accepted / totalSeconds))
                .put("conversionsPerSecondWhileSending", sendingSeconds == 0 ? 0 : Math.round(accepted / sendingSeconds))
                .put("eventsPerCall", round((double) accepted / Math.max(1, amazon.eventRequests() - callsBefore)))
                .put("hubCpuSeconds", round((cpuAfter - cpuBefore) / 1000.0))
                .put("hubCpuSecondsDuringIngest", round((cpuAtIngestEnd.get() - cpuBefore) / 1000.0))
                .put("hubCpuMicrosPerSale", accepted == 0 ? 0 : (cpuAfter - cpuBefore) * 1000 / Math.max(1, acknowledged.get()));
        ArrayNode timeline = r.putArray("timeline");
        for (Sample s : samples) {
            timeline.addObject().put("seconds", round(s.seconds())).put("ordersAcknowledged", s.ordersAcknowledged())
                    .put("conversions", s.conversions()).put("calls", s.calls()).put("throttled", s.throttled())
                    .put("hubCpuMillis", s.hubCpuMillis());
        }
        return r;
    }

    /** Sends ingest batch {@code b} until the hub takes it; counts the orders it accepted. */
    private Void feed(int b) throws Exception {
        int from = b * INGEST_BATCH;
        int to = Math.min(settings.sales(), from + INGEST_BATCH);
        StringBuilder body = new StringBuilder((to - from) * 520).append('[');
        for (int i = from; i < to; i++) {
            body.append(i > from ? "," : "").append(order(i));
        }
        body.append(']');
        HttpRequest request = HttpRequest.newBuilder(URI.create(base() + "/api/v1/events")).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/cloudevents-batch+json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() == 200) {
                int accepted = 0;
                for (JsonNode result : CanonicalJson.parse(answer.body()).path("results")) {
                    String status = result.path("status").asText();
                    if ("accepted".equals(status) || "duplicate".equals(status)) {
                        accepted++;
                    } else if (notAccepted.incrementAndGet() <= 3) {
                        System.err.println("order not accepted: " + result);
                    }
                }
                acknowledged.addAndGet(accepted);
                return null;
            }
            if ((answer.statusCode() == 503 || answer.statusCode() == 429) && attempt < 100) {
                refusedBatches.incrementAndGet();
                String retry = answer.headers().firstValue("Retry-After").orElse("1");
                Thread.sleep(Math.max(100, Long.parseLong(retry) * 1000));
                continue;
            }
            throw new IllegalStateException("ingest batch " + b + " answered " + answer.statusCode() + ": " + answer.body());
        }
    }

    /** Sale {@code i}: a distinct shopper's email, online or (a share of them) at one of the stores' tills. */
    private String order(int i) {
        boolean store = (i * 0.6180339887 % 1.0) < settings.storeShare(); // spread evenly, not in blocks
        String id = "cb-" + run + "-" + i;
        String amount = String.format(Locale.ROOT, "%d.%02d", 5 + i % 200, i % 100);
        String sku = String.format(Locale.ROOT, "CONV-%03d", i % SKUS);
        String money = "{\"amount\":\"" + amount + "\",\"currency\":\"USD\"}";
        String placedAt = Instant.now().minusSeconds(60).toString();
        StringBuilder d = new StringBuilder(480);
        d.append("{\"id\":\"").append(id).append("\",\"channel\":\"").append(store ? "pos" : "web").append("\",\"externalId\":\"")
                .append(id).append("\",\"status\":\"paid\",\"placedAt\":\"").append(placedAt).append("\",\"placedIn\":\"")
                .append(store ? "store" : "online").append('"');
        if (store) {
            d.append(",\"placedAtLocation\":\"").append(String.format(Locale.ROOT, "STORE-%02d", 1 + i % STORES)).append('"');
        }
        d.append(",\"identifiers\":[{\"type\":\"email\",\"value\":\"").append(email(i)).append("\"}]")
                .append(",\"lines\":[{\"lineId\":\"1\",\"sku\":\"").append(sku).append("\",\"quantity\":1,\"unitPrice\":").append(money)
                .append(",\"lineTotal\":").append(money).append("}],\"total\":").append(money).append('}');
        return "{\"specversion\":\"1.0\",\"id\":\"ord-" + id + "\",\"source\":\"/bench/conversions\",\"type\":\"commerce.order.placed.v1\","
                + "\"datacontenttype\":\"application/json\",\"data\":" + d + "}";
    }

    private String email(int i) {
        return "shopper" + i + "." + run + "@bench.example";
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

    // ---- the naive sender ---------------------------------------------------------------------

    /** One event per request, as fast as the limit lets it, waiting out each 429's Retry-After. */
    private ObjectNode naive() throws Exception {
        ObjectNode r = CanonicalJson.mapper().createObjectNode();
        try (AmazonAdsSimulator sim = new AmazonAdsSimulator(freePort(), Clock.systemUTC(), settings.rateLimit())) {
            sim.keepConversionEvents(false).keepReceived(10);
            sim.start();
            String token = token(sim);
            long start = System.nanoTime();
            long until = start + TimeUnit.SECONDS.toNanos(settings.naiveSeconds());
            int next = 0;
            long calls = 0;
            long throttled = 0;
            long waitedMillis = 0;
            while (System.nanoTime() < until) {
                String body = "{\"eventData\":[" + naiveEvent(next) + "],\"ingestionMethod\":\"SERVER_TO_SERVER\"}";
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/events/v1"))
                        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .header("Amazon-Ads-AccountId", AmazonAdsSimulator.ACCOUNT_ID)
                        .header("Amazon-Advertising-API-ClientId", AmazonAdsSimulator.CLIENT_ID)
                        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                calls++;
                if (answer.statusCode() == 429) {
                    throttled++;
                    long wait = Long.parseLong(answer.headers().firstValue("Retry-After").orElse("1")) * 1000;
                    waitedMillis += wait;
                    Thread.sleep(wait);
                    continue;
                }
                if (answer.statusCode() != 207) {
                    throw new IllegalStateException("naive sender: " + answer.statusCode() + " " + answer.body());
                }
                next++;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double perSecond = sim.conversionCount() / seconds;
            double extrapolated = settings.sales() / perSecond;
            r.put("seconds", round(seconds)).put("eventsAccepted", sim.conversionCount()).put("calls", calls)
                    .put("callsAccepted", sim.eventRequests()).put("throttled429", throttled).put("waitedOnRetryAfterSeconds", round(waitedMillis / 1000.0))
                    .put("duplicates", sim.duplicateConversions()).put("eventsPerSecond", round(perSecond))
                    .put("extrapolatedSecondsForSales", Math.round(extrapolated))
                    .put("extrapolatedHoursForSales", round(extrapolated / 3600))
                    .put("extrapolatedCallsForSales", settings.sales());
        }
        return r;
    }

    private String naiveEvent(int i) {
        String email = "naive" + i + "." + run + "@bench.example";
        return "{\"name\":\"purchase\",\"eventType\":\"OFF_AMAZON_PURCHASES\",\"eventActionSource\":\"WEBSITE\",\"countryCode\":\"US\","
                + "\"timestamp\":\"" + Instant.now().minusSeconds(60) + "\",\"value\":" + (5 + i % 200) + ".00,\"currencyCode\":\"USD\","
                + "\"unitsSold\":1,\"clientDedupeId\":\"naive-" + run + "-" + i + "\",\"matchKeys\":[{\"type\":\"EMAIL\",\"values\":[\""
                + sha256(email.toLowerCase(Locale.ROOT)) + "\"]}]}";
    }

    private String token(AmazonAdsSimulator sim) throws Exception {
        String form = "grant_type=refresh_token&refresh_token=" + URLEncoder.encode(AmazonAdsSimulator.REFRESH_TOKEN, StandardCharsets.UTF_8)
                + "&client_id=" + URLEncoder.encode(AmazonAdsSimulator.CLIENT_ID, StandardCharsets.UTF_8) + "&client_secret="
                + URLEncoder.encode(AmazonAdsSimulator.CLIENT_SECRET, StandardCharsets.UTF_8);
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/auth/o2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("token: " + answer.statusCode() + " " + answer.body());
        }
        return CanonicalJson.parse(answer.body()).get("access_token").asText();
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- set-up and report --------------------------------------------------------------------

    private void writeConfiguration() throws IOException {
        StringBuilder app = new StringBuilder("unison:\n  simulators:\n    shopify:\n      enabled: false\n"
                + "    tiktok-shop:\n      enabled: false\n" + "    sfcc:\n      enabled: false\n"
                + "  api:\n    rate-limit:\n      requests-per-second: 0\n"
                + "  inventory:\n    locations:\n");
        for (int s = 1; s <= STORES; s++) {
            app.append(String.format(Locale.ROOT, "      - id: STORE-%02d%n        type: store%n        channels: [store, pos]%n", s));
        }
        // the web orders ship from here (an online order's stock movement needs a location serving its channel)
        app.append("      - id: WH-1\n        type: warehouse\n        channels: [web]\n");
        app.append("logging:\n  level:\n    root: WARN\n");
        Files.writeString(dir.resolve("application.yaml"), app);
        Files.writeString(dir.resolve("connections.yaml"), "connections:\n  - id: " + CONNECTION + "\n    connector: amazon-ads\n"
                + "    settings:\n      clientId: " + AmazonAdsSimulator.CLIENT_ID + "\n"
                + "      clientSecret: ${BENCH_AMAZON_CLIENT_SECRET}\n      refreshToken: ${BENCH_AMAZON_REFRESH_TOKEN}\n"
                + "      profileId: '" + AmazonAdsSimulator.PROFILE_ID + "'\n      apiUrl: " + amazon.baseUrl() + "\n"
                + "      tokenUrl: " + amazon.baseUrl() + "/auth/o2/token\n"
                + "      pollInterval: PT24H\n      sendConversions: true\n      accountId: " + AmazonAdsSimulator.ACCOUNT_ID + "\n"
                + "      conversionsBatchSize: " + settings.batch() + "\n      conversionsPerSecond: " + settings.rateLimit() + "\n");
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
        builder.environment().put("BENCH_AMAZON_CLIENT_SECRET", AmazonAdsSimulator.CLIENT_SECRET);
        builder.environment().put("BENCH_AMAZON_REFRESH_TOKEN", AmazonAdsSimulator.REFRESH_TOKEN);
        builder.redirectErrorStream(true).redirectOutput(dir.resolve("hub.log").toFile());
        return builder.start();
    }

    private void report(ObjectNode hub, ObjectNode naive) throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        ObjectNode result = CanonicalJson.mapper().createObjectNode();
        result.put("benchmark", "conversions").put("at", Instant.now().toString()).put("cores", cores).put("sales", settings.sales())
                .put("rateLimitRequestsPerSecond", settings.rateLimit()).put("eventsPerRequest", settings.batch())
                .put("ingestClients", settings.clients()).put("storeShare", settings.storeShare()).put("database", "H2 file (embedded default)")
                .put("note", "the rate limit is the simulator's token bucket (burst = rate); Amazon publishes no Conversions API "
                        + "limit we could verify, so it is an assumption of this run. Hub, simulator and driver on the same machine.");
        result.set("hub", hub);
        result.set("naive", naive);
        double ceiling = (double) settings.rateLimit() * settings.batch();
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "## Conversions out: %,d sales to the Amazon Conversions API "
                + "simulator at %d requests/s (assumed limit), %,d events per request, %d cores, embedded default (H2)%n%n",
                settings.sales(), settings.rateLimit(), settings.batch(), cores));
        md.append("| | hub (queued, batched) | naive sender (one event per request) |\n|---|---|---|\n");
        row(md, "sales", fmt(hub.get("ordersAcknowledged").asLong()) + " acknowledged by the hub",
                fmt(naive.get("eventsAccepted").asLong()) + " sent in " + naive.get("seconds").asText() + " s");
        row(md, "ingest (orders into the hub, batches of 1,000)", String.format(Locale.ROOT, "%.1f s (%,d orders/s)",
                hub.get("ingestSeconds").asDouble(), hub.get("ingestPerSecond").asLong()), "-");
        row(md, "first order sent → first conversion accepted", hub.get("firstOrderToFirstConversionSeconds").asText() + " s", "-");
        row(md, "first order sent → last conversion accepted", String.format(Locale.ROOT, "**%.1f s**%s",
                hub.get("firstOrderToLastConversionSeconds").asDouble(), hub.get("completed").asBoolean() ? "" : " (timed out, not all sent)"),
                String.format(Locale.ROOT, "**%,d s = %.1f h (extrapolated)**", naive.get("extrapolatedSecondsForSales").asLong(),
                        naive.get("extrapolatedHoursForSales").asDouble()));
        row(md, "conversions accepted", fmt(hub.get("conversionsAccepted").asLong()), fmt(naive.get("eventsAccepted").asLong()));
        row(md, "conversions/s (first order → last conversion)", fmt(hub.get("conversionsPerSecondOverall").asLong()),
                String.format(Locale.ROOT, "%.1f", naive.get("eventsPerSecond").asDouble()));
        row(md, "conversions/s (first → last conversion; ceiling " + fmt((long) ceiling) + ")",
                fmt(hub.get("conversionsPerSecondWhileSending").asLong()), String.format(Locale.ROOT, "%.1f", naive.get("eventsPerSecond").asDouble()));
        row(md, "events-API calls", fmt(hub.get("eventsApiCalls").asLong()) + " (" + hub.get("eventsPerCall").asText() + " events/call)",
                fmt(naive.get("calls").asLong()) + " (" + fmt(naive.get("callsAccepted").asLong()) + " let through); "
                        + fmt(settings.sales()) + " for all sales (extrapolated)");
        row(md, "429s received", fmt(hub.get("throttled429").asLong()), fmt(naive.get("throttled429").asLong()) + " (waited "
                + naive.get("waitedOnRetryAfterSeconds").asText() + " s on Retry-After)");
        row(md, "duplicates at the simulator (must be 0)", fmt(hub.get("duplicatesAtSimulator").asLong()), fmt(naive.get("duplicates").asLong()));
        row(md, "still queued in the hub at the end", fmt(hub.path("eventsQueuedAtEnd").asLong()), "-");
        row(md, "events lost (acknowledged, neither accepted nor queued; must be 0)", fmt(hub.get("eventsLost").asLong()), "-");
        row(md, "hub CPU", String.format(Locale.ROOT, "%.1f s (%.1f s of it during ingest), %,d µs per sale acknowledged",
                hub.get("hubCpuSeconds").asDouble(), hub.get("hubCpuSecondsDuringIngest").asDouble(), hub.get("hubCpuMicrosPerSale").asLong()), "-");
        md.append("\nTimeline (every 10 s): seconds since the first order, orders acknowledged, conversions accepted, calls, 429s, hub CPU s\n\n")
                .append("| s | orders acknowledged | conversions accepted | calls | 429s | hub CPU s |\n|---|---|---|---|---|---|\n");
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            if (i % 10 == 0 || i == samples.size() - 1) {
                md.append(String.format(Locale.ROOT, "| %.0f | %,d | %,d | %,d | %,d | %.1f |%n", s.seconds(), s.ordersAcknowledged(),
                        s.conversions(), s.calls(), s.throttled(), s.hubCpuMillis() / 1000.0));
            }
        }
        md.append("\nThe limit is an assumption: Amazon publishes no Conversions API request rate we could verify; the simulator's bucket "
                + "allows " + settings.rateLimit() + " requests/s, burst the same, and answers 429 with Retry-After over it.\n");
        Results.write(settings.out(), "conversions", result, md.toString());
    }

    private static void row(StringBuilder md, String what, String hub, String naive) {
        md.append("| ").append(what).append(" | ").append(hub).append(" | ").append(naive).append(" |\n");
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
