package dev.unison.platform.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * {@code GET /api/v1/storage} on the embedded default: the data directory measured with its
 * database and broker apart, every table's rows and bytes on request, the answer conforming to its
 * schema; only the ops scope may ask; the same numbers reach the health component and Prometheus.
 */
@EmbeddedHub
class StorageApiIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;

    @LocalServerPort
    int port;

    @Autowired
    ApiSchemas schemas;

    @Autowired
    org.springframework.context.ConfigurableApplicationContext context;

    HttpApi api;

    @BeforeEach
    void client() {
        api = new HttpApi(port);
    }

    @Test
    void answersTheDataDirectoryAndOnRequestEveryTablesRowsAndBytes() {
        String register = "R-STORAGE-" + System.nanoTime();
        HttpApi.Reply sold = api.post("/api/v1/pos/transactions", KEY, """
                {"storeId": "STORE-7", "registerId": "%s", "businessDay": "2026-11-26", "sequence": 1, "type": "sale",
                 "occurredAt": "%s", "currency": "USD",
                 "lines": [{"sku": "STORAGE-SKU", "quantity": 1, "unitPrice": "9.90"}]}
                """.formatted(register, java.time.Instant.now().minusSeconds(1)));
        assertThat(sold.status()).as(sold.body()).isEqualTo(201);

        HttpApi.Reply plain = api.get("/api/v1/storage", KEY);
        JsonNode storage = conforms(plain);
        assertThat(storage.get("dataDirectoryBytes").asLong()).isPositive();
        assertThat(storage.get("bytesBySubdirectory").has("db")).as(plain.body()).isTrue();
        assertThat(storage.get("bytesBySubdirectory").has("artemis")).as(plain.body()).isTrue();
        assertThat(storage.get("freeBytes").asLong()).isPositive();
        assertThat(storage.has("tables")).as("tables only on request: they cost a pass over the data").isFalse();

        HttpApi.Reply withTables = api.get("/api/v1/storage?tables=true", KEY);
        JsonNode measured = conforms(withTables);
        List<String> names = new ArrayList<>();
        long sum = 0;
        for (JsonNode table : measured.get("tables")) {
            names.add(table.get("name").asText());
            sum += table.get("bytes").asLong();
            if (table.get("name").asText().equals("pos_transaction")) {
                assertThat(table.get("rows").asLong()).isPositive();
                assertThat(table.get("bytes").asLong()).isPositive();
            }
        }
        assertThat(names).contains("outbox_event", "pos_transaction", "inventory_movement", "inbox");
        assertThat(measured.get("liveBytes").asLong()).isEqualTo(sum);
    }

    @Test
    void refusesABadParameterAndCallersWithoutTheOpsScope() {
        HttpApi.Reply bad = api.get("/api/v1/storage?tables=yes", KEY);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("detail").asText()).contains("tables must be true or false");

        HttpApi.Reply created = api.post("/api/v1/admin/partners", KEY,
                "{\"name\":\"storage-" + System.nanoTime() % 1_000_000_000L + "\",\"scopes\":[\"inventory:read\"]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(api.get("/api/v1/storage", created.json().get("apiKey").asText()).status()).isEqualTo(403);
        assertThat(api.get("/api/v1/storage", null).status()).isEqualTo(401);
    }

    @Test
    void theSameNumbersReachHealthAndPrometheus() {
        // all three show the monitor's last sample; one taken between two reads shows as a changed API answer
        long before = conforms(api.get("/api/v1/storage", KEY)).get("dataDirectoryBytes").asLong();
        HttpApi.Reply health = api.get("/actuator/health/disk", null);
        String metrics = api.get("/actuator/prometheus", null).body();
        long after = conforms(api.get("/api/v1/storage", KEY)).get("dataDirectoryBytes").asLong();
        assumeThat(after).as("a new sample was taken meanwhile").isEqualTo(before);

        assertThat(health.json().at("/components/storage/status").asText()).as(health.body()).isEqualTo("UP");
        assertThat(health.json().at("/components/storage/details/dataDirectoryBytes").asLong()).as(health.body())
                .isEqualTo(before);
        assertThat(health.json().at("/components/storage/details/freeBytes").asLong()).isPositive();
        assertThat(health.json().at("/components/storage/details").has("growthBytesPerSecond")).isTrue();
        assertThat(gauge(metrics, "unison_storage_data_directory_bytes")).isEqualTo((double) before);
        assertThat(metrics).contains("unison_storage_free_bytes", "unison_storage_growth_bytes_per_second",
                "unison_storage_warning", "unison_h2_chunks_fill_rate_percent", "unison_h2_compaction_seconds",
                "unison_h2_compaction_quiet", "unison_h2_commits_total");
        // the H2 file's gauge is read live, the directory is the last sample: only their presence compares
        assertThat(gauge(metrics, "unison_h2_file_bytes")).isPositive();
        assertThat(health.json().at("/components/storage/details/bytesBySubdirectory/db").asLong())
                .as("the database directory is measured: " + health.body()).isPositive();
    }

    /**
     * The embedded H2 run is marked in the data directory, and the marker is removed only after the
     * database has closed: the data source depends on it, so it is destroyed before the marker.
     */
    @Test
    void theRunIsMarkedAndTheDatabaseClosesBeforeTheMarkerGoes() {
        String dataDirectory = context.getEnvironment().getProperty("unison.data-dir");
        assertThat(java.nio.file.Path.of(dataDirectory).resolve(dev.unison.platform.storage.UncleanStopMarker.FILE_NAME)).exists();
        assertThat(context.getBeanFactory().getBeanDefinition("dataSource").getDependsOn()).contains("uncleanStopMarker");
    }

    /** The value of the first sample of a Prometheus metric (its labels ignored). */
    private static double gauge(String metrics, String name) {
        return metrics.lines().filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not on /actuator/prometheus"));
    }

    private JsonNode conforms(HttpApi.Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(schemas.validateResponse("get-storage", reply.json())).as(reply.body()).isEmpty();
        return reply.json();
    }
}
