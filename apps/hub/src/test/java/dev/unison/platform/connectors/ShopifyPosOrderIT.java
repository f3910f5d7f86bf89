package dev.unison.platform.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import dev.unison.platform.deadletter.DeadLetters;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Issue 15, finding 13: a Shopify POS order ({@code source_name: pos} with the store's
 * {@code location_id}) is an in-store sale at the hub location the connection maps that Shopify
 * location to (the demo maps the simulator's store to STORE-7): the canonical order says so and
 * STORE-7's stock goes down, not the location the online rule would pick (WH-1, which holds more).
 */
@EmbeddedHub
class ShopifyPosOrderIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;

    @LocalServerPort
    int port;
    @Autowired
    ShopifySimulator shopify;
    @Autowired
    DeadLetters deadLetters;

    HttpApi api;
    String sku;

    @BeforeEach
    void stockInTheStoreAndMoreInTheWarehouse() {
        api = new HttpApi(port);
        sku = "POS-" + System.nanoTime() % 1_000_000;
        count("STORE-7", 5);
        count("WH-1", 20);
        await().atMost(Duration.ofSeconds(10)).until(() -> onHand("STORE-7") == 5 && onHand("WH-1") == 20);
    }

    private void count(String location, long quantity) {
        HttpApi.Reply counted = api.post("/api/v1/inventory/counts", KEY, """
                {"countId": "%s-%s", "locationId": "%s", "asOf": "%s", "counts": [{"sku": "%s", "quantity": %d}]}
                """.formatted(sku, location, location, Instant.now().minusSeconds(5), sku, quantity));
        assertThat(counted.status()).as(counted.body()).isEqualTo(200);
    }

    private long onHand(String location) {
        HttpApi.Reply reply = api.get("/api/v1/inventory/" + sku, KEY);
        if (reply.status() != 200) {
            return Long.MIN_VALUE;
        }
        for (JsonNode p : reply.json().get("positions")) {
            if (p.get("locationId").asText().equals(location)) {
                return p.get("onHand").asLong();
            }
        }
        return Long.MIN_VALUE;
    }

    /** The simulator's own control API: it creates the order and sends the signed orders/create webhook. */
    private String simulatorOrder(String json) throws Exception {
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(shopify.baseUrl() + "/simulator/orders")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode reply = CanonicalJson.parse(created.body());
        assertThat(reply.get("webhookStatus").asInt()).isEqualTo(200);
        return reply.get("orderId").asText();
    }

    @Test
    void aShopifyPosOrderIsAnInStoreSaleAtStore7AndTakesStore7sStock() throws Exception {
        String id = simulatorOrder("""
                {"email": "till@example.com", "sourceName": "pos", "locationId": %d,
                 "lines": [{"sku": "%s", "quantity": 2, "price": "89.90"}]}
                """.formatted(ShopifySimulator.STORE_LOCATION_ID, sku));

        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/orders/shopify/" + id, KEY).status() == 200);
        JsonNode order = api.get("/api/v1/orders/shopify/" + id, KEY).json().get("order");
        assertThat(order.get("placedIn").asText()).isEqualTo("store");
        assertThat(order.get("placedAtLocation").asText()).isEqualTo("STORE-7");
        await().atMost(Duration.ofSeconds(20)).until(() -> onHand("STORE-7") == 3);
        assertThat(onHand("WH-1")).as("not the online rule's location").isEqualTo(20);
    }

    @Test
    void aWebOrderStaysOnlineAndTakesStockByTheOnlineRule() throws Exception {
        String id = simulatorOrder("""
                {"email": "web@example.com", "lines": [{"sku": "%s", "quantity": 1, "price": "89.90"}]}
                """.formatted(sku));

        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/orders/shopify/" + id, KEY).status() == 200);
        JsonNode order = api.get("/api/v1/orders/shopify/" + id, KEY).json().get("order");
        assertThat(order.get("placedIn").asText()).isEqualTo("online");
        assertThat(order.has("placedAtLocation")).isFalse();
        await().atMost(Duration.ofSeconds(20)).until(() -> onHand("WH-1") == 19);
        assertThat(onHand("STORE-7")).isEqualTo(5);
    }

    @Test
    void aTillSaleThroughThePosApiIsInStoreToo() {
        String register = "R-POS-" + sku;
        HttpApi.Reply sold = api.post("/api/v1/pos/transactions", KEY, """
                {"storeId": "STORE-7", "registerId": "%s", "businessDay": "2026-11-26", "sequence": 1, "type": "sale",
                 "occurredAt": "%s", "currency": "USD", "lines": [{"sku": "%s", "quantity": 1, "unitPrice": "89.90"}]}
                """.formatted(register, Instant.now().minusSeconds(1), sku));
        assertThat(sold.status()).as(sold.body()).isEqualTo(201);
        String key = "STORE-7:" + register + ":2026-11-26:1";

        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/orders/store/" + key, KEY).status() == 200);
        JsonNode order = api.get("/api/v1/orders/store/" + key, KEY).json().get("order");
        assertThat(order.get("placedIn").asText()).isEqualTo("store");
        assertThat(order.get("placedAtLocation").asText()).isEqualTo("STORE-7");
    }

    @Test
    void aPosOrderFromAShopifyLocationWithNoHubLocationIsDeadLetteredNotSoldOnline() {
        long unmapped = 99887766L;
        ObjectNode order = shopify.newPosOrder(unmapped, "lost@example.com", "USD", new ShopifySimulator.Line(sku, 1, "89.90"));
        String id = order.get("id").asText();
        ShopifySimulator.Delivery delivery = shopify.webhook("orders/create", order);

        assertThat(shopify.send("http://127.0.0.1:" + port + "/webhooks/shopify/shopify-demo", delivery)).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(deadLetters.recent("inbox:shopify-demo", 50)).anySatisfy(d -> {
                    assertThat(d.eventId()).isEqualTo("event:" + delivery.eventId());
                    assertThat(d.reason()).contains("Shopify location " + unmapped).contains("posLocations");
                }));
        assertThat(api.get("/api/v1/orders/shopify/" + id, KEY).status()).isEqualTo(404);
        assertThat(onHand("STORE-7")).isEqualTo(5);
        assertThat(onHand("WH-1")).isEqualTo(20);
    }
}
