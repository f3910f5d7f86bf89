package dev.unison.platform.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Partners are outsiders (issue findings 1 and 2): what one submits is attributed to it, derived
 * types are the hub's alone, and one partner can neither read, squat nor undo another's records.
 */
@EmbeddedHub
class PartnerOwnershipIT {

    @LocalServerPort
    int port;
    @Autowired
    ShopifySimulator shopify;
    @Autowired
    JdbcTemplate jdbc;
    HttpApi http;

    @BeforeEach
    void client() {
        http = new HttpApi(port);
    }

    /** Creates a partner with the scopes given; returns {id, key}. */
    private String[] partner(String prefix, String... scopes) {
        String name = prefix + "-" + System.nanoTime() % 1_000_000_000L;
        HttpApi.Reply created = http.post("/api/v1/admin/partners", EmbeddedHub.BOOTSTRAP_KEY,
                "{\"name\":\"" + name + "\",\"scopes\":" + json(scopes) + "}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return new String[] {created.json().at("/partner/id").asText(), created.json().get("apiKey").asText(), name};
    }

    private static String json(String... values) {
        return "[" + String.join(",", java.util.Arrays.stream(values).map(v -> "\"" + v + "\"").toList()) + "]";
    }

    @Test
    void aForgedAvailabilityIsRefusedAndTheShopKeepsTheRealStock() {
        String sku = "FORGE-" + System.nanoTime() % 1_000_000;
        ObjectNode product = shopify.newProduct("Forgery target", sku);
        long inventoryItem = product.at("/variants/0/inventory_item_id").asLong();
        assertThat(shopify.send("http://127.0.0.1:" + port + "/webhooks/shopify/shopify-demo",
                shopify.webhook("products/update", product))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject("SELECT COUNT(*) FROM external_ref WHERE "
                + "connection_id = 'shopify-demo' AND kind = 'inventory_item' AND ref_key = ?", Long.class, sku) == 1);
        String[] mallory = partner("mallory", "events:write", "events:read");

        HttpApi.Reply forged = http.post("/api/v1/events", mallory[1], """
                {"id":"forge-1","type":"commerce.availability.changed.v1",
                 "data":{"sku":"%s","channel":"shopify","availableToSell":999,"version":9000000000000000000,"asOf":"%s"}}
                """.formatted(sku, Instant.now()));
        assertThat(forged.status()).as(forged.body()).isEqualTo(403);
        assertThat(forged.json().get("detail").asText()).contains("computed by the hub");
        assertThat(http.get("/api/v1/events/forge-1", mallory[1]).status()).as("nothing stored").isEqualTo(404);
        // every derived type is refused the same way
        HttpApi.Reply merge = http.post("/api/v1/events", mallory[1], """
                {"id":"forge-2","type":"commerce.profile.merged.v1","data":{}}""");
        assertThat(merge.status()).isEqualTo(403);

        // the real stock still reaches the shop: no poisoned watermark holds it back
        HttpApi.Reply count = http.post("/api/v1/inventory/counts", EmbeddedHub.BOOTSTRAP_KEY, """
                {"countId":"%s","locationId":"STORE-7","asOf":"%s","counts":[{"sku":"%s","quantity":5}]}
                """.formatted("c-" + sku, Instant.now().minusSeconds(5).truncatedTo(ChronoUnit.SECONDS), sku));
        assertThat(count.status()).as(count.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                Long.valueOf(5).equals(shopify.available(inventoryItem, ShopifySimulator.DEFAULT_LOCATION_ID)));
        assertThat(shopify.available(inventoryItem, ShopifySimulator.DEFAULT_LOCATION_ID)).isNotEqualTo(999L);
    }

    @Test
    void partnersOwnTheirEventIdsAndReadOnlyTheirOwnEvents() {
        String[] a = partner("brand-a", "events:write", "events:read");
        String[] b = partner("brand-b", "events:write", "events:read");
        String item = "{\"id\":\"%s\",\"type\":\"commerce.item.upserted.v1\",\"source\":\"%s\",\"data\":{\"sku\":\"%s\"}}";

        // A takes the id B is about to use: B's own event is still accepted, not a "duplicate"
        assertThat(http.post("/api/v1/events", a[1], item.formatted("shared-1", "/x", "SKU-A")).status()).isEqualTo(202);
        HttpApi.Reply bs = http.post("/api/v1/events", b[1], item.formatted("shared-1", "/partners/" + a[0], "SKU-B"));
        assertThat(bs.status()).as(bs.body()).isEqualTo(202);
        assertThat(bs.json().get("status").asText()).isEqualTo("accepted");
        assertThat(http.post("/api/v1/events", b[1], item.formatted("shared-1", "/x", "SKU-B")).json().get("status").asText())
                .as("B's own retry").isEqualTo("duplicate");

        // each reads its own under the id it gave; the source is the hub's, whatever B claimed
        JsonNode readByB = http.get("/api/v1/events/shared-1", b[1]).json();
        assertThat(readByB.get("id").asText()).isEqualTo("shared-1");
        assertThat(readByB.at("/event/data/sku").asText()).isEqualTo("SKU-B");
        assertThat(readByB.at("/event/source").asText()).isEqualTo("/partners/" + b[0]);
        assertThat(http.get("/api/v1/events/shared-1", a[1]).json().at("/event/data/sku").asText()).isEqualTo("SKU-A");

        // B's id that A never used is not readable by A, and not by its bus id either
        assertThat(http.post("/api/v1/events", b[1], item.formatted("b-only", "/x", "SKU-B")).status()).isEqualTo(202);
        assertThat(http.get("/api/v1/events/b-only", a[1]).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/events/" + b[0] + ":b-only", a[1]).status()).isEqualTo(404);
        // an operator (partners:all, as the bootstrap partner holds) reads it by its bus id
        assertThat(http.get("/api/v1/events/" + b[0] + ":b-only", EmbeddedHub.BOOTSTRAP_KEY).json().get("owner").asText())
                .isEqualTo(b[0]);
    }

    @Test
    void aPartnerReportsRecordsOfItsOwnChannelOnlyAndPricesNeedTheirScope() {
        String[] a = partner("shop-a", "events:write", "events:read");
        String order = """
                {"id":"%s","type":"commerce.order.placed.v1","data":{"id":"%s","channel":"%s","externalId":"1","status":"placed",
                 "placedAt":"2026-12-01T10:00:00Z","lines":[{"sku":"S-1","quantity":1,"unitPrice":{"amount":"1.00","currency":"USD"}}],
                 "total":{"amount":"1.00","currency":"USD"}}}""";
        HttpApi.Reply foreign = http.post("/api/v1/events", a[1], order.formatted("o-1", "shopify-demo:1", "shopify"));
        assertThat(foreign.status()).as(foreign.body()).isEqualTo(403);
        assertThat(foreign.json().get("detail").asText()).contains("data.channel");
        HttpApi.Reply squat = http.post("/api/v1/events", a[1], order.formatted("o-2", "shopify-demo:1", a[2]));
        assertThat(squat.status()).as(squat.body()).isEqualTo(403);
        assertThat(squat.json().get("detail").asText()).contains("data.id");

        HttpApi.Reply price = http.post("/api/v1/events", a[1], """
                {"id":"p-1","type":"commerce.price.changed.v1","data":{"sku":"S-1","channel":"shopify",
                 "amount":{"amount":"1.00","currency":"USD"}}}""");
        assertThat(price.status()).as(price.body()).isEqualTo(403);
        assertThat(price.json().get("detail").asText()).contains("prices:write");

        HttpApi.Reply reserved = http.post("/api/v1/admin/partners", EmbeddedHub.BOOTSTRAP_KEY,
                "{\"name\":\"shopify-demo\",\"scopes\":[\"events:write\"]}");
        assertThat(reserved.status()).as("a connection's name cannot be taken").isEqualTo(422);
    }

    @Test
    void aPartnerReleasesOnlyItsOwnReservations() {
        String[] a = partner("cart-a", "inventory:write", "inventory:read");
        String[] b = partner("cart-b", "inventory:write", "inventory:read");
        String sku = "RSV-" + System.nanoTime() % 1_000_000;
        String hold = "{\"reservationId\":\"cart-1\",\"sku\":\"" + sku + "\",\"locationId\":\"STORE-7\",\"quantity\":%d,"
                + "\"expiresAt\":\"" + Instant.now().plusSeconds(600) + "\"}";
        assertThat(http.post("/api/v1/inventory/reservations", b[1], hold.formatted(2)).status()).isEqualTo(201);
        // A can neither squat B's id (A's own "cart-1" is a reservation of A's) nor release B's
        assertThat(http.post("/api/v1/inventory/reservations", a[1], hold.formatted(1)).status()).isEqualTo(201);
        assertThat(http.delete("/api/v1/inventory/reservations/cart-1", a[1]).status()).isEqualTo(204);
        assertThat(http.delete("/api/v1/inventory/reservations/cart-1", a[1]).status()).isEqualTo(404);
        assertThat(reserved(sku)).as("B's 2 units still held").isEqualTo(2);
        assertThat(jdbc.queryForObject("SELECT owner FROM inventory_reservation WHERE reservation_key = ?", String.class,
                b[0] + ":cart-1")).isEqualTo(b[0]);
        assertThat(http.delete("/api/v1/inventory/reservations/cart-1", b[1]).status()).isEqualTo(204);
        assertThat(reserved(sku)).isZero();
    }

    private long reserved(String sku) {
        JsonNode inventory = http.get("/api/v1/inventory/" + sku, EmbeddedHub.BOOTSTRAP_KEY).json();
        long total = 0;
        for (JsonNode location : inventory.get("positions")) {
            total += location.get("reserved").asLong();
        }
        return total;
    }

    @Test
    void contactDetailsNeedThePiiScope() {
        String email = "pii-" + System.nanoTime() + "@example.com";
        HttpApi.Reply sighting = http.post("/api/v1/identities", EmbeddedHub.BOOTSTRAP_KEY, """
                {"source":"crm","identifiers":[{"type":"email","value":"%s"},{"type":"phone","value":"+14155550123"}]}
                """.formatted(email));
        assertThat(sighting.status()).as(sighting.body()).isIn(200, 201);
        String[] reader = partner("reader", "profiles:read");
        String[] trusted = partner("trusted", "profiles:read", "pii:read");

        String masked = http.get("/api/v1/profiles?identifier=email:" + email, reader[1]).body();
        assertThat(masked).doesNotContain(email).doesNotContain("+14155550123").contains("p***@example.com");
        String clear = http.get("/api/v1/profiles?identifier=email:" + email, trusted[1]).body();
        assertThat(clear).contains(email).contains("+14155550123");
    }
}
