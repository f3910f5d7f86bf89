package dev.unison.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.sfcc.simulator.SfccSimulator;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import dev.unison.connectors.tiktok.simulator.TikTokShopSimulator;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The inventory core through its public interfaces: POS transactions, counts and adjustments in;
 * positions, ATS and the demo shops' quantities out. The embedded default network has STORE-7
 * (store, shopify, tiktok-shop, sfcc) and WH-1 (shopify, tiktok-shop, sfcc), safety stock 0 for
 * shopify and sfcc (config/application.yaml).
 */
@EmbeddedHub
class InventoryIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;

    @LocalServerPort
    int port;
    @Autowired
    ShopifySimulator shopify;
    @Autowired
    TikTokShopSimulator tiktok;
    @Autowired
    SfccSimulator sfcc;
    @Autowired
    JdbcTemplate jdbc;

    /** Where channel sfcc's availability goes: the sfcc-demo connection's OCI location (config/connections.yaml). */
    static final String SFCC_OCI_LOCATION = "RefArch-online";

    HttpApi api;
    String run;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
        run = Long.toString(System.nanoTime() % 1_000_000);
    }

    private JsonNode inventory(String sku) {
        HttpApi.Reply reply = api.get("/api/v1/inventory/" + sku, KEY);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    private long onHand(String sku, String location) {
        for (JsonNode p : inventory(sku).get("positions")) {
            if (p.get("locationId").asText().equals(location)) {
                return p.get("onHand").asLong();
            }
        }
        throw new AssertionError("no position of " + sku + " at " + location);
    }

    private long totalOnHand(String sku) {
        long total = 0;
        for (JsonNode p : inventory(sku).get("positions")) {
            total += p.get("onHand").asLong();
        }
        return total;
    }

    private long ats(String sku, String channel) {
        for (JsonNode c : inventory(sku).get("channels")) {
            if (c.get("channel").asText().equals(channel)) {
                return c.get("availableToSell").asLong();
            }
        }
        throw new AssertionError("no ATS of " + sku + " in " + channel);
    }

    private HttpApi.Reply count(String countId, String location, Instant asOf, String sku, long quantity) {
        return api.post("/api/v1/inventory/counts", KEY, """
                {"countId": "%s", "locationId": "%s", "asOf": "%s", "counts": [{"sku": "%s", "quantity": %d}]}
                """.formatted(countId, location, asOf, sku, quantity));
    }

    static String sale(String register, long sequence, Instant at, String sku, long quantity) {
        return """
                {"storeId": "STORE-7", "registerId": "%s", "businessDay": "2026-11-26", "sequence": %d, "type": "sale",
                 "occurredAt": "%s", "currency": "USD",
                 "lines": [{"sku": "%s", "quantity": %d, "unitPrice": "89.90"}], "loyaltyId": "L-000123"}
                """.formatted(register, sequence, at, sku, quantity);
    }

    @Test
    void s2TheLastUnitSoldInTheStoreDisappearsOnlineAndALaterOnlineOrderIsOversold() {
        String sku = "TRAIL-SHOE-42-" + run;
        ObjectNode product = shopify.newProduct("Trail shoe " + run, sku);
        long inventoryItem = product.get("variants").get(0).get("inventory_item_id").asLong();
        assertThat(shopify.send("http://127.0.0.1:" + port + "/webhooks/shopify/shopify-demo",
                shopify.webhook("products/update", product))).isEqualTo(200);
        assertThat(tiktok.send("http://127.0.0.1:" + port + "/webhooks/tiktok-shop/tiktok-demo",
                tiktok.productChange(tiktok.newProduct("Trail shoe " + run, sku)))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "SELECT COUNT(*) FROM external_ref WHERE ref_key = ? AND kind IN ('inventory_item', 'sku')", Long.class, sku) == 2);

        // SFCC needs no product mapping: OCI records are keyed by the sku itself

        Instant t0 = Instant.now().minusSeconds(60);
        assertThat(count("cc-" + run, "STORE-7", t0, sku, 1).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> Long.valueOf(1).equals(
                shopify.available(inventoryItem, ShopifySimulator.DEFAULT_LOCATION_ID))
                && Long.valueOf(1).equals(tiktok.available(sku, TikTokShopSimulator.DEFAULT_WAREHOUSE_ID))
                && Long.valueOf(1).equals(sfcc.onHand(SFCC_OCI_LOCATION, sku)));
        assertThat(ats(sku, "shopify")).isEqualTo(1);
        assertThat(ats(sku, "tiktok-shop")).isEqualTo(1);
        assertThat(ats(sku, "sfcc")).as("SFCC's safety stock is 0: the last unit shows").isEqualTo(1);

        HttpApi.Reply sold = api.post("/api/v1/pos/transactions", KEY, sale("R1-" + run, 1, t0.plusSeconds(30), sku, 1));
        assertThat(sold.status()).as(sold.body()).isEqualTo(201);
        assertThat(sold.json().get("lines").get(0).get("outcome").asText()).isEqualTo("applied");

        // every online channel's simulator holds 0 (and never a negative number: Shopify's and TikTok's refuse one,
        // SFCC's OCI records are checked below)
        await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(0).equals(
                shopify.available(inventoryItem, ShopifySimulator.DEFAULT_LOCATION_ID))
                && Long.valueOf(0).equals(tiktok.available(sku, TikTokShopSimulator.DEFAULT_WAREHOUSE_ID))
                && Long.valueOf(0).equals(sfcc.onHand(SFCC_OCI_LOCATION, sku)));
        assertThat(ats(sku, "shopify")).isZero();
        assertThat(ats(sku, "tiktok-shop")).isZero();
        assertThat(ats(sku, "sfcc")).isZero();
        assertThat(ats(sku, "store")).isZero();

        // an online order that was placed on the stale number arrives after the sale
        ObjectNode order = shopify.newOrder("jane.doe@example.com", "USD", new ShopifySimulator.Line(sku, 1, "89.90"));
        assertThat(shopify.send("http://127.0.0.1:" + port + "/webhooks/shopify/shopify-demo",
                shopify.webhook("orders/create", order))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "SELECT COUNT(*) FROM outbox_event WHERE event_type = 'commerce.inventory.oversold.v1' AND partition_key = ?",
                Long.class, sku) == 1);
        assertThat(totalOnHand(sku)).as("the sale stands: on hand went below zero").isEqualTo(-1);
        assertThat(ats(sku, "shopify")).as("never negative").isZero();
        assertThat(ats(sku, "sfcc")).as("never negative").isZero();
        assertThat(sfcc.onHand(SFCC_OCI_LOCATION, sku)).isZero();
        assertThat(sfccOnHandsSent(sku)).as("every OCI record SFCC was ever sent for the sku").isNotEmpty().allSatisfy(onHand ->
                assertThat(onHand).isNotNegative());
    }

    /** The onHand of every OCI availability record of {@code sku} the hub sent to the demo SFCC site. */
    private java.util.List<Long> sfccOnHandsSent(String sku) {
        java.util.List<Long> sent = new java.util.ArrayList<>();
        for (SimRequest request : sfcc.receivedOn("POST", ".*/availability-records/actions/batch-update")) {
            for (JsonNode record : CanonicalJson.parse(request.body()).path("records")) {
                if (record.path("stockKeepingUnit").asText().equals(sku)) {
                    sent.add(record.path("onHand").asLong());
                }
            }
        }
        return sent;
    }

    @Test
    void aDuplicatePosDeliveryAppliesOnceAndAChangedOneIsAConflict() {
        String sku = "DUP-" + run;
        Instant t0 = Instant.now().minusSeconds(60);
        count("dup-" + run, "STORE-7", t0, sku, 5);
        String body = sale("R2-" + run, 7, t0.plusSeconds(1), sku, 2);
        assertThat(api.post("/api/v1/pos/transactions", KEY, body).status()).isEqualTo(201);
        HttpApi.Reply again = api.post("/api/v1/pos/transactions", KEY, body);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("status").asText()).isEqualTo("duplicate");
        assertThat(onHand(sku, "STORE-7")).isEqualTo(3);

        HttpApi.Reply changed = api.post("/api/v1/pos/transactions", KEY, sale("R2-" + run, 7, t0.plusSeconds(1), sku, 3));
        assertThat(changed.status()).isEqualTo(409);
        assertThat(onHand(sku, "STORE-7")).isEqualTo(3);
    }

    @Test
    void aBatchFromAStoreServerHasOneOutcomePerTransactionAndABadOneHoldsBackNoOther() {
        String sku = "BATCH-" + run;
        Instant t0 = Instant.now().minusSeconds(60);
        count("batch-" + run, "STORE-7", t0, sku, 10);
        String first = sale("R8-" + run, 1, t0.plusSeconds(1), sku, 1);
        assertThat(api.post("/api/v1/pos/transactions", KEY, first).status()).isEqualTo(201);

        String batch = "{\"transactions\": [" + String.join(",",
                sale("R8-" + run, 2, t0.plusSeconds(2), sku, 2),   // new
                first,                                                // sent before: duplicate
                sale("R8-" + run, 1, t0.plusSeconds(1), sku, 5),    // same key, other content: conflict
                sale("R8-" + run, 3, t0.plusSeconds(3), sku, -1),   // invalid
                sale("R8-" + run, 4, t0.plusSeconds(4), sku, 3)) + "]}";
        HttpApi.Reply reply = api.post("/api/v1/pos/transactions/batch", KEY, batch);

        assertThat(reply.status()).isEqualTo(200);
        JsonNode results = reply.json().get("results");
        assertThat(results).extracting(r -> r.get("status").asText())
                .containsExactly("accepted", "duplicate", "conflict", "invalid", "accepted");
        assertThat(results.get(3).get("errors").get(0).asText()).startsWith("/lines/0/quantity: ");
        assertThat(results.get(4).get("lines").get(0).get("outcome").asText()).isEqualTo("applied");
        assertThat(onHand(sku, "STORE-7")).isEqualTo(10 - 1 - 2 - 3);

        assertThat(api.post("/api/v1/pos/transactions/batch", KEY, "{\"transactions\": []}").status()).isEqualTo(422);
        assertThat(api.post("/api/v1/pos/transactions/batch", KEY, first).json().get("detail").asText())
                .contains("/transactions: required").contains("/storeId: unknown field");
    }

    @Test
    void outOfOrderSalesBothApply() {
        String sku = "OOO-" + run;
        Instant t0 = Instant.now().minusSeconds(60);
        count("ooo-" + run, "STORE-7", t0, sku, 10);
        assertThat(api.post("/api/v1/pos/transactions", KEY, sale("R3-" + run, 2, t0.plusSeconds(20), sku, 1)).status()).isEqualTo(201);
        assertThat(api.post("/api/v1/pos/transactions", KEY, sale("R3-" + run, 1, t0.plusSeconds(10), sku, 2)).status()).isEqualTo(201);
        assertThat(onHand(sku, "STORE-7")).isEqualTo(7);
    }

    @Test
    void aCountNeverOverwritesNewerMovements() {
        String sku = "CNT-" + run;
        Instant t0 = Instant.now().minusSeconds(600);
        count("c1-" + run, "STORE-7", t0, sku, 10);
        api.post("/api/v1/pos/transactions", KEY, sale("R4-" + run, 1, t0.plusSeconds(100), sku, 1));
        assertThat(onHand(sku, "STORE-7")).isEqualTo(9);

        // a count taken before the sale, arriving after it: older than the newest count -> superseded
        HttpApi.Reply stale = count("c0-" + run, "STORE-7", t0.minusSeconds(50), sku, 50);
        assertThat(stale.json().get("results").get(0).get("outcome").asText()).isEqualTo("superseded");
        assertThat(onHand(sku, "STORE-7")).isEqualTo(9);

        // a newer count taken before the sale: the sale still counts on top of it
        HttpApi.Reply newer = count("c2-" + run, "STORE-7", t0.plusSeconds(50), sku, 20);
        assertThat(newer.json().get("results").get(0).get("outcome").asText()).isEqualTo("applied");
        assertThat(onHand(sku, "STORE-7")).isEqualTo(19);

        // a sale from before that count, delivered late: the count already saw it
        HttpApi.Reply late = api.post("/api/v1/pos/transactions", KEY, sale("R4-" + run, 2, t0.plusSeconds(40), sku, 1));
        assertThat(late.json().get("lines").get(0).get("outcome").asText()).isEqualTo("superseded");
        assertThat(onHand(sku, "STORE-7")).isEqualTo(19);

        // the same count again changes nothing
        assertThat(count("c2-" + run, "STORE-7", t0.plusSeconds(50), sku, 20).json().get("results").get(0).get("outcome")
                .asText()).isEqualTo("duplicate");
    }

    @Test
    void aNegativeQuantityIsRefusedWithTheFieldNamedAndNothingApplied() {
        String sku = "NEG-" + run;
        HttpApi.Reply reply = api.post("/api/v1/pos/transactions", KEY, sale("R5-" + run, 1, Instant.now(), sku, -2));
        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.json().get("detail").asText()).startsWith("/lines/0/quantity: ");
        assertThat(api.get("/api/v1/inventory/" + sku, KEY).status()).isEqualTo(404);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM pos_transaction WHERE register_id = ?", Long.class, "R5-" + run))
                .isZero();
    }

    @Test
    void anUnknownSkuSaleIsRecordedFlaggedAndNeverMakesAvailabilityNegative() {
        String sku = "NEW-" + run;
        HttpApi.Reply reply = api.post("/api/v1/pos/transactions", KEY, sale("R6-" + run, 1, Instant.now(), sku, 1));
        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.json().get("lines").get(0).get("unknownSku").asBoolean()).isTrue();
        assertThat(onHand(sku, "STORE-7")).isEqualTo(-1);
        assertThat(ats(sku, "store")).isZero();
        assertThat(ats(sku, "shopify")).isZero();
    }

    @Test
    void adjustmentsAreIdempotentAndUnknownLocationsRefused() {
        String sku = "ADJ-" + run;
        String body = """
                {"adjustmentId": "rcv-%s", "sku": "%s", "locationId": "WH-1", "quantity": 12, "kind": "receipt",
                 "occurredAt": "%s", "reason": "PO 4711"}""".formatted(run, sku, Instant.now());
        assertThat(api.post("/api/v1/inventory/adjustments", KEY, body).json().get("outcome").asText()).isEqualTo("applied");
        assertThat(api.post("/api/v1/inventory/adjustments", KEY, body).json().get("outcome").asText()).isEqualTo("duplicate");
        assertThat(onHand(sku, "WH-1")).isEqualTo(12);
        assertThat(ats(sku, "shopify")).isEqualTo(12);
        assertThat(ats(sku, "store")).as("WH-1 does not serve the store channel").isZero();

        HttpApi.Reply unknown = api.post("/api/v1/inventory/adjustments", KEY, body.replace("WH-1", "WH-9"));
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.json().get("detail").asText()).contains("locationId: unknown location 'WH-9'");
    }

    @Test
    void scopesAreEnforced() {
        assertThat(api.get("/api/v1/inventory/ANY", null).status()).isEqualTo(401);
        HttpApi.Reply created = api.post("/api/v1/admin/partners", KEY, """
                {"name": "reader-%s", "scopes": ["inventory:read"]}""".formatted(run));
        String readerKey = created.json().get("apiKey").asText();
        assertThat(api.post("/api/v1/pos/transactions", readerKey, sale("R7", 1, Instant.now(), "X", 1)).status()).isEqualTo(403);
    }

    @Test
    void aCartReservationHoldsStockUntilReleasedOrExpired() {
        String sku = "RES-" + run;
        count("res-" + run, "STORE-7", Instant.now().minusSeconds(5), sku, 3);
        assertThat(ats(sku, "shopify")).isEqualTo(3);
        String hold = """
                {"reservationId": "cart-%s", "sku": "%s", "locationId": "STORE-7", "quantity": 2, "expiresAt": "%s"}
                """;
        assertThat(api.post("/api/v1/inventory/reservations", KEY, hold.formatted(run, sku, Instant.now().plusSeconds(600)))
                .status()).isEqualTo(201);
        assertThat(api.post("/api/v1/inventory/reservations", KEY, hold.formatted(run, sku, Instant.now().plusSeconds(600)))
                .status()).as("idempotent").isEqualTo(200);
        assertThat(ats(sku, "shopify")).isEqualTo(1);
        assertThat(ats(sku, "store")).isEqualTo(1);

        assertThat(api.delete("/api/v1/inventory/reservations/cart-" + run, KEY).status()).isEqualTo(204);
        assertThat(ats(sku, "shopify")).isEqualTo(3);
        assertThat(api.delete("/api/v1/inventory/reservations/cart-" + run, KEY).status()).isEqualTo(404);

        // one that lapses by itself
        assertThat(api.post("/api/v1/inventory/reservations", KEY, hold.formatted(run + "-b", sku, Instant.now().plusSeconds(2)))
                .status()).isEqualTo(201);
        assertThat(ats(sku, "shopify")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(15)).until(() -> ats(sku, "shopify") == 3);

        HttpApi.Reply bad = api.post("/api/v1/inventory/reservations", KEY, """
                {"reservationId": "x", "sku": "%s", "locationId": "STORE-7", "quantity": 0, "expiresAt": "2020-01-01T00:00:00Z"}
                """.formatted(sku));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().get("detail").asText()).contains("/quantity: ")
                .contains("/expiresAt: must be in the future");
    }
}
