package dev.unison.bench.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.bench.HubHealth;
import dev.unison.bench.Results;
import dev.unison.bench.DirectorySize;
import dev.unison.canonical.identity.IdentifierNormalizer;
import dev.unison.canonical.identity.IdentityResolver;
import dev.unison.canonical.identity.IdentityRules;
import dev.unison.canonical.identity.InMemoryIdentityGraph;
import dev.unison.canonical.identity.Observation;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.Identifier;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * An identity backfill through the hub: the generated population of {@link IdentityBenchmark}
 * posted to {@code POST /api/v1/identities/batch} of a forked hub on PostgreSQL (embedded, fsync
 * on), batch after batch in stream order from one client, as a CRM export would be loaded. The
 * same population is resolved in memory in the same run, and both are scored with the same
 * pairwise precision and recall ({@link Accuracy}): through the hub, each event's profile is the
 * one the API answered, followed through merges to its live survivor (read from the database
 * after the run).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.unison.bench.identity.IdentityBackfillBenchmark --persons 50000 --batch 1000
 * </pre>
 *
 * Options: {@code --persons} (50000), {@code --seed} (42), {@code --batch} (1000 sightings per
 * request, sent one after the other in stream order), {@code --kiosks} (300), {@code --hub} (apps/hub/target/unison-hub.jar), {@code --out}
 * (bench/results), {@code --db} (postgres or h2), {@code --idle} (180: seconds the hub stays idle after the run before its data
 * directory is measured again). identifiers/s = raw identifier occurrences posted ÷ seconds from the first
 * request to the last answer.
 */
public final class IdentityBackfillBenchmark {

    static final long TARGET_IDENTIFIERS_PER_SECOND = 10_000;
    private static final String KEY = "bench-backfill-key-0123456789abcdef";

    record Settings(int persons, long seed, int batch, int kiosks, Path hubJar, Path out, String db, int idleSeconds) {
        static Settings parse(String[] args) {
            Map<String, String> a = dev.unison.bench.Options.parse(args, Set.of("persons", "seed", "batch", "kiosks", "hub", "out",
                    "db", "idle"));
            return new Settings(Integer.parseInt(a.getOrDefault("persons", "50000")), Long.parseLong(a.getOrDefault("seed", "42")),
                    Integer.parseInt(a.getOrDefault("batch", "1000")), Integer.parseInt(a.getOrDefault("kiosks", "300")),
                    Path.of(a.getOrDefault("hub", "apps/hub/target/unison-hub.jar")), Path.of(a.getOrDefault("out", "bench/results")),
                    a.getOrDefault("db", "postgres"), Integer.parseInt(a.getOrDefault("idle", "180")));
        }

        Settings {
            if (idleSeconds < 0) {
                throw new IllegalArgumentException("--idle takes seconds, 0 or more, got " + idleSeconds);
            }
            if (!Set.of("postgres", "h2").contains(db)) {
                throw new IllegalArgumentException("--db takes postgres or h2 (the embedded default), got '" + db + "'");
            }
        }
    }

    private final Settings settings;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private IdentityBackfillBenchmark(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.parse(args);
        ObjectNode result = new IdentityBackfillBenchmark(settings).run();
        Results.write(settings.out(), "identity-backfill", result, markdown(result));
        System.exit(0);
    }

