package dev.unison.bench.freshness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The data directory of the hub under test, measured from outside every {@code every}: its bytes
 * (the H2 file and the broker journal apart), the phase of the run it was taken in, and the H2
 * file's fill rates from the hub's Prometheus page. At the end the hub is asked for its live data
 * ({@code GET /api/v1/storage?tables=true}: every table's rows and stored bytes), which the
 * directory's size is compared with.
 */
final class DiskSampler implements AutoCloseable {

    private final HttpClient http;
    private final String hub;
    private final String apiKey;
    private final Path dataDirectory;
    private final Duration every;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "disk-sampler");
        t.setDaemon(true);
        return t;
    });
    private final ArrayNode samples = CanonicalJson.mapper().createArrayNode();
    private final long startedAt = System.nanoTime();
    private volatile String phase = "start";

    DiskSampler(HttpClient http, String hub, String apiKey, Path dataDirectory, Duration every) {
        this.http = http;
        this.hub = hub;
        this.apiKey = apiKey;
        this.dataDirectory = dataDirectory;
        this.every = every;
        timer.scheduleAtFixedRate(this::sample, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Names the phase the following samples belong to (warm-up, measured, drain, idle). */
    void phase(String name) {
        phase = name;
    }

    /** Keeps sampling for {@code duration} while the hub has nothing to do, then takes one more sample. */
    void idle(Duration duration) throws InterruptedException {
        phase("idle");
        try {
            timer.schedule(this::sample, duration.toMillis(), TimeUnit.MILLISECONDS).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the last sample failed", e.getCause());
        }
    }

    /** The samples, and the last one compared with the hub's live data (asked for now). */
    ObjectNode result() throws IOException, InterruptedException {
        ObjectNode result = CanonicalJson.mapper().createObjectNode();
        result.put("everySeconds", every.toSeconds());
        synchronized (samples) {
            result.set("samples", samples.deepCopy());
        }
        HttpResponse<String> storage = http.send(HttpRequest.newBuilder(URI.create(hub + "/api/v1/storage?tables=true"))
                .header("Authorization", "Bearer " + apiKey).build(), HttpResponse.BodyHandlers.ofString());
        if (storage.statusCode() != 200) {
            throw new IllegalStateException("GET /api/v1/storage answered " + storage.statusCode() + ": " + storage.body());
        }
        JsonNode live = CanonicalJson.mapper().readTree(storage.body());
        ObjectNode end = sampleNow();
        long liveBytes = live.path("liveBytes").asLong();
        end.put("liveBytes", liveBytes)
                .put("dataDirectoryPerLiveData", liveBytes == 0 ? null : round(end.get("dataDirectoryBytes").asDouble() / liveBytes))
                .put("databasePerLiveData", liveBytes == 0 ? null : round(end.get("databaseBytes").asDouble() / liveBytes));
        end.set("tables", live.path("tables"));
        result.set("atEnd", end);
        return result;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    private void sample() {
        try {
            ObjectNode sample = sampleNow();
            synchronized (samples) {
                samples.add(sample);
            }
            System.err.printf("disk: %5d s %-8s data %7.1f MB (database %7.1f MB, broker %6.1f MB), H2 chunks %s%% live, file %s%% used%n",
                    sample.get("second").asLong(), sample.get("phase").asText(), sample.get("dataDirectoryBytes").asLong() / 1e6,
                    sample.get("databaseBytes").asLong() / 1e6, sample.get("brokerBytes").asLong() / 1e6,
                    sample.path("h2ChunksFillRate").asText("?"), sample.path("h2FileFillRate").asText("?"));
        } catch (RuntimeException e) {
            System.err.println("disk: sample failed: " + e);
        }
    }

    private ObjectNode sampleNow() {
        ObjectNode sample = CanonicalJson.mapper().createObjectNode();
        sample.put("second", (System.nanoTime() - startedAt) / 1_000_000_000L).put("phase", phase)
                .put("dataDirectoryBytes", dev.unison.bench.DirectorySize.bytesUnder(dataDirectory))
                .put("databaseBytes", dev.unison.bench.DirectorySize.bytesUnder(dataDirectory.resolve("db")))
                .put("brokerBytes", dev.unison.bench.DirectorySize.bytesUnder(dataDirectory.resolve("artemis")));
        try {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(hub + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            gauge(metrics, "unison_h2_chunks_fill_rate_percent").ifPresent(v -> sample.put("h2ChunksFillRate", v));
            gauge(metrics, "unison_h2_file_fill_rate_percent").ifPresent(v -> sample.put("h2FileFillRate", v));
        } catch (IOException e) {
            // the hub is stopping: the sizes are still worth having
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return sample;
    }

    private static java.util.Optional<Long> gauge(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " ")).findFirst()
                .map(l -> l.substring(l.lastIndexOf(' ') + 1)).filter(v -> !v.equals("NaN"))
                .map(v -> Math.round(Double.parseDouble(v)));
    }


    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
