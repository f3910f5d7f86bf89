package dev.unison.platform.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.unison.hub.support.ForkedHub;
import dev.unison.platform.testkit.HttpApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash test with real processes: the packaged hub (target/unison-hub.jar) accepts events into the
 * outbox while its relay is held back, is killed with SIGKILL, and restarted on the same data
 * directory. Every accepted event must then reach the bus consumer exactly once. The consumer is a
 * YAML route given through unison.routes-location, writing one file per delivery.
 */
class OutboxCrashIT {

    private static final String KEY = "crash-it-bootstrap-key-123456";
    /** The bootstrap partner's id (Partners.ensureBootstrap). */
    private static final String BOOTSTRAP_PARTNER = "ptn_bootstrap";
    private static final int EVENTS = 25;

    @TempDir
    Path work;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void everyAcceptedEventIsPublishedExactlyOnceAfterAKill() throws Exception {
        Path data = Files.createDirectories(work.resolve("data"));
        Path routes = Files.createDirectories(work.resolve("routes"));
        Path deliveries = Files.createDirectories(work.resolve("deliveries"));
        Files.writeString(routes.resolve("crash-probe.yaml"), """
                - route:
                    id: crash-probe
                    from:
                      uri: bus:events
                      parameters:
                        group: crash-probe
                      steps:
                        - setBody:
                            expression:
                              simple:
                                expression: "${header.UnisonEventId}"
                        - to:
                            uri: file:%s
                            parameters:
                              fileName: "${header.UnisonEventId}.${exchangeId}"
                """.formatted(deliveries.toAbsolutePath()));
        int port = freePort();

        Path logs = Files.createDirectories(Path.of("target", "crash-it-logs"));
        Process first = start(port, data, routes, false, logs.resolve("first.log"));
        HttpApi http = awaitUp(port, first);
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            String id = "crash-" + i;
            HttpApi.Reply reply = http.post("/api/v1/events", KEY,
                    "{\"id\":\"" + id + "\",\"type\":\"commerce.item.upserted.v1\",\"data\":{\"sku\":\"SKU-" + (i % 3)
                            + "\"}}");
            assertThat(reply.status()).as(reply.body()).isEqualTo(202);
            accepted.add(id);
        }
        assertThat(http.get("/api/v1/events/crash-0", KEY).json().get("status").asText()).isEqualTo("pending");

        first.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful close
        assertThat(first.waitFor()).isNotZero();
        assertThat(deliveries.toFile().list()).isEmpty();

        Process second = start(port, data, routes, true, logs.resolve("second.log"));
        HttpApi again = awaitUp(port, second);

        await().atMost(Duration.ofSeconds(60)).until(() -> deliveredIds(deliveries).size() >= EVENTS);
        // let any duplicate show up before counting: a later event of a fresh key is the marker
        again.post("/api/v1/events", KEY, "{\"id\":\"marker\",\"type\":\"commerce.item.upserted.v1\",\"data\":{\"sku\":\"SKU-0\"}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> deliveredIds(deliveries).contains(BOOTSTRAP_PARTNER + ":marker"));

        Map<String, Long> perEvent = deliveredIds(deliveries).stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        for (String id : accepted) {
            // a partner's event travels under its bus id: <partner id>:<the id the partner gave it>
            assertThat(perEvent.get(BOOTSTRAP_PARTNER + ":" + id)).as("deliveries of " + id).isEqualTo(1L);
        }
        assertThat(again.get("/api/v1/events/crash-0", KEY).json().get("status").asText()).isEqualTo("published");
        second.destroy(); // SIGTERM: a graceful stop
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
        // H2's own exit hook, running beside Spring's, used to close the database under consumers
        // and workers that were still stopping ("Database is already closed", logged as ERROR by
        // consumers and as WARN by background workers)
        assertThat(Files.readAllLines(logs.resolve("second.log")))
                .noneMatch(line -> line.contains(" ERROR ") || line.contains("Database is already closed"));
    }

    private Process start(int port, Path data, Path routes, boolean relay, Path log) throws IOException {
        Process process = ForkedHub.start(List.of("--server.port=" + port,
                "--unison.data-dir=" + data.toAbsolutePath(),
                "--unison.bootstrap-api-key=" + KEY,
                "--unison.routes-location=file:" + routes.toAbsolutePath(),
                "--unison.outbox.relay-enabled=" + relay,
                "--unison.simulators.shopify.enabled=false", "--unison.simulators.tiktok-shop.enabled=false",
                "--unison.simulators.sfcc.enabled=false"), Map.of(), log);
        processes.add(process);
        return process;
    }

    private static HttpApi awaitUp(int port, Process process) {
        return ForkedHub.awaitUp(port, process);
    }

    private static List<String> deliveredIds(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("."))
                    .map(n -> n.substring(0, n.lastIndexOf('.')))
                    .toList();
        }
    }

    private static int freePort() throws IOException {
        return ForkedHub.freePort();
    }
}
