package dev.unison.platform.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The connector TCK's pull checks: a connector that pulls runs as deployed inside a {@link TckHub}
 * (its own routes drive its {@code Poller}) against its simulator, and the hub is stopped and
 * started again on the same data directory, as an operator or a crash would. A connector joins with
 * a subclass naming its {@link PullTckAdapter}:
 *
 * <pre>
 * class SomePullTckIT extends PullingConnectorTck {
 *     SomePullTckIT() { super(new SomePullTckAdapter()); }
 * }
 * </pre>
 *
 * <p>Checked: every record arrives once, and the cursor survives a restart; a fetch whose commit
 * never happened (the hub stopped while it was in flight) is fetched again, so nothing is skipped
 * and nothing stored twice; refused credentials pause the stream with the reason in
 * {@code GET /api/v1/connections}, and accepted ones resume it.
 */
public abstract class PullingConnectorTck {

    static final String CONNECTION = "tck-pull";
    static final String KEY = "tck-bootstrap-key-0123456789";
    static final Duration WAIT = Duration.ofSeconds(30);

    private final PullTckAdapter adapter;
    private SimulatorServer simulator;
    private Path dataDir;
    private Path connections;
    private final Map<String, String> secrets = new LinkedHashMap<>();
    private ConfigurableApplicationContext hub;

    protected PullingConnectorTck(PullTckAdapter adapter) {
        this.adapter = adapter;
    }

    @BeforeEach
    void startSimulator() throws IOException {
        simulator = adapter.startSimulator(FreePort.any());
        dataDir = Files.createTempDirectory("unison-pull-tck-");
        StringBuilder yaml = new StringBuilder("connections:\n  - id: " + CONNECTION + "\n    connector: ")
                .append(adapter.connectorName()).append("\n    settings:\n");
        adapter.settings(simulator.baseUrl()).forEach((field, value) -> {
            // every value goes in through a placeholder, as secrets must
            String property = "TCK_PULL_" + field.toUpperCase(java.util.Locale.ROOT);
            secrets.put(property, value);
            yaml.append("      ").append(field).append(": ${").append(property).append("}\n");
        });
        connections = dataDir.resolve("connections.yaml");
        Files.writeString(connections, yaml);
    }

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        if (simulator != null) {
            simulator.close();
        }
    }

    private void startHub() {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--unison.data-dir=" + dataDir,
                "--unison.connections-location=file:" + connections, "--unison.bootstrap-api-key=" + KEY,
                // a stop must not wait for a fetch the simulator holds
                "--camel.main.shutdown-timeout=2", "--spring.config.import=classpath:tck/hub.properties"));
        secrets.forEach((k, v) -> args.add("--" + k + "=" + v));
        hub = new SpringApplicationBuilder(TckHub.class).run(args.toArray(String[]::new));
    }

    private void stopHub() {
        hub.close();
        hub = null;
    }

    private JdbcTemplate jdbc() {
        return hub.getBean(JdbcTemplate.class);
    }

    /** Deliveries the connection's stream stored in the inbox, and how many distinct ones. */
    private long[] stored() {
        return new long[] {
            jdbc().queryForObject("SELECT COUNT(*) FROM inbox WHERE connection_id = ?", Long.class, CONNECTION),
            jdbc().queryForObject("SELECT COUNT(DISTINCT dedupe_key) FROM inbox WHERE connection_id = ?", Long.class, CONNECTION)};
    }

    private long events() {
        return jdbc().queryForObject("SELECT COUNT(*) FROM outbox_event WHERE event_type = ? AND payload LIKE ?", Long.class,
                adapter.expectedType().typeName(), "%\"source\":\"/connectors/" + adapter.connectorName() + "/" + CONNECTION + "\"%");
    }

    private void awaitAll(int records) {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(stored()).as("inbox rows, distinct keys").containsExactly(records, records);
            assertThat(events()).as("canonical events, one per record").isEqualTo(records);
        });
    }

    private JsonNode connectionView() {
        int port = ((WebServerApplicationContext) hub).getWebServer().getPort();
        JsonNode all = new HttpApi(port).get("/api/v1/connections", KEY).json();
        for (JsonNode c : all.path("connections")) {
            if (CONNECTION.equals(c.path("id").asText())) {
                return c;
            }
        }
        throw new AssertionError("no connection " + CONNECTION + " in " + all);
    }

    @Test
    void everyRecordArrivesOnceAndTheCursorSurvivesARestart() {
        adapter.addRecords(25);
        startHub();
        awaitAll(25);
        stopHub();

        adapter.addRecords(7);
        startHub();
        awaitAll(32);
        // caught up: a while later still nothing more
        await().pollDelay(Duration.ofSeconds(1)).atMost(WAIT).untilAsserted(() -> assertThat(stored()).containsExactly(32, 32));
    }

    @Test
    void aFetchWhoseCommitNeverHappenedIsFetchedAgainNeitherSkippedNorRepeated() {
        adapter.addRecords(5);
        startHub();
        awaitAll(5);

        adapter.holdNextRequest();
        adapter.addRecords(6);
        await().atMost(WAIT).until(adapter::requestHeld);
        stopHub(); // the fetch is in flight: its page can no longer be committed
        adapter.releaseHeldRequest();

        startHub();
        awaitAll(11);
    }

    @Test
    void refusedCredentialsPauseTheStreamVisiblyAndAcceptedOnesResumeIt() {
        adapter.addRecords(3);
        startHub();
        awaitAll(3);

        adapter.refuseCredentials();
        adapter.addRecords(4);
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode check = connectionView().path("lastCheck");
            assertThat(check.path("ok").asBoolean(true)).as("lastCheck of " + connectionView()).isFalse();
            assertThat(check.path("detail").asText()).contains("paused");
        });
        assertThat(stored()[0]).as("nothing pulled while refused").isEqualTo(3);

        adapter.acceptCredentials();
        awaitAll(7);
        await().atMost(WAIT).untilAsserted(() -> assertThat(connectionView().path("lastCheck").path("ok").asBoolean()).isTrue());
    }

}