    ObjectNode run() throws Exception {
        IdentifierNormalizer normalizer = new IdentifierNormalizer("US");
        IdentityResolver resolver = new IdentityResolver(normalizer, IdentityRules.defaults());
        Population population = Population.generate(settings.persons(), settings.seed(), settings.kiosks(), 0, normalizer);
        System.err.printf("generated: %,d persons, %,d events, %,d identifiers%n", population.persons, population.size(),
                population.occurrences);

        // the reference: the same events, in the same order, in memory
        InMemoryIdentityGraph graph = new InMemoryIdentityGraph((int) population.distinctIdentifiers);
        String[] inMemory = new String[population.size()];
        IdentityBenchmark.resolveAll(resolver, population, inMemory, graph);
        for (int i = 0; i < inMemory.length; i++) {
            inMemory[i] = inMemory[i] == null ? null : graph.current(inMemory[i]);
        }
        Accuracy reference = Accuracy.compute(population.personOf, inMemory, population.shapeOf, population.persons, 0);

        Path dir = Files.createTempDirectory("unison-backfill-bench-");
        EmbeddedPostgres postgres = settings.db().equals("postgres")
                ? dev.unison.bench.PostgresStatements.configure(EmbeddedPostgres.builder()
                        .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                        .setServerConfig("full_page_writes", "on")).start()
                : null;
        try {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            String hub = "http://127.0.0.1:" + port;
            Process process = startHub(dir, port, postgres == null ? null : postgres.getJdbcUrl("postgres", "postgres"));
            try {
                HubHealth.await(http, hub, Duration.ofSeconds(120));
                String[] answered = new String[population.size()];
                Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
                long hubCpuBefore = cpuMillis(process.toHandle());
                long databaseCpuBefore = databaseCpuMillis();
                long started = System.nanoTime();
                // one batch at a time, in stream order: the hub gives concurrent batches their turn in
                // arrival order after parsing, so only this keeps the order (and two in flight measured slower)
                int batches = (population.size() + settings.batch() - 1) / settings.batch();
                long[] answeredAt = new long[batches];
                for (int from = 0; from < population.size(); from += settings.batch()) {
                    long at = System.nanoTime();
                    post(hub, population.events.subList(from, Math.min(population.size(), from + settings.batch())), answered, from);
                    answeredAt[from / settings.batch()] = System.nanoTime();
                    long micros = Math.max(1, (answeredAt[from / settings.batch()] - at) / 1000);
                    latency.recordValue(micros);
                    if (micros > 2_000_000) {
                        System.err.printf("slow batch at %,d: %.1f s%n", from, micros / 1e6);
                    }
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                // after the first fifth of the batches (a fresh JVM compiles its hot paths meanwhile)
                int firstSteady = batches / 5;
                long steadyIdentifiers = 0;
                for (Observation o : population.events.subList(Math.min(population.size(), (firstSteady + 1) * settings.batch()),
                        population.size())) {
                    steadyIdentifiers += o.identifiers().size();
                }
                long lastAnswer = java.util.Arrays.stream(answeredAt).max().orElse(0);
                double steadySeconds = (lastAnswer - answeredAt[firstSteady]) / 1e9;
                long hubCpu = cpuMillis(process.toHandle()) - hubCpuBefore;
                long databaseCpu = databaseCpuMillis() - databaseCpuBefore;

                String[] throughHub;
                if (postgres != null) {
                    dev.unison.bench.PostgresStatements.write(postgres);
                    throughHub = live(postgres, answered);
                } else {
                    throughHub = live(hub, answered);
                }
                Accuracy accuracy = Accuracy.compute(population.personOf, throughHub, population.shapeOf, population.persons, 0);
                ObjectNode result = CanonicalJson.mapper().createObjectNode();
                result.put("benchmark", "identity backfill through the hub (POST /api/v1/identities/batch, "
                        + (postgres != null ? "PostgreSQL" : "H2, the embedded default") + ")");
                result.put("database", postgres != null ? "PostgreSQL (embedded, fsync on)" : "H2 file (embedded default)");
                result.put("persons", population.persons).put("seed", population.seed).put("events", population.size())
                        .put("identifierOccurrences", population.occurrences).put("batch", settings.batch())
                        .put("cores", Runtime.getRuntime().availableProcessors());
                double perSecond = population.occurrences / seconds;
                result.putObject("throughput").put("seconds", round(seconds, 2))
                        .put("identifiersPerSecond", Math.round(perSecond))
                        .put("eventsPerSecond", Math.round(population.size() / seconds))
                        .put("identifiersPerSecondAfterFirstFifth", Math.round(steadyIdentifiers / steadySeconds))
                        .put("requestLatencyP50Ms", round(latency.getValueAtPercentile(50) / 1000.0, 1))
                        .put("requestLatencyP99Ms", round(latency.getValueAtPercentile(99) / 1000.0, 1))
                        .put("hubCores", round(hubCpu / 1000.0 / seconds, 2))
                        .put("postgresCores", round(databaseCpu / 1000.0 / seconds, 2))
                        .put("hubCpuMicrosPerIdentifier", round(hubCpu * 1000.0 / population.occurrences, 1));
                ObjectNode acc = result.putObject("accuracy");
                acc.put("samePartitionAsInMemory", samePartition(throughHub, inMemory));
                acc.put("precisionThroughHub", accuracy.precision()).put("recallThroughHub", accuracy.recall())
                        .put("precisionInMemory", reference.precision()).put("recallInMemory", reference.recall())
                        .put("sameAsInMemory", accuracy.precision() == reference.precision() && accuracy.recall() == reference.recall());
                ObjectNode targets = result.putObject("targets");
                targets.put("identifiersPerSecond", TARGET_IDENTIFIERS_PER_SECOND)
                        .put("identifiersPerSecondMet", perSecond >= TARGET_IDENTIFIERS_PER_SECOND)
                        .put("accuracyEqualMet", acc.get("sameAsInMemory").asBoolean())
                        .put("samePartitionMet", acc.get("samePartitionAsInMemory").asBoolean());
                result.set("disk", disk(hub, population, dir.resolve("data")));
                return result;
            } finally {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
                System.err.println("hub log: " + dir.resolve("hub.log"));
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    /**
     * Disk per identifier: the tables' bytes (GET /api/v1/storage?tables=true) right after the run,
     * and the data directory then and after {@code --idle} seconds of idle (the embedded default
     * compacts its file while it runs, more once it is quiet).
     */
    private ObjectNode disk(String hub, Population population, Path dataDirectory) throws Exception {
        // the tables from the hub (computed per request); the directory from outside, now (the hub's
        // own figure is its monitor's last sample, up to a minute old)
        JsonNode atEnd = storage(hub);
        long directoryAtEnd = DirectorySize.bytesUnder(dataDirectory);
        Thread.sleep(settings.idleSeconds() * 1000L); // the measured idle time itself, not a wait for a result
        long directoryAfterIdle = DirectorySize.bytesUnder(dataDirectory);
        long databaseAfterIdle = DirectorySize.bytesUnder(dataDirectory.resolve("db"));
        ObjectNode disk = CanonicalJson.mapper().createObjectNode();
        long live = atEnd.path("liveBytes").asLong();
        disk.put("liveBytes", live)
                .put("liveBytesPerDistinctIdentifier", round((double) live / population.distinctIdentifiers, 1))
                .put("liveBytesPerSighting", round((double) live / population.size(), 1))
                .put("dataDirectoryBytesAtEnd", directoryAtEnd)
                .put("idleSeconds", settings.idleSeconds())
                .put("dataDirectoryBytesAfterIdle", directoryAfterIdle)
                .put("databaseFileBytesAfterIdle", databaseAfterIdle)
                .put("note", "PostgreSQL keeps its files outside the hub's data directory; its bytes are the tables'");
        disk.set("tables", atEnd.path("tables"));
        return disk;
    }

    private JsonNode storage(String hub) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(hub + "/api/v1/storage?tables=true"))
                .header("Authorization", "Bearer " + KEY).timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("GET /api/v1/storage answered " + answer.statusCode() + ": " + answer.body());
        }
        return CanonicalJson.parse(answer.body());
    }

    /** As {@link #live(EmbeddedPostgres, String[])}, through the API: a merged profile's id answers with its survivor's. */
    private String[] live(String hub, String[] answered) throws Exception {
        Map<String, String> survivor = new HashMap<>();
        for (String id : answered) {
            if (id != null && !survivor.containsKey(id)) {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(hub + "/api/v1/profiles/" + id))
                        .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() != 200) {
                    throw new IllegalStateException("GET /api/v1/profiles/" + id + " answered " + answer.statusCode());
                }
                survivor.put(id, CanonicalJson.parse(answer.body()).get("id").asText());
            }
        }
        String[] live = new String[answered.length];
        for (int i = 0; i < answered.length; i++) {
            live[i] = answered[i] == null ? null : survivor.get(answered[i]);
        }
        return live;
    }

    /** One batch; every sighting must come back resolved (or unresolved: all its identifiers blocked). */
    private void post(String hub, List<Observation> events, String[] answered, int offset) throws Exception {
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        ArrayNode sightings = body.putArray("sightings");
        for (Observation o : events) {
            ObjectNode s = sightings.addObject();
            s.put("source", o.source()).put("observedAt", o.at().toString());
            ArrayNode ids = s.putArray("identifiers");
            for (Identifier id : o.identifiers()) {
                ids.addObject().put("type", id.type().wireName()).put("value", id.value());
            }
        }
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(hub + "/api/v1/identities/batch"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json").timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofString(CanonicalJson.write(body))).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("batch at " + offset + " answered " + answer.statusCode() + ": " + answer.body());
        }
        JsonNode results = CanonicalJson.parse(answer.body()).get("results");
        for (JsonNode r : results) {
            if (!"resolved".equals(r.path("status").asText())) {
                throw new IllegalStateException("sighting " + (offset + r.get("index").asInt()) + " was not resolved: " + r);
            }
            JsonNode profile = r.get("profileId");
            answered[offset + r.get("index").asInt()] = profile == null || profile.isNull() ? null : profile.asText();
        }
    }

    /**
     * Whether the hub grouped the events exactly as the in-memory resolver did: its profiles and
     * the reference's correspond one to one over the events (an unresolved event on both sides).
     */
    private static boolean samePartition(String[] throughHub, String[] inMemory) {
        Map<String, String> hubToMemory = new HashMap<>();
        Map<String, String> memoryToHub = new HashMap<>();
        for (int i = 0; i < throughHub.length; i++) {
            if (throughHub[i] == null || inMemory[i] == null) {
                if (throughHub[i] != inMemory[i]) {
                    return false;
                }
                continue;
            }
            String hub = throughHub[i];
            String memory = inMemory[i];
            if (!hubToMemory.computeIfAbsent(hub, k -> memory).equals(memory)
                    || !memoryToHub.computeIfAbsent(memory, k -> hub).equals(hub)) {
                return false;
            }
        }
        return true;
    }

    /** Each answered profile followed through merges to the live profile it means now (merged_into is kept flat). */
    private static String[] live(EmbeddedPostgres postgres, String[] answered) throws Exception {
        Map<String, String> mergedInto = new HashMap<>();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT profile_id, merged_into FROM identity_profile WHERE merged_into IS NOT NULL")) {
            while (rs.next()) {
                mergedInto.put(rs.getString(1), rs.getString(2));
            }
        }
        String[] live = new String[answered.length];
        for (int i = 0; i < answered.length; i++) {
            live[i] = answered[i] == null ? null : mergedInto.getOrDefault(answered[i], answered[i]);
        }
        return live;
    }

    private Process startHub(Path dir, int port, String jdbcUrl) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g",
                "-jar", settings.hubJar().toAbsolutePath().toString(), "--server.port=" + port,
                "--unison.data-dir=" + dir.resolve("data"),
                "--unison.simulators.shopify.enabled=false", "--unison.simulators.tiktok-shop.enabled=false",
                "--unison.simulators.sfcc.enabled=false",
                "--logging.level.root=WARN"));
        if (jdbcUrl != null) {
            command.addAll(List.of("--spring.datasource.url=" + jdbcUrl, "--spring.datasource.username=postgres",
                    "--spring.datasource.password=postgres"));
        }
        String extra = System.getProperty("bench.hubJvmOpts"); // e.g. a JFR recording when profiling
        if (extra != null && !extra.isBlank()) {
            command.addAll(1, List.of(extra.trim().split("\\s+")));
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("UNISON_BOOTSTRAP_API_KEY", KEY);
        builder.redirectErrorStream(true).redirectOutput(dir.resolve("hub.log").toFile());
        return builder.start();
    }

    private static long cpuMillis(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toMillis).orElse(0L);
    }

    /**
     * CPU of the embedded PostgreSQL's processes (server and backends), found by their binary: a
     * lower bound, since a worker that starts and ends between two readings is not seen.
     */
    private static long databaseCpuMillis() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.contains("embedded-pg") && c.endsWith("postgres")).orElse(false))
                .mapToLong(IdentityBackfillBenchmark::cpuMillis).sum();
    }

    private static double round(double value, int places) {
        double scale = Math.pow(10, places);
        return Math.round(value * scale) / scale;
    }

    static String markdown(ObjectNode r) {
        JsonNode t = r.get("throughput");
        JsonNode a = r.get("accuracy");
        return "## Identity backfill through the hub: " + String.format("%,d", r.get("persons").asInt()) + " persons, "
                + String.format("%,d", r.get("events").asInt()) + " sightings, " + String.format("%,d", r.get("identifierOccurrences").asLong())
                + " identifiers, batches of " + r.get("batch").asInt() + " one after the other, "
                + r.path("database").asText("PostgreSQL (embedded, fsync on)") + ", " + r.get("cores").asInt() + " cores\n\n"
                + "| | through the hub | in memory (same run) | target |\n|---|---|---|---|\n"
                + "| identifiers/s, whole run | " + String.format("%,d", t.get("identifiersPerSecond").asLong()) + " | | ≥ "
                + String.format("%,d", TARGET_IDENTIFIERS_PER_SECOND) + " |\n"
                + "| identifiers/s after the first fifth of the batches | "
                + String.format("%,d", t.get("identifiersPerSecondAfterFirstFifth").asLong()) + " | | |\n"
                + "| precision | " + a.get("precisionThroughHub").asDouble() + " | " + a.get("precisionInMemory").asDouble() + " | equal |\n"
                + "| recall | " + a.get("recallThroughHub").asDouble() + " | " + a.get("recallInMemory").asDouble() + " | equal |\n\n"
                + "Seconds " + t.get("seconds").asDouble() + "; request latency p50 " + t.get("requestLatencyP50Ms").asDouble()
                + " ms, p99 " + t.get("requestLatencyP99Ms").asDouble() + " ms; hub " + t.get("hubCores").asDouble() + " cores ("
                + t.get("hubCpuMicrosPerIdentifier").asDouble() + " µs per identifier)"
                + (r.path("database").asText("PostgreSQL").startsWith("PostgreSQL") ? ", PostgreSQL at least "
                        + t.get("postgresCores").asDouble() + " cores (its processes alive at both ends of the run)" : "")
                + "; events grouped as in memory: "
                + a.get("samePartitionAsInMemory").asBoolean() + ".\n"
                + (r.has("disk") ? "\nDisk: live data " + String.format("%.1f", r.at("/disk/liveBytes").asLong() / 1e6) + " MB ("
                        + r.at("/disk/liveBytesPerDistinctIdentifier").asDouble() + " bytes per distinct identifier, "
                        + r.at("/disk/liveBytesPerSighting").asDouble() + " per sighting); data directory "
                        + String.format("%.1f", r.at("/disk/dataDirectoryBytesAtEnd").asLong() / 1e6) + " MB at the end, "
                        + String.format("%.1f", r.at("/disk/dataDirectoryBytesAfterIdle").asLong() / 1e6) + " MB after "
                        + r.at("/disk/idleSeconds").asInt() + " s idle.\n"
                        : "");
    }
}
