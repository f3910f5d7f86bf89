package dev.unison.platform.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.connectors.kit.simulator.Fault;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import dev.unison.connectors.tiktok.simulator.TikTokShopSimulator;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A connection whose API hangs delays only itself. TikTok Shop's order webhooks carry an id; the
 * hub fetches the order with a signed call while it maps the delivery. Here the demo TikTok shop
 * answers that call after 30 s (the client's timeout), and meanwhile the demo Shopify shop's orders,
 * one at a time, are mapped and stored as fast as ever: each connection is mapped on its own, and
 * no mapping holds a lock while it waits for an API.
 */
@EmbeddedHub
class SlowConnectionIsolationIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;
    static final Duration HANG = Duration.ofSeconds(30);

    @LocalServerPort
    int port;
    @Autowired
    ShopifySimulator shopify;
    @Autowired
    TikTokShopSimulator tiktok;

    @Test
    void shopifyOrdersAreStoredWithinASecondWhileTikTokHangsAndTheTikTokOrderFollowsAfterwards() throws Exception {
        HttpApi api = new HttpApi(port);
        String tag = Long.toString(System.nanoTime() % 1_000_000);
        ObjectNode tiktokOrder = tiktok.newOrder("AWAITING_SHIPMENT", new TikTokShopSimulator.Line("HANG-" + tag, 1, "10.00"));
        String tiktokOrderId = tiktokOrder.get("id").asText();

        // the next call the TikTok shop receives, the hub's order fetch, is answered after 30 s
        tiktok.clearReceived();
        tiktok.inject(Fault.delay(HANG));
        long hangStarted = System.nanoTime();
        assertThat(tiktok.send(hub("/webhooks/tiktok-shop/tiktok-demo"), tiktok.orderStatusChange(tiktokOrder))).isEqualTo(200);
        // the hub's order fetch is hanging in the TikTok shop, and the connection's inbox lease says who waits for it
        await().atMost(Duration.ofSeconds(5)).until(() -> tiktok.inFlight() == 1);
        JsonNode lease = inboxLeaseOf(api, "tiktok-demo");
        assertThat(lease).as("GET /api/v1/connections shows the inbox lease of tiktok-demo").isNotNull();
        assertThat(lease.get("active").asBoolean()).isTrue();
        assertThat(lease.get("instance").asText()).isEqualTo(api.get("/api/v1/connections", KEY).json().get("instance").asText());

        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ObjectNode order = shopify.newOrder("iso-" + tag + "-" + i + "@example.com", "USD",
                    new ShopifySimulator.Line("ISO-" + tag, 1, "5.00"));
            String id = order.get("id").asText();
            long sent = System.nanoTime();
            assertThat(shopify.send(hub("/webhooks/shopify/shopify-demo"), shopify.webhook("orders/create", order))).isEqualTo(200);
            await().atMost(HANG).pollInterval(Duration.ofMillis(10))
                    .until(() -> api.get("/api/v1/orders/shopify/" + id, KEY).status() == 200);
            millis.add((System.nanoTime() - sent) / 1_000_000);
        }
        long shopifyDone = System.nanoTime();

        assertThat(tiktok.inFlight()).as("all Shopify orders were stored while the TikTok call still hung").isEqualTo(1);
        assertThat(shopifyDone - hangStarted).isLessThan(HANG.toNanos());
        assertThat(api.get("/api/v1/orders/tiktok-shop/" + tiktokOrderId, KEY).status()).isEqualTo(404);
        List<Long> sorted = millis.stream().sorted().toList();
        assertThat(sorted.get(sorted.size() - 1)).as("webhook to stored order, ms, while TikTok hangs: %s", millis)
                .isLessThan(1_000);

        // the hung call ends (the client gives up at 30 s and the delivery is retried, or the answer arrives): the order follows
        await().atMost(Duration.ofSeconds(90)).until(() -> api.get("/api/v1/orders/tiktok-shop/" + tiktokOrderId, KEY).status() == 200);
    }

    private static JsonNode inboxLeaseOf(HttpApi api, String connectionId) {
        JsonNode connections = api.get("/api/v1/connections", KEY).json().get("connections");
        return StreamSupport.stream(connections.spliterator(), false).filter(c -> c.get("id").asText().equals(connectionId))
                .map(c -> c.get("inbox")).filter(inbox -> inbox != null && !inbox.isNull()).findFirst().orElse(null);
    }

    private String hub(String path) {
        return "http://127.0.0.1:" + port + path;
    }
}
