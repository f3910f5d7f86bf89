package dev.unison.hub.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.hub.support.ForkedHub;
import dev.unison.platform.testkit.HttpApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spring Boot's structured logging is an option of the hub: with
 * {@code logging.structured.format.console=ecs} (Elastic Common Schema) every log line of the
 * packaged hub is one JSON object, so a value with a newline cannot start a line of its own.
 */
class StructuredLoggingIT {

    @TempDir
    Path dir;

    @Test
    void withEcsFormatEveryLogLineIsAJsonObject() throws Exception {
        int port = ForkedHub.freePort();
        Path log = dir.resolve("hub.log");
        Process hub = ForkedHub.start(List.of("--server.port=" + port, "--unison.data-dir=" + dir.resolve("data"),
                "--unison.bootstrap-api-key=structured-logging-key-0123456789",
                "--logging.structured.format.console=ecs",
                "--unison.simulators.shopify.enabled=false", "--unison.simulators.tiktok-shop.enabled=false",
                "--unison.simulators.sfcc.enabled=false"), Map.of(), log);
        try {
            HttpApi api = ForkedHub.awaitUp(port, hub);
            assertThat(api.get("/api/v1/events/none", "structured-logging-key-0123456789").status()).isEqualTo(404);
        } finally {
            hub.destroy();
            assertThat(hub.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
        assertThat(lines).hasSizeGreaterThan(10);
        assertThat(lines).allSatisfy(line -> {
            JsonNode json = CanonicalJson.parse(line);
            assertThat(json.isObject()).as(line).isTrue();
            assertThat(json.has("@timestamp")).as(line).isTrue();
            assertThat(json.has("message")).as(line).isTrue();
        });
        assertThat(lines).anySatisfy(line -> assertThat(CanonicalJson.parse(line).get("message").asText())
                .contains("Started UnisonHubApplication"));
    }
}
