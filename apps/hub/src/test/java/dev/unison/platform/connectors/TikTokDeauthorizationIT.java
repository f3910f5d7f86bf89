package dev.unison.platform.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.tiktok.simulator.TikTokShopSimulator;
import dev.unison.hub.support.ForkedHub;
import dev.unison.platform.testkit.HttpApi;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, finding 8: a TikTok seller's deauthorization and the tokens the auth API rotated are
 * kept across restarts. The packaged hub runs as a process against a TikTok Shop simulator in this
 * JVM that rotates refresh tokens and refuses old or revoked tokens; the hub is stopped and started
 * again on the same data directory between the steps.
 */
class TikTokDeauthorizationIT {

    private static final String KEY = "tiktok-deauth-it-key-0123456789";
    private static final String WAREHOUSE = TikTokShopSimulator.DEFAULT_WAREHOUSE_ID;
    private static final String INVENTORY_PATH = "/product/202309/products/[0-9]+/inventory/update";

    @TempDir
    Path work;
    private final List<Process> processes = new ArrayList<>();
    private TikTokShopSimulator tiktok;
    private Path data;
    private Path logs;
    private int port;
    private int adjustments;
    private final String sku = "TT-DEAUTH-" + System.nanoTime() % 1_000_000;

    @BeforeEach
    void simulator() throws IOException {
        // the demo connection's credentials (config/connections.yaml), on a port of this test's own
        tiktok = new TikTokShopSimulator(ForkedHub.freePort(), "demoappkey", "demo-app-secret", "TTP_demo_access_token",
                "TTP_demo_refresh_token", "GCP_demo_cipher", Clock.systemUTC());
        tiktok.rotateRefreshTokens(true);
        tiktok.start();
        data = Files.createDirectories(work.resolve("data"));
        logs = Files.createDirectories(Path.of("target", "tiktok-deauth-it-logs"));
        port = ForkedHub.freePort();
    }

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        if (tiktok != null) {
            tiktok.close();
        }
    }

    @Test
    void rotatedTokensAndADeauthorizationSurviveRestartsAndPendingUpdatesWaitForReauthorization() throws Exception {
        // 1. first run: the sku is learned from a product notification, a count reaches the shop
        Process first = start("first", Map.of());
        HttpApi api = awaitUp(first);
        assertThat(tiktok.send(hub("/webhooks/tiktok-shop/tiktok-demo"),
                tiktok.productChange(tiktok.newProduct("Trail shoe", sku)))).isEqualTo(200);
        HttpApi.Reply counted = api.post("/api/v1/inventory/counts", KEY, """
                {"countId": "deauth-%s", "locationId": "STORE-7", "asOf": "%s", "counts": [{"sku": "%s", "quantity": 5}]}
                """.formatted(sku, Instant.now().minusSeconds(5), sku));
        assertThat(counted.status()).as(counted.body()).isEqualTo(200);
        awaitTikTokQuantity(5);

        // the access token lapses: the hub refreshes it and the auth API rotates both tokens
        tiktok.expireAccessToken();
        adjust(api, 4);
        awaitTikTokQuantity(9);
        String rotatedAccess = tiktok.currentAccessToken();
        assertThat(rotatedAccess).isNotEqualTo("TTP_demo_access_token");
        assertThat(tiktok.currentRefreshToken()).isNotEqualTo("TTP_demo_refresh_token");
        stopGracefully(first);
        assertThat(databaseFileContains(rotatedAccess)).as("tokens are stored encrypted, never in plain text").isFalse();
        assertThat(databaseFileContains(tiktok.currentRefreshToken())).isFalse();

        // 2. after a restart the rotated tokens are used: the configured ones are refused by now
        tiktok.clearReceived();
        Process second = start("second", Map.of());
        HttpApi restarted = awaitUp(second);
        // a deauthorization not signed with the connection's app secret changes nothing
        assertThat(tiktok.sendBadlySigned(hub("/webhooks/tiktok-shop/tiktok-demo"),
                tiktok.webhook(6, CanonicalJson.mapper().createObjectNode()))).isEqualTo(401);
        adjust(restarted, 2);
        awaitTikTokQuantity(11);
        assertThat(tiktok.receivedOn("GET", "/api/v2/token/refresh")).as("no refresh was needed").isEmpty();
        assertThat(tiktok.receivedOn("POST", INVENTORY_PATH)).isNotEmpty().allSatisfy(call -> {
            assertThat(call.header("x-tts-access-token")).isEqualTo(rotatedAccess);
            assertThat(tiktok.refusal(call, true)).as("the simulator accepts the call").isNull();
        });

        // 3. the seller deauthorizes the app (a correctly signed type 6 notification)
        TikTokShopSimulator.Delivery deauthorization = tiktok.sellerDeauthorization();
        assertThat(tiktok.send(hub("/webhooks/tiktok-shop/tiktok-demo"), deauthorization)).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !tiktokDemo(restarted).path("lastCheck").path("ok").asBoolean(true));
        tiktok.clearReceived();
        adjust(restarted, 1);
        awaitNothingSentFor(Duration.ofSeconds(3));
        stopGracefully(second);

        // 4. after a restart the connection stays deauthorized: nothing reaches the shop, the update waits
        tiktok.clearReceived();
        Process third = start("third", Map.of());
        HttpApi afterRestart = awaitUp(third);
        adjust(afterRestart, 1);
        awaitNothingSentFor(Duration.ofSeconds(4));
        assertThat(tiktok.received()).as("no call at all reaches the shop, not even a token refresh").isEmpty();
        assertThat(tiktok.available(sku, WAREHOUSE)).isEqualTo(11L);
        JsonNode connection = tiktokDemo(afterRestart);
        assertThat(connection.path("lastCheck").path("ok").asBoolean(true)).isFalse();
        assertThat(connection.path("lastCheck").path("detail").asText()).contains("unauthorized")
                .contains("deauthorized the app").contains("since");
        assertThat(outboundPending(afterRestart)).as("the update is kept for when the shop authorises again")
                .isGreaterThanOrEqualTo(1);
        HttpApi.Reply check = afterRestart.post("/api/v1/connections/tiktok-demo/check", KEY, "{}");
        assertThat(check.body()).contains("deauthorized the app");
        assertThat(tiktok.receivedOn("POST", INVENTORY_PATH)).isEmpty();
        assertThat(Files.readString(logs.resolve("third.log"))).contains("tiktok-demo is deauthorized");
        stopGracefully(third);

        // 5. the seller authorises again and the operator configures the new tokens: the kept update goes out
        tiktok.reauthorize("TTP_reauthorized_access", "TTP_reauthorized_refresh");
        Process fourth = start("fourth", Map.of("TIKTOK_DEMO_ACCESS_TOKEN", "TTP_reauthorized_access",
                "TIKTOK_DEMO_REFRESH_TOKEN", "TTP_reauthorized_refresh"));
        HttpApi reauthorized = awaitUp(fourth);
        awaitTikTokQuantity(13);
        assertThat(tiktok.receivedOn("POST", INVENTORY_PATH)).last()
                .satisfies(call -> assertThat(call.header("x-tts-access-token")).isEqualTo("TTP_reauthorized_access"));
        // the sender forgets the update just after the shop answered
        await().atMost(Duration.ofSeconds(10)).until(() -> outboundPending(reauthorized) == 0);
        stopGracefully(fourth);
    }

    private Process start(String name, Map<String, String> extraEnvironment) throws IOException {
        Map<String, String> environment = new HashMap<>(Map.of(
                "TIKTOK_DEMO_API_URL", "http://127.0.0.1:" + tiktok.port(),
                // no Shopify here: the demo Shopify connection points at a closed port
                "SHOPIFY_DEMO_ADMIN_URL", "http://127.0.0.1:" + ForkedHub.freePort()));
        environment.putAll(extraEnvironment);
        Process process = ForkedHub.start(List.of("--server.port=" + port,
                "--unison.data-dir=" + data.toAbsolutePath(),
                "--unison.bootstrap-api-key=" + KEY,
                "--unison.simulators.shopify.enabled=false", "--unison.simulators.tiktok-shop.enabled=false",
                "--unison.simulators.sfcc.enabled=false"),
                environment, logs.resolve(name + ".log"));
        processes.add(process);
        return process;
    }

    /** As {@link ForkedHub#awaitUp}, with room for four starts on a busy 2-core machine. */
    private HttpApi awaitUp(Process process) {
        return ForkedHub.awaitUp(port, process, Duration.ofMinutes(3));
    }

    private static void stopGracefully(Process process) throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
    }

    private String hub(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private void adjust(HttpApi api, int quantity) {
        HttpApi.Reply reply = api.post("/api/v1/inventory/adjustments", KEY, """
                {"adjustmentId": "deauth-adj-%s-%d", "sku": "%s", "locationId": "STORE-7", "quantity": %d,
                 "kind": "receipt", "occurredAt": "%s"}""".formatted(sku, ++adjustments, sku, quantity, Instant.now()));
        assertThat(reply.status()).as(reply.body()).isBetween(200, 202);
    }

    private void awaitTikTokQuantity(long expected) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> Long.valueOf(expected).equals(tiktok.available(sku, WAREHOUSE)));
    }

    private void awaitNothingSentFor(Duration quiet) {
        await().during(quiet).atMost(quiet.plusSeconds(5)).pollInterval(Duration.ofMillis(200))
                .until(() -> tiktok.receivedOn("POST", INVENTORY_PATH).isEmpty());
    }

    private static JsonNode tiktokDemo(HttpApi api) {
        for (JsonNode c : api.get("/api/v1/connections", KEY).json().get("connections")) {
            if (c.get("id").asText().equals("tiktok-demo")) {
                return c;
            }
        }
        throw new AssertionError("no tiktok-demo connection");
    }

    private static double outboundPending(HttpApi api) {
        Matcher m = Pattern.compile("unison_connection_outbound_pending\\{[^}]*connection=\"tiktok-demo\"[^}]*} ([0-9.E]+)")
                .matcher(api.get("/actuator/prometheus", null).body());
        assertThat(m.find()).as("the outbound pending gauge of tiktok-demo").isTrue();
        return Double.parseDouble(m.group(1));
    }

    private boolean databaseFileContains(String text) throws IOException {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        try (var files = Files.walk(data.resolve("db"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(file);
                outer:
                for (int i = 0; i + needle.length <= bytes.length; i++) {
                    for (int j = 0; j < needle.length; j++) {
                        if (bytes[i + j] != needle[j]) {
                            continue outer;
                        }
                    }
                    return true;
                }
            }
        }
        return false;
    }
}
