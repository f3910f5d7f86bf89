package dev.unison.platform.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.shopify.ShopifyHeaders;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import dev.unison.connectors.shopify.simulator.ShopifySimulator.Delivery;
import dev.unison.connectors.shopify.simulator.ShopifySimulator.Line;
import dev.unison.connectors.tiktok.simulator.TikTokShopSimulator;
import dev.unison.platform.deadletter.DeadLetters;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Issue 15, finding 7: a webhook changes state only when its payload is newer than what the hub
 * holds. An old, correctly signed Shopify orders/create body replayed under fresh delivery headers
 * (new webhook and event ids, so delivery-id dedupe does not catch it) leaves a cancelled order
 * cancelled and takes no stock; an older TikTok order state fetched late changes nothing either.
 */
@EmbeddedHub
class WebhookReplayIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;

    @LocalServerPort
    int port;
    @Autowired
    ShopifySimulator shopify;
    @Autowired
    TikTokShopSimulator tiktok;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    DeadLetters deadLetters;

    HttpApi api;
    String sku;

    @BeforeEach
    void stockAtWh1() {
        api = new HttpApi(port);
        sku = "REPLAY-" + System.nanoTime() % 1_000_000;
        HttpApi.Reply counted = api.post("/api/v1/inventory/counts", KEY, """
                {"countId": "replay-%s", "locationId": "WH-1", "asOf": "%s", "counts": [{"sku": "%s", "quantity": 10}]}
                """.formatted(sku, Instant.now().minusSeconds(5), sku));
        assertThat(counted.status()).as(counted.body()).isEqualTo(200);
    }

    private String hub(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private long onHand(String location) {
        for (JsonNode p : api.get("/api/v1/inventory/" + sku, KEY).json().get("positions")) {
            if (p.get("locationId").asText().equals(location)) {
                return p.get("onHand").asLong();
            }
        }
        throw new AssertionError("no position of " + sku + " at " + location);
    }

    private String status(String channel, String externalId) {
        HttpApi.Reply reply = api.get("/api/v1/orders/" + channel + "/" + externalId, KEY);
        return reply.status() == 200 ? reply.json().at("/order/status").asText() : "HTTP " + reply.status();
    }

    private long eventsOf(String orderKey) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE partition_key = ?", Long.class, orderKey);
    }

    private String inboxStatus(String dedupeKey) {
        return jdbc.queryForList("SELECT status FROM inbox WHERE dedupe_key = ?", String.class, dedupeKey).stream()
                .findFirst().orElse("absent");
    }

    private double staleCount(String connection) {
        return staleCount(connection, "inbound_order");
    }

    private double staleCount(String connection, String what) {
        String metrics = api.get("/actuator/prometheus", null).body();
        double total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("unison_connection_events_total{") && line.contains("connection=\"" + connection + "\"")
                    && line.contains("what=\"" + what + "\"") && line.contains("outcome=\"stale\"")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    @Test
    void anOldSignedOrderCreateReplayedWithFreshHeadersLeavesTheCancelledOrderCancelledAndTakesNoStock() throws Exception {
        ObjectNode order = shopify.newOrder("replay@example.com", "USD", new Line(sku, 2, "89.90"));
        String id = order.get("id").asText();
        Delivery created = shopify.webhook("orders/create", order);
        assertThat(shopify.send(hub("/webhooks/shopify/shopify-demo"), created)).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> status("shopify", id).equals("placed") && onHand("WH-1") == 8);

        // the shop cancels it: the simulator sends a signed orders/cancelled with a later updated_at
        HttpResponse<String> cancel = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(shopify.baseUrl() + "/simulator/orders/" + id + "/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
        assertThat(CanonicalJson.parse(cancel.body()).get("webhookStatus").asInt()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> status("shopify", id).equals("cancelled") && onHand("WH-1") == 10);
        long eventsBefore = eventsOf("shopify-demo:" + id);
        double staleBefore = staleCount("shopify-demo");
        int deadBefore = deadLetters.recent("inbox:shopify-demo", 500).size();

        // the replay: the first body, byte for byte (so its signature is valid), under fresh headers
        Map<String, String> fresh = new LinkedHashMap<>(created.headers());
        String eventId = UUID.randomUUID().toString();
        fresh.put(ShopifyHeaders.WEBHOOK_ID, UUID.randomUUID().toString());
        fresh.put(ShopifyHeaders.EVENT_ID, eventId);
        fresh.put(ShopifyHeaders.TRIGGERED_AT, OffsetDateTime.now(ZoneOffset.UTC).plusMinutes(5).toString());
        assertThat(shopify.send(hub("/webhooks/shopify/shopify-demo"), new Delivery("orders/create", created.body(), fresh)))
                .as("a correctly signed delivery is accepted").isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).until(() -> inboxStatus("event:" + eventId).equals("stale"));
        assertThat(staleCount("shopify-demo")).as("counted as stale").isEqualTo(staleBefore + 1);
        assertThat(eventsOf("shopify-demo:" + id)).as("nothing published: no order, stock or identity change")
                .isEqualTo(eventsBefore);
        assertThat(deadLetters.recent("inbox:shopify-demo", 500)).as("not an error").hasSize(deadBefore);
        // give the consumers time to have acted on anything, then look again
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(status("shopify", id)).isEqualTo("cancelled");
            assertThat(onHand("WH-1")).as("the stock is not taken again").isEqualTo(10);
        });
    }

    @Test
    void anOlderTikTokOrderStateFetchedLateChangesNothing() {
        ObjectNode order = tiktok.newOrder("AWAITING_SHIPMENT", new TikTokShopSimulator.Line(sku, 1, "59.90"));
        String id = order.get("id").asText();
        ObjectNode paid = order.deepCopy();
        assertThat(tiktok.send(hub("/webhooks/tiktok-shop/tiktok-demo"), tiktok.orderStatusChange(order))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> status("tiktok-shop", id).equals("paid") && onHand("WH-1") == 9);
        assertThat(api.get("/api/v1/orders/tiktok-shop/" + id, KEY).json().at("/order/placedIn").asText())
                .as("an order placed inside TikTok is online").isEqualTo("online");

        // cancelled a second later by TikTok's clock (update_time is whole seconds)
        order.put("status", "CANCELLED").put("update_time", paid.get("update_time").asLong() + 1);
        assertThat(tiktok.send(hub("/webhooks/tiktok-shop/tiktok-demo"), tiktok.orderStatusChange(order))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> status("tiktok-shop", id).equals("cancelled") && onHand("WH-1") == 10);
        long eventsBefore = eventsOf("tiktok-demo:" + id);
        double staleBefore = staleCount("tiktok-demo");

        // a late notification whose fetch answers the older, paid state (a lagging read): stale
        order.removeAll();
        order.setAll(paid);
        assertThat(tiktok.send(hub("/webhooks/tiktok-shop/tiktok-demo"), tiktok.orderStatusChange(order))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> staleCount("tiktok-demo") == staleBefore + 1);
        assertThat(eventsOf("tiktok-demo:" + id)).isEqualTo(eventsBefore);

        // the same cancelled state fetched again (equal update_time, same content): stale as well
        order.put("status", "CANCELLED").put("update_time", paid.get("update_time").asLong() + 1);
        assertThat(tiktok.send(hub("/webhooks/tiktok-shop/tiktok-demo"), tiktok.orderStatusChange(order))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> staleCount("tiktok-demo") == staleBefore + 2);
        assertThat(eventsOf("tiktok-demo:" + id)).isEqualTo(eventsBefore);
        assertThat(status("tiktok-shop", id)).isEqualTo("cancelled");
        assertThat(onHand("WH-1")).isEqualTo(10);
    }

    @Test
    void anOlderCustomerStateDeliveredLateDoesNotBringBackTheEmailTheCustomerRemoved() {
        long customerId = System.nanoTime() % 1_000_000_000L;
        String oldEmail = "old-" + customerId + "@example.com";
        String newEmail = "new-" + customerId + "@example.com";
        OffsetDateTime changed = OffsetDateTime.now(ZoneOffset.UTC).withNano(0);
        ObjectNode before = CanonicalJson.parse("""
                {"id": %d, "email": "%s", "updated_at": "%s"}""".formatted(customerId, oldEmail, changed.minusMinutes(10)))
                .deepCopy();
        ObjectNode after = CanonicalJson.parse("""
                {"id": %d, "email": "%s", "updated_at": "%s"}""".formatted(customerId, newEmail, changed)).deepCopy();
        double staleBefore = staleCount("shopify-demo", "inbound_customer");

        // the newer state arrives first, the older one (an honest late retry or a replay) after it
        assertThat(shopify.send(hub("/webhooks/shopify/shopify-demo"), shopify.webhook("customers/update", after))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> api.get("/api/v1/profiles?identifier=email:" + newEmail, KEY).status() == 200);
        Delivery late = shopify.webhook("customers/update", before);
        assertThat(shopify.send(hub("/webhooks/shopify/shopify-demo"), late)).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).until(() -> staleCount("shopify-demo", "inbound_customer") == staleBefore + 1);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(api.get("/api/v1/profiles?identifier=email:" + oldEmail, KEY).status())
                        .as("the old email links nobody").isEqualTo(404));
    }
}
