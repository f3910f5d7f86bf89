package dev.unison.connectors.shopify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.connectors.kit.http.Signatures;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulator enforces Shopify's contract: auth, leaky bucket, REST shapes, signed webhooks. */
class ShopifySimulatorTest {

    private ShopifySimulator shopify;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        shopify = new ShopifySimulator(0, ShopifyTestSupport.SHOP, ShopifyTestSupport.TOKEN, ShopifyTestSupport.SECRET,
                Clock.systemUTC());
        shopify.start();
    }

    @AfterEach
    void stop() {
        shopify.close();
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(shopify.baseUrl() + path));
        if (token != null) {
            b.header("X-Shopify-Access-Token", token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aWrongTokenIsRejected() throws Exception {
        assertThat(get("/admin/api/2025-10/shop.json", "nope").statusCode()).isEqualTo(401);
        assertThat(get("/admin/api/2025-10/shop.json", null).body()).contains("Invalid API key or access token");
        assertThat(get("/admin/api/2025-10/shop.json", ShopifyTestSupport.TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void theLeakyBucketRefusesABurstOver40WithRetryAfter() throws Exception {
        int ok = 0;
        HttpResponse<String> refused = null;
        long started = System.nanoTime();
        for (int i = 0; i < 500 && refused == null; i++) {
            HttpResponse<String> r = get("/admin/api/2025-10/shop.json", ShopifyTestSupport.TOKEN);
            if (r.statusCode() == 200) {
                ok++;
                assertThat(r.headers().firstValue("X-Shopify-Shop-Api-Call-Limit")).hasValueSatisfying(v -> assertThat(v).endsWith("/40"));
            } else {
                refused = r;
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        // 40 at once, plus what leaked (2/s) while the burst ran
        assertThat(ok).isBetween(40, 40 + (int) Math.ceil(seconds * 2) + 1);
        assertThat(refused).isNotNull();
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Double.parseDouble(v)).isPositive());
    }

    @Test
    void inventoryLevelsAreSetAndRead() throws Exception {
        HttpResponse<String> set = http.send(HttpRequest.newBuilder(
                        URI.create(shopify.baseUrl() + "/admin/api/2025-10/inventory_levels/set.json"))
                .header("X-Shopify-Access-Token", ShopifyTestSupport.TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"location_id\": 24826418, \"inventory_item_id\": 271878346596884015, \"available\": 7}"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(set.statusCode()).isEqualTo(200);
        assertThat(set.body()).contains("\"inventory_item_id\":271878346596884015");
        assertThat(shopify.available(271878346596884015L, 24826418L)).isEqualTo(7L);
        assertThat(get("/admin/api/2025-10/inventory_levels.json?inventory_item_ids=271878346596884015",
                ShopifyTestSupport.TOKEN).body()).contains("\"available\":7");
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(
                        URI.create(shopify.baseUrl() + "/admin/api/2025-10/inventory_levels/set.json"))
                .header("X-Shopify-Access-Token", ShopifyTestSupport.TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"location_id\": 1}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(422);
        assertThat(bad.body()).contains("inventory_item_id").contains("available");
    }

    @Test
    void webhooksAreSignedTheWayShopifySignsThem() {
        ShopifySimulator.Delivery delivery = shopify.webhook("orders/create",
                shopify.newOrder("jon@example.com", "USD", new ShopifySimulator.Line("SKU-1", 1, "89.90")));

        assertThat(Signatures.verifyBase64(ShopifyTestSupport.SECRET, delivery.body(),
                delivery.headers().get("X-Shopify-Hmac-Sha256"))).isTrue();
        assertThat(delivery.headers()).containsKeys("X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-API-Version",
                "X-Shopify-Webhook-Id", "X-Shopify-Event-Id", "X-Shopify-Triggered-At");
        assertThat(new String(delivery.body())).contains("\"total_price\":\"89.90\"");
    }

    @Test
    void checkPassesWithGoodAndFailsWithBadCredentials() {
        ShopifyConnector connector = new ShopifyConnector();
        assertThat(connector.check(ShopifyTestSupport.connection(shopify.baseUrl())).ok()).isTrue();

        try (ShopifySimulator otherToken = new ShopifySimulator(0, ShopifyTestSupport.SHOP, "shpat_other",
                ShopifyTestSupport.SECRET, Clock.systemUTC())) {
            otherToken.start();
            var result = connector.check(ShopifyTestSupport.connection(otherToken.baseUrl()));
            assertThat(result.ok()).isFalse();
            assertThat(result.detail()).contains("credentials rejected");
        }
        var unreachable = connector.check(ShopifyTestSupport.connection("http://127.0.0.1:1"));
        assertThat(unreachable.ok()).isFalse();
        assertThat(unreachable.detail()).contains("cannot reach");
    }

    private HttpResponse<String> graphql(String version, String query, String inputJson) throws Exception {
        String body = "{\"query\": " + dev.unison.canonical.json.CanonicalJson.write(query) + ", \"variables\": {\"input\": "
                + inputJson + "}}";
        return http.send(HttpRequest.newBuilder(URI.create(shopify.baseUrl() + "/admin/api/" + version + "/graphql.json"))
                .header("X-Shopify-Access-Token", ShopifyTestSupport.TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final String MUTATION = "mutation M($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input)%s { userErrors { code field message } } }";

    private String item(String sku) {
        return "gid://shopify/InventoryItem/" + shopify.newProduct("P", sku).get("variants").get(0).get("inventory_item_id").asText();
    }

    @Test
    void inventorySetQuantitiesNamesTheBadQuantitiesAndThenAppliesNothing() throws Exception {
        String item = item("SKU-1");
        var r = graphql("2025-10", MUTATION.formatted(""), """
                {"name": "available", "reason": "correction", "ignoreCompareQuantity": true, "quantities": [
                  {"inventoryItemId": "%s", "locationId": "gid://shopify/Location/24826418", "quantity": 5},
                  {"inventoryItemId": "gid://shopify/InventoryItem/1", "locationId": "gid://shopify/Location/24826418", "quantity": 2},
                  {"inventoryItemId": "%s", "locationId": "gid://shopify/Location/999", "quantity": 2}]}
                """.formatted(item, item));

        assertThat(r.statusCode()).isEqualTo(200);
        var json = dev.unison.canonical.json.CanonicalJson.parse(r.body());
        assertThat(json.at("/data/inventorySetQuantities/userErrors/0/code").asText()).isEqualTo("INVALID_INVENTORY_ITEM");
        assertThat(json.at("/data/inventorySetQuantities/userErrors/0/field/2").asText()).isEqualTo("1");
        assertThat(json.at("/data/inventorySetQuantities/userErrors/1/code").asText()).isEqualTo("INVALID_LOCATION");
        assertThat(json.at("/extensions/cost/throttleStatus/maximumAvailable").asDouble()).isEqualTo(2000);
        assertThat(json.at("/data/inventorySetQuantities/inventoryAdjustmentGroup").isNull()).isTrue();
        long itemId = Long.parseLong(item.substring(item.lastIndexOf('/') + 1));
        assertThat(shopify.available(itemId, 24826418L)).as("all or nothing").isNull();

        var ok = graphql("2025-10", MUTATION.formatted(""), """
                {"name": "available", "reason": "correction", "ignoreCompareQuantity": true, "quantities": [
                  {"inventoryItemId": "%s", "locationId": "gid://shopify/Location/24826418", "quantity": 5}]}
                """.formatted(item));
        assertThat(ok.body()).contains("\"userErrors\":[]");
        assertThat(shopify.available(itemId, 24826418L)).isEqualTo(5L);
    }

    @Test
    void withoutIgnoreCompareQuantityACompareQuantityIsRequired() throws Exception {
        String item = item("SKU-2");
        var r = graphql("2025-10", MUTATION.formatted(""), """
                {"name": "available", "reason": "correction", "quantities": [
                  {"inventoryItemId": "%s", "locationId": "gid://shopify/Location/24826418", "quantity": 5}]}
                """.formatted(item));
        assertThat(r.body()).contains("COMPARE_QUANTITY_REQUIRED");
    }

    @Test
    void from2026ChangeFromQuantityIsCheckedAndIdempotencyKeysReplay() throws Exception {
        String item = item("SKU-3");
        String input = """
                {"name": "available", "reason": "correction", "quantities": [
                  {"inventoryItemId": "%s", "locationId": "gid://shopify/Location/24826418", "quantity": 5, "changeFromQuantity": %s}]}
                """;
        assertThat(graphql("2026-01", MUTATION.formatted(" @idempotent(key: \"k-1\")"), input.formatted(item, "3")).body())
                .contains("CHANGE_FROM_QUANTITY_STALE");
        assertThat(graphql("2026-01", MUTATION.formatted(" @idempotent(key: \"k-2\")"), input.formatted(item, "0")).body())
                .contains("\"userErrors\":[]");
        long applied = shopify.mutationsApplied();
        assertThat(graphql("2026-01", MUTATION.formatted(" @idempotent(key: \"k-2\")"), input.formatted(item, "0")).body())
                .contains("\"userErrors\":[]");
        assertThat(shopify.mutationsApplied()).as("a replayed key applies nothing").isEqualTo(applied);
        assertThat(graphql("2026-01", MUTATION.formatted(" @idempotent(key: \"k-2\")"), input.formatted(item, "5")).body())
                .contains("IDEMPOTENCY_KEY_PARAMETER_MISMATCH");
        assertThat(graphql("2026-04", MUTATION.formatted(""), input.formatted(item, "null")).body())
                .contains("requires the @idempotent directive");
    }

    @Test
    void overdrawingTheCostBucketIsThrottled() throws Exception {
        String item = item("SKU-4");
        String input = """
                {"name": "available", "reason": "correction", "ignoreCompareQuantity": true, "quantities": [
                  {"inventoryItemId": "%s", "locationId": "gid://shopify/Location/24826418", "quantity": 1}]}
                """.formatted(item);
        shopify.setCostLimits(50, 1); // five mutations, then one point a second
        String last = "";
        for (int i = 0; i < 20 && !last.contains("THROTTLED"); i++) {
            last = graphql("2025-10", MUTATION.formatted(""), input).body();
        }
        assertThat(last).contains("THROTTLED").contains("currentlyAvailable");
        assertThat(shopify.throttledCount()).isEqualTo(1);
    }

    @Test
    void productVariantsBulkUpdateSetsPricesOfTheProductsOwnVariants() throws Exception {
        var product = shopify.newProduct("Shoe", "P-1", "P-2");
        var other = shopify.newProduct("Other", "O-1");
        long v1 = product.get("variants").get(0).get("id").asLong();
        long v2 = product.get("variants").get(1).get("id").asLong();
        long foreign = other.get("variants").get(0).get("id").asLong();
        String body = """
                {"query": "mutation S($productId: ID!, $variants: [ProductVariantsBulkInput!]!) { productVariantsBulkUpdate(productId: $productId, variants: $variants%s) { userErrors { code field message } } }",
                 "variables": {"productId": "gid://shopify/Product/%d", "variants": [
                   {"id": "gid://shopify/ProductVariant/%d", "price": "79.90", "compareAtPrice": "99.00"},
                   {"id": "gid://shopify/ProductVariant/%d", "price": "1.00"},
                   {"id": "gid://shopify/ProductVariant/%d", "price": "-5.00"}]}}
                """;
        var strict = http.send(HttpRequest.newBuilder(URI.create(shopify.baseUrl() + "/admin/api/2025-10/graphql.json"))
                .header("X-Shopify-Access-Token", ShopifyTestSupport.TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.formatted("", product.get("id").asLong(), v1, foreign, v2)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(strict.body()).contains("MUST_BE_FOR_THIS_PRODUCT");
        assertThat(shopify.variantPrice(v1)).as("without allowPartialUpdates nothing changes").isEqualTo("89.90");

        var r = http.send(HttpRequest.newBuilder(URI.create(shopify.baseUrl() + "/admin/api/2025-10/graphql.json"))
                .header("X-Shopify-Access-Token", ShopifyTestSupport.TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.formatted(", allowPartialUpdates: true",
                        product.get("id").asLong(), v1, foreign, v2))).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.body()).contains("MUST_BE_FOR_THIS_PRODUCT").contains("NEGATIVE_PRICE_VALUE");
        assertThat(shopify.variantPrice(v1)).isEqualTo("79.90");
        assertThat(shopify.variantCompareAtPrice(v1)).isEqualTo("99.00");
        assertThat(shopify.variantPrice(v2)).isEqualTo("89.90");
        assertThat(shopify.variantPrice(foreign)).isEqualTo("89.90");
    }
}
