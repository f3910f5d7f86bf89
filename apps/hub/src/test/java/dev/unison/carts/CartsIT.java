package dev.unison.carts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The carts domain through its public interfaces (docs/carts.md): create, replace and a stale replace;
 * lookups by loyalty id, email, phone and QR token; stock held, changed and released at the chosen
 * store; abandonment; a Shopify cart webhook; a profile merge followed. The embedded network's
 * STORE-7 serves channel store (config/application.yaml).
 */
@EmbeddedHub
class CartsIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;

    @LocalServerPort
    int port;
    @Autowired
    ShopifySimulator shopify;

    HttpApi api;
    String run;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
        run = Long.toString(System.nanoTime() % 1_000_000);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    HttpApi.Reply put(String cartId, String body) {
        return api.put("/api/v1/carts/" + enc(cartId), KEY, body);
    }

    static String cart(String identifiers, String lines, String extra) {
        return """
                {"channel": "app", "currency": "USD", "identifiers": [%s], "lines": [%s]%s}
                """.formatted(identifiers, lines, extra.isEmpty() ? "" : ", " + extra);
    }

    HttpApi.Reply find(String identifier) {
        return api.get("/api/v1/carts?identifier=" + enc(identifier), KEY);
    }

    long reserved(String sku, String location) {
        HttpApi.Reply r = api.get("/api/v1/inventory/" + sku, KEY);
        if (r.status() == 404) {
            return 0;
        }
        for (JsonNode p : r.json().get("positions")) {
            if (p.get("locationId").asText().equals(location)) {
                return p.get("reserved").asLong();
            }
        }
        return 0;
    }

    long storeAts(String sku) {
        for (JsonNode c : api.get("/api/v1/inventory/" + sku, KEY).json().get("channels")) {
            if (c.get("channel").asText().equals("store")) {
                return c.get("availableToSell").asLong();
            }
        }
        throw new AssertionError("no store ATS of " + sku);
    }

    void stock(String sku, long quantity) {
        HttpApi.Reply counted = api.post("/api/v1/inventory/counts", KEY, """
                {"countId": "c-%s", "locationId": "STORE-7", "asOf": "%s", "counts": [{"sku": "%s", "quantity": %d}]}
                """.formatted(sku, Instant.now().minusSeconds(60), sku, quantity));
        assertThat(counted.status()).as(counted.body()).isEqualTo(200);
    }

    @Test
    void anAppCartIsCreatedReplacedAndAStaleReplaceIsRefused() {
        String id = "app-cart-" + run;
        String email = "{\"type\": \"email\", \"value\": \"Cart.A." + run + "@Example.com\"}";
        HttpApi.Reply created = put(id, cart(email, "{\"sku\": \"SKU-A-" + run + "\", \"quantity\": 1, \"unitPrice\": \"89.90\"}", ""));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("version").asLong()).isEqualTo(1);
        assertThat(created.json().get("status").asText()).isEqualTo("open");
        assertThat(created.json().at("/lines/0/unitPrice/amount").asText()).isEqualTo("89.90");

        HttpApi.Reply replaced = put(id, cart(email, "{\"sku\": \"SKU-A-" + run + "\", \"quantity\": 2}, {\"sku\": \"SKU-B-" + run
                + "\", \"quantity\": 1}", "\"version\": 1"));
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertThat(replaced.json().get("version").asLong()).isEqualTo(2);
        assertThat(replaced.json().get("lines")).hasSize(2);

        HttpApi.Reply stale = put(id, cart(email, "{\"sku\": \"SKU-A-" + run + "\", \"quantity\": 5}", "\"version\": 1"));
        assertThat(stale.status()).as(stale.body()).isEqualTo(409);
        assertThat(stale.json().get("detail").asText()).contains("stale");
        HttpApi.Reply older = put(id, cart(email, "{\"sku\": \"SKU-A-" + run + "\", \"quantity\": 5}",
                "\"updatedAt\": \"" + Instant.now().minusSeconds(3600) + "\""));
        assertThat(older.status()).as(older.body()).isEqualTo(409);
        HttpApi.Reply notYet = put("app-new-" + run, cart(email, "", "\"version\": 3"));
        assertThat(notYet.status()).as("a version for a cart the hub does not have").isEqualTo(409);

        HttpApi.Reply read = api.get("/api/v1/carts/" + id, KEY);
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        assertThat(read.json().get("version").asLong()).as("the refused replaces changed nothing").isEqualTo(2);
        assertThat(read.json().at("/lines/0/quantity").asLong()).isEqualTo(2);
        assertThat(read.json().at("/identifiers/0/value").asText()).isEqualTo("cart.a." + run + "@example.com");
        assertThat(read.json().at("/qr/token").asText()).hasSize(32);

        HttpApi.Reply invalid = put("app-bad-" + run, cart("{\"type\": \"email\", \"value\": \"not an address\"}", "", ""));
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.json().get("detail").asText()).contains("/identifiers/0/value");
        assertThat(put("app-bad-" + run, cart(email, "", "\"reserveAt\": \"NOWHERE\"")).status()).isEqualTo(422);
        assertThat(api.get("/api/v1/carts/app-bad-" + run, KEY).status()).as("nothing of a refused cart stored").isEqualTo(404);
    }

    @Test
    void theStoreFindsTheOpenCartByLoyaltyIdEmailPhoneOrQrToken() {
        String id = "app-find-" + run;
        String email = "find." + run + "@example.com";
        String phone = "+1 646-555-" + String.format("%04d", Long.parseLong(run) % 10_000);
        String loyalty = "L-F-" + run;
        assertThat(put(id, cart("{\"type\": \"email\", \"value\": \"" + email + "\"}, {\"type\": \"phone\", \"value\": \"" + phone + "\"}",
                "{\"sku\": \"SKU-F-" + run + "\", \"quantity\": 1}", "")).status()).isEqualTo(201);
        assertThat(find("loyalty_id:" + loyalty).status()).as("no profile links the card yet").isEqualTo(404);

        // the loyalty sign-up (or the till) links the card and the email: one profile
        HttpApi.Reply linked = api.post("/api/v1/identities", KEY, """
                {"source": "pos", "identifiers": [{"type": "loyalty_id", "value": "%s"}, {"type": "email", "value": "%s"}]}
                """.formatted(loyalty, email));
        assertThat(linked.status()).as(linked.body()).isIn(200, 201);

        assertThat(find("loyalty_id:" + loyalty.toLowerCase()).json().get("cartId").asText()).isEqualTo(id);
        assertThat(find("email:" + email.toUpperCase()).json().get("cartId").asText()).isEqualTo(id);
        assertThat(find("phone:" + phone).json().get("cartId").asText()).isEqualTo(id);
        HttpApi.Reply masked = find("email:" + email);
        assertThat(masked.body()).as("the bootstrap key holds pii:read").contains(email);

        String token = api.get("/api/v1/carts/" + id, KEY).json().at("/qr/token").asText();
        assertThat(find("qr:" + token).json().get("cartId").asText()).isEqualTo(id);
        assertThat(find("qr:not-a-token-" + run).status()).isEqualTo(404);
        assertThat(find("email:nobody." + run + "@example.com").status()).isEqualTo(404);
        assertThat(find("email:not an address").status()).isEqualTo(422);
        assertThat(find("shoe-size:42").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/carts", KEY).status()).isEqualTo(400);
    }

    @Test
    void linesHoldStockAtTheChosenStoreReHeldWhenTheyChangeAndReleasedWhenRemoved() {
        String sku = "CART-HOLD-" + run;
        stock(sku, 10);
        String id = "app-hold-" + run;
        String email = "{\"type\": \"email\", \"value\": \"hold." + run + "@example.com\"}";
        assertThat(put(id, cart(email, "{\"sku\": \"" + sku + "\", \"quantity\": 3}", "\"reserveAt\": \"STORE-7\"")).status())
                .isEqualTo(201);
        await().atMost(Duration.ofSeconds(15)).until(() -> reserved(sku, "STORE-7") == 3);
        assertThat(storeAts(sku)).isEqualTo(7);

        assertThat(put(id, cart(email, "{\"sku\": \"" + sku + "\", \"quantity\": 1}", "\"reserveAt\": \"STORE-7\"")).status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> reserved(sku, "STORE-7") == 1);
        assertThat(storeAts(sku)).isEqualTo(9);

        assertThat(put(id, cart(email, "", "\"reserveAt\": \"STORE-7\"")).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> reserved(sku, "STORE-7") == 0);
        assertThat(storeAts(sku)).isEqualTo(10);
    }

    @Test
    void anAbandonedCartExpiresAndReleasesItsStock() {
        String sku = "CART-EXPIRY-" + run;
        stock(sku, 5);
        String id = "app-expiry-" + run;
        assertThat(put(id, cart("{\"type\": \"email\", \"value\": \"expiry." + run + "@example.com\"}",
                "{\"sku\": \"" + sku + "\", \"quantity\": 2}",
                "\"reserveAt\": \"STORE-7\", \"expiresAt\": \"" + Instant.now().plusSeconds(6) + "\"")).status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(6)).until(() -> reserved(sku, "STORE-7") == 2);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/carts/" + id, KEY).json().get("status").asText()
                .equals("abandoned"));
        await().atMost(Duration.ofSeconds(10)).until(() -> reserved(sku, "STORE-7") == 0);
        assertThat(storeAts(sku)).isEqualTo(5);
        assertThat(api.get("/api/v1/carts/" + id, KEY).json().has("qr")).as("no token for a closed cart").isFalse();
        assertThat(put(id, cart("", "", "")).status()).as("a closed cart is never reopened").isEqualTo(409);
    }

    @Test
    void aShopifyCartWebhookCreatesACart() {
        String token = "c1-" + run + "abcdef";
        ObjectNode payload = (ObjectNode) CanonicalJson.parse("""
                {"id": "%s", "token": "%s", "created_at": "%s", "updated_at": "%s",
                 "line_items": [{"id": 1, "sku": "SHOP-CART-%s", "variant_id": 1, "quantity": 2, "price": "19.99"}]}
                """.formatted(token, token, Instant.now().minusSeconds(5), Instant.now(), run));
        assertThat(shopify.send("http://127.0.0.1:" + port + "/webhooks/shopify/shopify-demo",
                shopify.webhook("carts/create", payload))).isEqualTo(200);
        String id = "shopify:demo-shop.myshopify.com:" + token;
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/carts/" + enc(id), KEY).status() == 200);
        JsonNode cart = api.get("/api/v1/carts/" + enc(id), KEY).json();
        assertThat(cart.get("channel").asText()).isEqualTo("shopify");
        assertThat(cart.get("status").asText()).isEqualTo("open");
        assertThat(cart.at("/lines/0/sku").asText()).isEqualTo("SHOP-CART-" + run);
        assertThat(cart.at("/lines/0/quantity").asLong()).isEqualTo(2);
        assertThat(put(id, cart("", "", "")).status()).as("the shop's cart is the shop's, the app cannot take it over")
                .isIn(403, 409);
    }

    @Test
    void aCartFollowsAProfileMerge() {
        String loyalty = "L-M-" + run;
        String email = "merge." + run + "@example.com";
        HttpApi.Reply card = api.post("/api/v1/identities", KEY,
                "{\"source\": \"pos\", \"identifiers\": [{\"type\": \"loyalty_id\", \"value\": \"" + loyalty + "\"}]}");
        assertThat(card.status()).as(card.body()).isEqualTo(201);
        String survivor = card.json().get("profileId").asText();
        HttpApi.Reply web = api.post("/api/v1/identities", KEY,
                "{\"source\": \"app\", \"identifiers\": [{\"type\": \"email\", \"value\": \"" + email + "\"}]}");
        assertThat(web.status()).as(web.body()).isEqualTo(201);
        String merged = web.json().get("profileId").asText();

        String id = "app-merge-" + run;
        HttpApi.Reply created = put(id, cart("{\"type\": \"email\", \"value\": \"" + email + "\"}", "{\"sku\": \"M-" + run
                + "\", \"quantity\": 1}", ""));
        assertThat(created.json().get("profileId").asText()).isEqualTo(merged);

        HttpApi.Reply link = api.post("/api/v1/identities", KEY, """
                {"source": "pos", "identifiers": [{"type": "loyalty_id", "value": "%s"}, {"type": "email", "value": "%s"}]}
                """.formatted(loyalty, email));
        assertThat(link.json().get("profileId").asText()).isEqualTo(survivor);
        assertThat(link.json().get("merged").toString()).contains(merged);

        await().atMost(Duration.ofSeconds(20)).until(() -> survivor.equals(api.get("/api/v1/carts/" + id, KEY).json()
                .path("profileId").asText()));
        assertThat(find("loyalty_id:" + loyalty).json().get("cartId").asText()).isEqualTo(id);
    }
}
