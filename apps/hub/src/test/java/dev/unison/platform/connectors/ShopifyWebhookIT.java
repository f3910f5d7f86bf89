package dev.unison.platform.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import dev.unison.connectors.shopify.simulator.ShopifySimulator.Delivery;
import dev.unison.connectors.shopify.simulator.ShopifySimulator.Line;
import dev.unison.platform.deadletter.DeadLetters;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Shopify webhooks into the hub booted on its embedded defaults, sent by the demo Shopify
 * simulator to the {@code shopify-demo} connection, checked from outside through the partner API.
 */
@EmbeddedHub
class ShopifyWebhookIT {

    private static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;

    @LocalServerPort
    int port;
    @Autowired
    ShopifySimulator shopify;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    DeadLetters deadLetters;
    HttpApi http;
    String webhookUrl;

    @BeforeEach
    void setUp() {
        http = new HttpApi(port);
        webhookUrl = "http://127.0.0.1:" + port + "/webhooks/shopify/shopify-demo";
    }

    private long inboxRows() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM inbox", Long.class);
    }

    private long placedEventsFor(String orderId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE event_type = 'commerce.order.placed.v1' "
                + "AND partition_key = ?", Long.class, "shopify-demo:" + orderId);
    }

    @Test
    void aSignedOrderCreateDeliveredThreeTimesYieldsOneEventAndOneOrder() {
        ObjectNode order = shopify.newOrder("Jane.Doe@Example.com", "USD", new Line("TRAIL-SHOE-42", 1, "89.90"),
                new Line("SOCKS-3", 2, "9.95"));
        String id = order.get("id").asText();
        Delivery delivery = shopify.webhook("orders/create", order);

        for (int copy = 0; copy < 3; copy++) {
            assertThat(shopify.send(webhookUrl, delivery)).as("copy %d is acknowledged", copy).isEqualTo(200);
        }

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(http.get("/api/v1/orders/shopify/" + id, KEY).status()).isEqualTo(200));
        JsonNode stored = http.get("/api/v1/orders/shopify/" + id, KEY).json().get("order");
        assertThat(stored.get("externalId").asText()).isEqualTo(id);
        assertThat(stored.get("total").get("amount").asText()).isEqualTo("109.80");
        assertThat(stored.get("identifiers").get(0).get("value").asText()).isEqualTo("jane.doe@example.com");
        assertThat(placedEventsFor(id)).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM inbox WHERE dedupe_key = ?", Long.class,
                "event:" + delivery.eventId())).isEqualTo(1);
    }

    @Test
    void aBadSignatureIs401AndStoresNothing() {
        ObjectNode order = shopify.newOrder("eve@example.com", "USD", new Line("TRAIL-SHOE-42", 1, "89.90"));
        long before = inboxRows();

        assertThat(shopify.sendBadlySigned(webhookUrl, shopify.webhook("orders/create", order))).isEqualTo(401);

        assertThat(inboxRows()).isEqualTo(before);
        assertThat(http.get("/api/v1/orders/shopify/" + order.get("id").asText(), KEY).status()).isEqualTo(404);
    }

    @Test
    void malformedUnknownOrOversizedDeliveriesGetA4xxAndStoreNothing() {
        long before = inboxRows();
        Delivery valid = shopify.webhook("orders/create", shopify.newOrder("a@example.com", "USD", new Line("S", 1, "1.00")));

        assertThat(send(valid.headers(), "{\"id\": 1, ".getBytes(StandardCharsets.UTF_8))).as("malformed JSON").isEqualTo(400);
        Map<String, String> unknownTopic = new LinkedHashMap<>(valid.headers());
        unknownTopic.put("X-Shopify-Topic", "themes/publish");
        assertThat(send(unknownTopic, valid.body())).as("unknown topic").isEqualTo(400);
        byte[] huge = ("{\"id\": 1, \"note\": \"" + "x".repeat(1_100_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThat(send(valid.headers(), huge)).as("over 1 MiB").isEqualTo(413);
        assertThat(shopify.send("http://127.0.0.1:" + port + "/webhooks/shopify/no-such-shop", valid)).isEqualTo(404);

        assertThat(inboxRows()).isEqualTo(before);
    }

    /** Re-signs a body with the demo secret, as a correct sender would. */
    private int send(Map<String, String> headers, byte[] body) {
        Map<String, String> signed = new LinkedHashMap<>(headers);
        signed.put("X-Shopify-Hmac-Sha256",
                dev.unison.connectors.kit.http.Signatures.hmacSha256Base64("demo-webhook-secret", body));
        return shopify.send(webhookUrl, new Delivery(headers.get("X-Shopify-Topic"), body, signed));
    }

    @Test
    void aDeliveryThatCannotBeMappedIsDeadLetteredWithItsOriginalPayload() {
        ObjectNode broken = CanonicalJson.mapper().createObjectNode();
        broken.put("id", 991).put("created_at", "2025-10-01T12:00:00Z").put("currency", "USD"); // no line_items
        Delivery delivery = shopify.webhook("orders/create", broken);

        assertThat(shopify.send(webhookUrl, delivery)).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(deadLetters.recent("inbox:shopify-demo", 50)).anySatisfy(d -> {
                    assertThat(d.eventId()).isEqualTo("event:" + delivery.eventId());
                    assertThat(d.reason()).contains("/lines");
                    assertThat(d.payload()).isEqualTo(new String(delivery.body(), StandardCharsets.UTF_8));
                }));
        assertThat(jdbc.queryForObject("SELECT status FROM inbox WHERE dedupe_key = ?", String.class,
                "event:" + delivery.eventId())).isEqualTo("failed");
    }

    @Test
    void anOlderDeliveryArrivingLateDoesNotOverwriteANewerState() {
        ObjectNode order = shopify.newOrder("late@example.com", "USD", new Line("TRAIL-SHOE-42", 1, "89.90"));
        String id = order.get("id").asText();
        OffsetDateTime t0 = OffsetDateTime.now(ZoneOffset.UTC);
        Delivery created = shopify.webhook("orders/create", order, t0);
        ObjectNode cancelled = shopify.cancelOrder(order.get("id").asLong()); // a later updated_at
        Delivery updated = shopify.webhook("orders/updated", cancelled, t0.plusSeconds(1));

        assertThat(shopify.send(webhookUrl, updated)).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/api/v1/orders/shopify/" + id, KEY).status() == 200);
        assertThat(shopify.send(webhookUrl, created)).isEqualTo(200);
        // the late create is older than the state the hub holds: stale, published as nothing
        await().atMost(Duration.ofSeconds(20)).until(() -> "stale".equals(jdbc.queryForObject(
                "SELECT status FROM inbox WHERE dedupe_key = ?", String.class, "event:" + created.eventId())));
        assertThat(placedEventsFor(id)).isZero();
        // let the order store consume the late create before looking
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(http.get("/api/v1/orders/shopify/" + id, KEY).json().at("/order/status").asText())
                        .isEqualTo("cancelled"));
    }

    @Test
    void connectionsAreListedWithSecretsMaskedAndCanBeChecked() {
        HttpApi.Reply list = http.get("/api/v1/connections", KEY);

        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).contains("shopify-demo").doesNotContain("shpat_demo_token")
                .doesNotContain("demo-webhook-secret");
        HttpApi.Reply check = http.post("/api/v1/connections/shopify-demo/check", KEY, "");
        assertThat(check.json().get("ok").asBoolean()).as(check.body()).isTrue();
        assertThat(http.post("/api/v1/connections/nope/check", KEY, "").status()).isEqualTo(404);
    }

    @Test
    void perConnectionMetricsAreExported() {
        ObjectNode order = shopify.newOrder("m@example.com", "USD", new Line("TRAIL-SHOE-42", 1, "89.90"));
        assertThat(shopify.sendBadlySigned(webhookUrl, shopify.webhook("orders/create", order))).isEqualTo(401);

        String metrics = http.get("/actuator/prometheus", null).body();

        assertThat(metrics).containsPattern(
                "unison_connection_events_total\\{[^}]*connection=\"shopify-demo\"[^}]*outcome=\"rejected_signature\"[^}]*what=\"webhook\"");
        assertThat(metrics).contains("unison_connection_inbox_pending{").contains("unison_connection_outbound_pending{");
    }
}
