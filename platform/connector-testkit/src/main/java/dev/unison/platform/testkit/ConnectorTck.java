package dev.unison.platform.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.connectors.kit.config.ConfigurationException;
import dev.unison.connectors.kit.config.ConnectionsLoader;
import dev.unison.connectors.kit.simulator.Fault;
import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.platform.connectors.InstalledConnectors;
import dev.unison.platform.deadletter.DeadLetters;
import dev.unison.platform.outbox.Outbox;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.TestPropertySource;

/**
 * The connector TCK: one contract every connector passes, checked from outside against a hub of
 * the platform ({@link TckHub}: messaging, edge, storage, connector runtime, the shipped fan-out
 * routes, and the inventory domain for its tables) booted with two connections to the connector's simulator ({@code tck-good}, {@code tck-bad}
 * with wrong credentials). A connector joins with a subclass holding one line of glue:
 *
 * <pre>
 * class ShopifyTckIT extends ConnectorTck {
 *     &#64;DynamicPropertySource
 *     static void tck(DynamicPropertyRegistry registry) { configure(registry, new ShopifyTckAdapter()); }
 * }
 * </pre>
 *
 * <p>The inbound checks run for a connector with a webhook door ({@link TckAdapter#receivesWebhooks()}),
 * the outbound ones for a connector that sends ({@link TckAdapter#sendsOutbound()}); the configuration
 * and credential checks run for every connector. A connector that pulls runs {@link PullingConnectorTck}
 * as well.
 */
