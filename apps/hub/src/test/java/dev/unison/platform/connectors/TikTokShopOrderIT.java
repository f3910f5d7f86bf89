package dev.unison.platform.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import dev.unison.connectors.tiktok.simulator.TikTokShopSimulator;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A TikTok order flows back like any channel's: the embedded default's demo TikTok shop and demo
 * Shopify shop (both simulators) sell the same sku from STORE-7's stock.
 */
@EmbeddedHub
class TikTokShopOrderIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;
    static final String WAREHOUSE = TikTokShopSimulator.DEFAULT_WAREHOUSE_ID;

    @LocalServerPort
    int port;
    @Autowired
    ShopifySimulator shopify;
    @Autowired
    TikTokShopSimulator tiktok;
    @Autowired
    JdbcTemplate jdbc;

    HttpApi api;
    String sku;
    long shopifyItem;

    @BeforeEach
    void aSkuSoldOnBothChannels() {
        api = new HttpApi(port);
        sku = "TT-SHOE-" + System.nanoTime() % 1_000_000;
        ObjectNode product = shopify.newProduct("Trail shoe", sku);
        shopifyItem = product.get("variants").get(0).get("inventory_item_id").asLong();
        assertThat(shopify.send(hub("/webhooks/shopify/shopify-demo"), shopify.webhook("products/update", product))).isEqualTo(200);
        assertThat(tiktok.send(hub("/webhooks/tiktok-shop/tiktok-demo"), tiktok.productChange(tiktok.newProduct("Trail shoe", sku))))
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "SELECT COUNT(*) FROM external_ref WHERE ref_key = ? AND kind IN ('inventory_item', 'sku')", Long.class, sku) == 2);
        HttpApi.Reply counted = api.post("/api/v1/inventory/counts", KEY, """
                {"countId": "tt-%s", "locationId": "STORE-7", "asOf": "%s", "counts": [{"sku": "%s", "quantity": 5}]}
                """.formatted(sku, Instant.now().minusSeconds(5), sku));
        assertThat(counted.status()).as(counted.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> quantities().equals(List.of(5L, 5L)));
    }

    private String hub(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** [Shopify available, TikTok warehouse quantity] */
    private List<Long> quantities() {
        Long s = shopify.available(shopifyItem, ShopifySimulator.DEFAULT_LOCATION_ID);
        Long t = tiktok.available(sku, WAREHOUSE);
        return java.util.Arrays.asList(s, t);
    }

    @Test
    void aPaidTikTokOrderIsFetchedSignedBecomesOneCanonicalOrderAndEveryChannelDrops() {
        tiktok.clearReceived();
        ObjectNode order = tiktok.newOrder("AWAITING_SHIPMENT", new TikTokShopSimulator.Line(sku, 2, "59.90"));
        String orderId = order.get("id").asText();

        assertThat(tiktok.send(hub("/webhooks/tiktok-shop/tiktok-demo"), tiktok.orderStatusChange(order))).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/orders/tiktok-shop/" + orderId, KEY).status() == 200);
        JsonNode stored = api.get("/api/v1/orders/tiktok-shop/" + orderId, KEY).json().get("order");
        assertThat(stored.get("channel").asText()).isEqualTo("tiktok-shop");
        assertThat(stored.get("status").asText()).isEqualTo("paid");
        assertThat(stored.get("lines")).singleElement().satisfies(line -> {
            assertThat(line.get("sku").asText()).isEqualTo(sku);
            assertThat(line.get("quantity").asLong()).isEqualTo(2);
        });
        assertThat(stored.get("total").get("amount").asText()).isEqualTo("119.80");
        assertThat(stored.get("identifiers").toString()).as("the masked relay address is a channel identifier, not an email")
                .contains("email-relay:").doesNotContain("\"type\":\"email\"");

        List<SimRequest> detailCalls = tiktok.receivedOn("GET", "/order/202309/orders");
        assertThat(detailCalls).isNotEmpty();
        assertThat(detailCalls.get(0).query()).contains("ids=" + orderId).contains("sign=").contains("shop_cipher=")
                .contains("app_key=").contains("timestamp=");
        assertThat(detailCalls.get(0).header("x-tts-access-token")).isNotBlank();
        assertThat(tiktok.refusal(detailCalls.get(0), true)).as("the simulator's own verifier accepts the call").isNull();

        await().atMost(Duration.ofSeconds(10)).until(() -> quantities().equals(List.of(3L, 3L)));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM commerce_order WHERE channel = 'tiktok-shop' AND external_id = ?",
                Long.class, orderId)).isEqualTo(1);

        // the buyer cancels: the units come back on every channel
        tiktok.setOrderStatus(orderId, "CANCELLED");
        assertThat(tiktok.send(hub("/webhooks/tiktok-shop/tiktok-demo"), tiktok.orderStatusChange(order))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> quantities().equals(List.of(5L, 5L)));
    }

    @Test
    void anExpiredAccessTokenIsRefreshedAndTheWorkGoesThrough() {
        String before = tiktok.currentAccessToken();
        tiktok.expireAccessToken();

        api.post("/api/v1/inventory/adjustments", KEY, """
                {"adjustmentId": "tt-adj-%s", "sku": "%s", "locationId": "STORE-7", "quantity": 4, "kind": "receipt",
                 "occurredAt": "%s"}""".formatted(sku, sku, Instant.now()));

        await().atMost(Duration.ofSeconds(20)).until(() -> quantities().equals(List.of(9L, 9L)));
        assertThat(tiktok.currentAccessToken()).isNotEqualTo(before);
        assertThat(tiktok.receivedOn("GET", "/api/v2/token/refresh")).isNotEmpty();
        JsonNode connections = api.get("/api/v1/connections", KEY).json().get("connections");
        JsonNode demo = null;
        for (JsonNode c : connections) {
            if (c.get("id").asText().equals("tiktok-demo")) {
                demo = c;
            }
        }
        assertThat(demo).isNotNull();
        assertThat(demo.get("lastCheck").get("ok").asBoolean()).isTrue();
        assertThat(demo.get("lastCheck").get("detail").asText()).contains("access token refreshed");
        assertThat(demo.get("settings").toString()).doesNotContain(tiktok.currentAccessToken()).doesNotContain("demo-app-secret");
    }
}
