package dev.unison.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import dev.unison.connectors.tiktok.simulator.TikTokShopSimulator;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * One shopper across channels (README "Try it: one shopper, one profile"), through the public interfaces only: a till sale (POS API), a Shopify customers/create
 * webhook, an app login (identities API) and a TikTok order notification end in one profile; a
 * shared kiosk device seen with 50 emails merges nobody; the blocked value test@test.com links nobody.
 */
@EmbeddedHub
class IdentityIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;
    static final String JANE = "email:jane.doe@example.com";

    @LocalServerPort
    int port;
    @Autowired
    ShopifySimulator shopify;
    @Autowired
    TikTokShopSimulator tiktok;
    @Autowired
    JdbcTemplate jdbc;

    HttpApi api;
    long run;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
        run = System.nanoTime() % 1_000_000_000L;
    }

    private String hub(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private HttpApi.Reply profileOf(String identifier) {
        return api.get("/api/v1/profiles?identifier=" + URLEncoder.encode(identifier, StandardCharsets.UTF_8), KEY);
    }

    private static Set<String> identifiers(JsonNode profile) {
        Set<String> ids = new HashSet<>();
        for (JsonNode i : profile.get("identifiers")) {
            ids.add(i.get("type").asText() + ":" + i.get("value").asText());
        }
        return ids;
    }

    @Test
    void s4OneShopperManyIdentifiersIsOneProfile() {
        // 1. at the till: phone and loyalty card
        HttpApi.Reply sale = api.post("/api/v1/pos/transactions", KEY, """
                {"storeId": "STORE-7", "registerId": "S4", "businessDay": "2026-11-26", "sequence": %d, "type": "sale",
                 "occurredAt": "%s", "currency": "USD", "lines": [{"sku": "S4-SOCKS", "quantity": 1, "unitPrice": "9.90"}],
                 "phone": "+1 415-555-0100", "loyaltyId": "L-000123"}
                """.formatted(run, Instant.now()));
        assertThat(sale.status()).as(sale.body()).isEqualTo(201);

        // 2. Shopify: the customer record, email with stray capitals and a trailing space
        ObjectNode customer = CanonicalJson.mapper().createObjectNode();
        customer.put("id", 706405506930370000L + run % 10_000).put("email", "Jane.Doe@Example.com ")
                .put("first_name", "Jane").put("updated_at", "2026-11-26T09:00:00-05:00");
        assertThat(shopify.send(hub("/webhooks/shopify/shopify-demo"), shopify.webhook("customers/create", customer)))
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> profileOf(JANE).status() == 200);
        String shopifyProfile = profileOf(JANE).json().get("id").asText();

        // 3. the app: a login links the device to the email
        HttpApi.Reply login = api.post("/api/v1/identities", KEY, """
                {"source": "app-login", "identifiers": [{"type": "device_id", "value": "6D92078A-8246-4BA4-AE5B-76104861E7DC"},
                 {"type": "email", "value": "jane.doe@example.com"}]}""");
        assertThat(login.status()).as(login.body()).isEqualTo(200);
        assertThat(login.json().get("profileId").asText()).isEqualTo(shopifyProfile);

        // 4. TikTok Shop: an order whose buyer email and recipient phone are not masked
        String sku = "S4-SHOE-" + run;
        tiktok.newProduct("Trail shoe", sku);
        ObjectNode order = tiktok.newOrder("AWAITING_SHIPMENT", new TikTokShopSimulator.Line(sku, 1, "59.90"));
        order.put("buyer_email", "jane.doe@example.com");
        ((ObjectNode) order.get("recipient_address")).put("phone_number", "(415) 555-0100");
        assertThat(tiktok.send(hub("/webhooks/tiktok-shop/tiktok-demo"), tiktok.orderStatusChange(order))).isEqualTo(200);

        String deviceId = "device_id:6d92078a-8246-4ba4-ae5b-76104861e7dc";
        List<String> all = List.of(JANE, "phone:+14155550100", "loyalty_id:L-000123", deviceId,
                "channel_customer_id:shopify:" + "demo-shop.myshopify.com:" + customer.get("id").asText(),
                "channel_customer_id:tiktok-shop:" + TikTokShopSimulator.SHOP_ID + ":7021436810468230477");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode jane = profileOf(JANE).json();
            assertThat(identifiers(jane)).containsAll(all);
            assertThat(jane.get("orders").get("byChannel").has("store")).isTrue();
            assertThat(jane.get("orders").get("byChannel").has("tiktok-shop")).isTrue();
        });
        JsonNode jane = profileOf(JANE).json();
        for (String id : all) {
            assertThat(profileOf(id).json().get("id").asText()).as(id).isEqualTo(jane.get("id").asText());
        }
        assertThat(jane.get("merges")).as("the till's profile and the online one were merged").isNotEmpty();
        assertThat(jane.get("channelAccounts").toString()).contains("\"channel\":\"shopify\"").contains("\"channel\":\"tiktok-shop\"");
        JsonNode viaOldId = api.get("/api/v1/profiles/" + shopifyProfile, KEY).json();
        assertThat(viaOldId.get("id").asText()).as("a merged id keeps meaning the same person").isEqualTo(jane.get("id").asText());
        assertThat(viaOldId.get("requestedId").asText()).isEqualTo(shopifyProfile);
        String tiktokOrder = order.get("id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/api/v1/orders/tiktok-shop/" + tiktokOrder, KEY).status() == 200);
        assertThat(api.get("/api/v1/orders/tiktok-shop/" + tiktokOrder, KEY).json().get("profileId").asText())
                .as("the order names the live profile").isEqualTo(jane.get("id").asText());
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE event_type = 'commerce.profile.merged.v1' "
                + "AND payload LIKE ?", Long.class, "%" + jane.get("id").asText() + "%")).isPositive();
    }

    @Test
    void s4ASharedKioskDeviceSeenWithFiftyEmailsMergesNobody() {
        String kiosk = "kiosk-store-7-" + run;
        Set<String> profiles = new HashSet<>();
        List<String> demoted = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            HttpApi.Reply r = api.post("/api/v1/identities", KEY, """
                    {"source": "in-store-kiosk", "identifiers": [{"type": "device_id", "value": "%s"},
                     {"type": "email", "value": "shopper%d-%d@example.com"}]}""".formatted(kiosk, i, run));
            assertThat(r.status()).as(r.body()).isIn(200, 201);
            profiles.add(r.json().get("profileId").asText());
            for (JsonNode rej : r.json().get("rejected")) {
                demoted.add(rej.get("reason").asText() + " " + rej.get("value").asText());
            }
        }
        assertThat(profiles).hasSize(50);
        assertThat(demoted).hasSize(49).containsOnly("demoted " + kiosk);
        for (int i = 0; i < 50; i += 7) {
            JsonNode p = profileOf("email:shopper" + i + "-" + run + "@example.com").json();
            assertThat(identifiers(p).stream().filter(s -> s.startsWith("email:"))).hasSize(1);
        }
    }

    @Test
    void s4TheBlockedValueTestAtTestDotComLinksNobody() {
        HttpApi.Reply a = api.post("/api/v1/identities", KEY, """
                {"source": "crm", "identifiers": [{"type": "loyalty_id", "value": "B-1-%d"}, {"type": "email", "value": "test@test.com"}]}
                """.formatted(run));
        HttpApi.Reply b = api.post("/api/v1/identities", KEY, """
                {"source": "crm", "identifiers": [{"type": "loyalty_id", "value": "B-2-%d"}, {"type": "email", "value": " TEST@test.com"}]}
                """.formatted(run));
        assertThat(a.status()).isEqualTo(201);
        assertThat(b.status()).isEqualTo(201);
        assertThat(a.json().get("profileId").asText()).isNotEqualTo(b.json().get("profileId").asText());
        assertThat(b.json().get("rejected").get(0).get("reason").asText()).isEqualTo("blocked");
        HttpApi.Reply lookup = profileOf("email:test@test.com");
        assertThat(lookup.status()).isEqualTo(404);
        assertThat(lookup.body()).contains("blocked value");
    }

    @Test
    void badInputIsRefusedNamingEachFieldAndChangesNothing() {
        long before = jdbc.queryForObject("SELECT COUNT(*) FROM identity_identifier", Long.class);
        HttpApi.Reply bad = api.post("/api/v1/identities", KEY, """
                {"source": "crm", "colour": "red", "identifiers": [{"type": "email", "value": "new-%d@example.com"},
                 {"type": "phone", "value": "12"}, {"type": "shoe_size", "value": "42"}]}""".formatted(run));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.body()).as("the request schema names the unknown field").contains("/colour: unknown field");
        HttpApi.Reply badValues = api.post("/api/v1/identities", KEY, """
                {"source": "crm", "identifiers": [{"type": "email", "value": "new-%d@example.com"},
                 {"type": "phone", "value": "12"}, {"type": "shoe_size", "value": "42"}]}""".formatted(run));
        assertThat(badValues.status()).isEqualTo(422);
        assertThat(badValues.body()).contains("identifiers[1].value: phone '12'").contains("identifiers[2].type: unknown 'shoe_size'");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM identity_identifier", Long.class)).isEqualTo(before);

        assertThat(profileOf("shoe_size:42").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/profiles?identifier=phone:+1 415-555-0100".replace(" ", "%20"), KEY).status())
                .as("an unencoded + (a space once decoded) still means +").isIn(200, 404);
        assertThat(api.get("/api/v1/profiles?identifier=email:jane+x@example.com", KEY).body())
                .as("the 400 says how to send a +").contains("%2B");
        assertThat(api.get("/api/v1/profiles", KEY).status()).isEqualTo(400);
        assertThat(api.get("/api/v1/profiles/no-such-profile", KEY).status()).isEqualTo(404);
        assertThat(profileOf("email:nobody-" + run + "@example.com").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/profiles?identifier=email:x@example.com", null).status()).isEqualTo(401);
    }

    @Test
    void theIdentityResolutionRateCountsTransactionsPerChannel() {
        api.post("/api/v1/pos/transactions", KEY, """
                {"storeId": "STORE-7", "registerId": "RATE", "businessDay": "2026-11-26", "sequence": %d, "type": "sale",
                 "occurredAt": "%s", "currency": "USD", "lines": [{"sku": "S4-SOCKS", "quantity": 1, "unitPrice": "9.90"}]}
                """.formatted(run, Instant.now()));
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "SELECT COUNT(*) FROM identity_transaction WHERE transaction_id LIKE ?", Long.class, "%RATE%" + run + "%") == 1);
        JsonNode metrics = api.get("/api/v1/metrics/identity", KEY).json();
        assertThat(metrics.get("unit").asText()).isEqualTo("transactions");
        JsonNode store = metrics.get("channels").get("store");
        assertThat(store.get("transactions").asLong()).isGreaterThan(store.get("linked").asLong());
        assertThat(store.get("rate").asDouble()).isBetween(0.0, 1.0);
        assertThat(api.get("/actuator/prometheus", null).body().lines()
                .filter(l -> l.startsWith("unison_identity_transactions_total{") && l.contains("channel=\"store\"")
                        && l.contains("resolved=\"false\""))).isNotEmpty();
    }
}