@SpringBootTest(classes = TckHub.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(locations = "classpath:tck/hub.properties")
@DirtiesContext
public abstract class ConnectorTck {

    static final String GOOD = "tck-good";
    static final String BAD = "tck-bad";
    static final String KEY = "tck-bootstrap-key-0123456789";

    private static TckAdapter adapter;
    private static SimulatorServer simulator;

    @LocalServerPort
    int port;
    @Autowired
    Outbox outbox;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    DeadLetters deadLetters;
    @Autowired
    InstalledConnectors installed;
    HttpApi http;
    String hub;

    /** Starts the connector's simulator and points the hub at it through a generated connections file. */
    protected static void configure(DynamicPropertyRegistry registry, TckAdapter connector) {
        adapter = connector;
        int simPort = FreePort.any();
        simulator = connector.startSimulator(simPort);
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::close));
        StringBuilder yaml = new StringBuilder("connections:\n");
        Map<String, String> secrets = new HashMap<>();
        for (String id : List.of(GOOD, BAD)) {
            yaml.append("  - id: ").append(id).append("\n    connector: ").append(connector.connectorName())
                    .append("\n    settings:\n");
            connector.settings(simulator.baseUrl(), id.equals(GOOD)).forEach((field, value) -> {
                // every value goes in through a placeholder, as secrets must
                String property = "TCK_" + id.replace('-', '_').toUpperCase() + "_" + field.toUpperCase();
                secrets.put(property, value);
                yaml.append("      ").append(field).append(": ${").append(property).append("}\n");
            });
        }
        try {
            Path file = Files.createTempFile("tck-connections-", ".yaml");
            Files.writeString(file, yaml);
            Path dataDir = Files.createTempDirectory("unison-tck-");
            registry.add("unison.connections-location", () -> "file:" + file);
            registry.add("unison.data-dir", dataDir::toString);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        secrets.forEach((k, v) -> registry.add(k, () -> v));
        registry.add("unison.simulators.shopify.enabled", () -> "false");
        registry.add("unison.simulators.tiktok-shop.enabled", () -> "false");
        registry.add("unison.bootstrap-api-key", () -> KEY);
    }

    @BeforeEach
    void client() {
        http = new HttpApi(port);
        hub = "http://127.0.0.1:" + port;
    }

    private long rows(String table) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM " + table, Long.class);
    }

    private long eventsFrom(String connectionId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE payload LIKE ?", Long.class,
                "%\"source\":\"/connectors/" + adapter.connectorName() + "/" + connectionId + "\"%");
    }

    @Test
    void configurationErrorsNameTheirField() {
        var descriptor = installed.connectors().get(adapter.connectorName()).descriptor();
        for (TckAdapter.InvalidSettings invalid : adapter.invalidSettings(simulator.baseUrl())) {
            StringBuilder yaml = new StringBuilder("connections:\n  - id: broken\n    connector: ")
                    .append(adapter.connectorName()).append("\n    settings:\n");
            Map<String, String> env = new HashMap<>();
            invalid.settings().forEach((field, value) -> {
                yaml.append("      ").append(field).append(": ${V_").append(field).append("}\n");
                env.put("V_" + field, value);
            });
            assertThatThrownBy(() -> new ConnectionsLoader(Map.of(descriptor.name(), descriptor), env::get)
                    .load(new ByteArrayInputStream(yaml.toString().getBytes(StandardCharsets.UTF_8)), "tck"))
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                            .anySatisfy(p -> assertThat(p).startsWith("connections.broken." + invalid.field() + ":")));
        }
    }

    @Test
    void checkPassesWithGoodAndFailsWithBadCredentials() {
        assertThat(http.post("/api/v1/connections/" + GOOD + "/check", KEY, "").json().get("ok").asBoolean()).isTrue();
        assertThat(http.post("/api/v1/connections/" + BAD + "/check", KEY, "").json().get("ok").asBoolean()).isFalse();
    }

    @Test
    void anInboundMessageBecomesASchemaValidCanonicalEvent() {
        assumeTrue(adapter.receivesWebhooks(), "the connector has no webhook door");
        TckAdapter.InboundCase inbound = adapter.inbound(hub, GOOD);
        long before = eventsFrom(GOOD);

        assertThat(inbound.send()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).until(() -> eventsFrom(GOOD) > before);
        List<String> payloads = jdbc.queryForList("SELECT payload FROM outbox_event WHERE payload LIKE ? ORDER BY seq DESC",
                String.class, "%\"source\":\"/connectors/" + adapter.connectorName() + "/" + GOOD + "\"%");
        CanonicalEvent event = CanonicalEvent.fromStructuredJson(payloads.get(0)); // validates against the schema
        assertThat(event.type()).isEqualTo(inbound.expectedType());
    }

    @Test
    void theSameDeliveryThreeTimesIsAppliedOnce() {
        assumeTrue(adapter.receivesWebhooks(), "the connector has no webhook door");
        TckAdapter.InboundCase inbound = adapter.inbound(hub, GOOD);
        long before = eventsFrom(GOOD);

        for (int i = 0; i < 3; i++) {
            assertThat(inbound.send()).isEqualTo(200);
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> eventsFrom(GOOD) > before);
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> eventsFrom(GOOD) == before + 1);
    }

    @Test
    void aBadSignatureIsRejectedWith401AndNothingIsStoredOrPublished() {
        assumeTrue(adapter.receivesWebhooks(), "the connector has no webhook door");
        TckAdapter.InboundCase inbound = adapter.inbound(hub, GOOD);
        long inbox = rows("inbox");
        long events = rows("outbox_event");

        assertThat(inbound.sendBadlySigned()).isEqualTo(401);

        assertThat(rows("inbox")).isEqualTo(inbox);
        assertThat(rows("outbox_event")).isEqualTo(events);
    }

    @Test
    void aMappingFailureNeverLosesTheOriginalPayload() {
        assumeTrue(adapter.receivesWebhooks(), "the connector has no webhook door");
        TckAdapter.InboundCase inbound = adapter.unmappableInbound(hub, GOOD);

        assertThat(inbound.send()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(deadLetters.recent("inbox:" + GOOD, 100)).anySatisfy(d -> {
                    assertThat(d.payload()).isEqualTo(inbound.body());
                    assertThat(d.reason()).isNotBlank();
                }));
    }

    private TckAdapter.OutboundCase preparedOutbound() {
        TckAdapter.OutboundCase outbound = adapter.outbound(hub, GOOD);
        await().atMost(Duration.ofSeconds(20)).until(() -> outbound.prerequisiteEventIds().stream()
                .allMatch(id -> outbox.find(id).isPresent()));
        return outbound;
    }

    @Test
    void anOutboundChangeReachesTheSimulatorInTheSystemsOwnFormat() {
        assumeTrue(adapter.sendsOutbound(), "the connector sends nothing to its system");
        TckAdapter.OutboundCase outbound = preparedOutbound();

        outbox.append("events", outbound.event());

        await().atMost(Duration.ofSeconds(20)).until(outbound::applied);
    }

    @Test
    void throttlingAndServerErrorsAreRetriedHonouringRetryAfter() {
        assumeTrue(adapter.sendsOutbound(), "the connector sends nothing to its system");
        TckAdapter.OutboundCase outbound = preparedOutbound();
        simulator.clearReceived();
        simulator.inject(Fault.status(429, "2.0"), Fault.status(503, null));

        outbox.append("events", outbound.event());

        await().atMost(Duration.ofSeconds(40)).until(outbound::applied);
        List<SimRequest> calls = simulator.receivedOn("POST", outbound.callPath());
        assertThat(calls).hasSizeGreaterThanOrEqualTo(3);
        assertThat(Duration.between(calls.get(0).receivedAt(), calls.get(1).receivedAt()))
                .as("the call after the 429 waits out Retry-After: 2.0").isGreaterThanOrEqualTo(Duration.ofMillis(1990));
    }

    @Test
    void aPermanent4xxGoesToTheDeadLetterDestinationWithItsReason() {
        assumeTrue(adapter.sendsOutbound(), "the connector sends nothing to its system");
        TckAdapter.OutboundCase outbound = preparedOutbound();
        simulator.inject(Fault.status(422, null));

        outbox.append("events", outbound.event());

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(deadLetters.recent(outbound.deadLetterConsumer(), 100))
                        .anySatisfy(d -> assertThat(d.reason()).contains("422")));
        assertThat(outbound.applied()).isFalse();
    }

}
