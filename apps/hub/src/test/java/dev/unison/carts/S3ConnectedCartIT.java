package dev.unison.carts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Scenario S3, the connected cart, through the running hub's HTTP APIs only: a shopper puts two items
 * in a cart in the brand app, identified by email, held at the store they chose (STORE-7); at the
 * store the POS scans their loyalty card, which identity links to the email; the POS fetches the open
 * cart by the loyalty id and sells its lines naming the cart. The cart is closed everywhere, its held
 * stock is consumed by the sale (on-hand drops once, by what was sold), ATS stays consistent, and a
 * {@code commerce.cart.converted.v1} event says the cart began in the app and ended in the store.
 */
@EmbeddedHub
class S3ConnectedCartIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;

    @LocalServerPort
    int port;

    @Test
    void anAppCartIsBoughtInTheStoreByTheSameShopper() {
        HttpApi api = new HttpApi(port);
        String run = Long.toString(System.nanoTime() % 1_000_000);
        String shoe = "S3-SHOE-" + run;
        String socks = "S3-SOCKS-" + run;
        String email = "jane.s3." + run + "@example.com";
        String loyalty = "L-S3-" + run;
        String cartId = "app-s3-" + run;

        // the store's stock: 10 of each
        HttpApi.Reply counted = api.post("/api/v1/inventory/counts", KEY, """
                {"countId": "s3-%s", "locationId": "STORE-7", "asOf": "%s",
                 "counts": [{"sku": "%s", "quantity": 10}, {"sku": "%s", "quantity": 10}]}
                """.formatted(run, Instant.now().minusSeconds(120), shoe, socks));
        assertThat(counted.status()).as(counted.body()).isEqualTo(200);

        // 1. the app: a cart by email, two lines held at the shopper's store
        HttpApi.Reply created = api.put("/api/v1/carts/" + cartId, KEY, """
                {"channel": "app", "currency": "USD", "identifiers": [{"type": "email", "value": "%s"}],
                 "lines": [{"sku": "%s", "quantity": 2, "unitPrice": "89.90"}, {"sku": "%s", "quantity": 1, "unitPrice": "9.90"}],
                 "reserveAt": "STORE-7"}
                """.formatted(email, shoe, socks));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(15)).until(() -> position(api, shoe).get("reserved").asLong() == 2
                && position(api, socks).get("reserved").asLong() == 1);
        assertThat(storeAts(api, shoe)).isEqualTo(8);
        assertThat(storeAts(api, socks)).isEqualTo(9);

        // 2. the till scans the loyalty card; the shopper gives their email: one profile
        HttpApi.Reply sighting = api.post("/api/v1/identities", KEY, """
                {"source": "pos", "identifiers": [{"type": "loyalty_id", "value": "%s"}, {"type": "email", "value": "%s"}]}
                """.formatted(loyalty, email));
        assertThat(sighting.status()).as(sighting.body()).isIn(200, 201);

        // 3. the POS fetches the open cart by the loyalty id
        HttpApi.Reply found = api.get("/api/v1/carts?identifier=" + URLEncoder.encode("loyalty_id:" + loyalty, StandardCharsets.UTF_8), KEY);
        assertThat(found.status()).as(found.body()).isEqualTo(200);
        assertThat(found.json().get("cartId").asText()).isEqualTo(cartId);
        assertThat(found.json().get("status").asText()).isEqualTo("open");
        assertThat(found.json().get("lines")).hasSize(2);

        // 4. the sale of those lines, naming the cart
        StringBuilder lines = new StringBuilder();
        for (JsonNode line : found.json().get("lines")) {
            lines.append(lines.isEmpty() ? "" : ", ").append("{\"sku\": \"%s\", \"quantity\": %d, \"unitPrice\": \"%s\"}"
                    .formatted(line.get("sku").asText(), line.get("quantity").asLong(), line.at("/unitPrice/amount").asText()));
        }
        Instant now = Instant.now();
        HttpApi.Reply sold = api.post("/api/v1/pos/transactions", KEY, """
                {"storeId": "STORE-7", "registerId": "S3-%s", "businessDay": "%s", "sequence": 1, "type": "sale",
                 "occurredAt": "%s", "currency": "USD", "lines": [%s], "loyaltyId": "%s", "cartId": "%s"}
                """.formatted(run, LocalDate.ofInstant(now, ZoneOffset.UTC), now.minusSeconds(1), lines, loyalty, cartId));
        assertThat(sold.status()).as(sold.body()).isEqualTo(201);
        String orderId = sold.json().get("orderId").asText();

        // the hold was consumed in the sale's own transaction: on-hand down once (2, not 4), nothing reserved,
        // ATS as it was while the cart held the units
        assertThat(position(api, shoe).get("onHand").asLong()).isEqualTo(8);
        assertThat(position(api, shoe).get("reserved").asLong()).isZero();
        assertThat(position(api, socks).get("onHand").asLong()).isEqualTo(9);
        assertThat(position(api, socks).get("reserved").asLong()).isZero();
        assertThat(storeAts(api, shoe)).isEqualTo(8);
        assertThat(storeAts(api, socks)).isEqualTo(9);

        // 5. the cart is closed everywhere
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/carts/" + cartId, KEY).json().get("status").asText()
                .equals("converted"));
        JsonNode cart = api.get("/api/v1/carts/" + cartId, KEY).json();
        assertThat(cart.at("/conversion/orderId").asText()).isEqualTo(orderId);
        assertThat(cart.at("/conversion/startedInChannel").asText()).isEqualTo("app");
        assertThat(cart.at("/conversion/convertedInChannel").asText()).isEqualTo("store");
        assertThat(cart.has("qr")).isFalse();
        assertThat(api.get("/api/v1/carts?identifier=" + URLEncoder.encode("loyalty_id:" + loyalty, StandardCharsets.UTF_8), KEY)
                .status()).as("no open cart left").isEqualTo(404);

        // 6. the conversion event, through the events API
        String eventId = cart.at("/conversion/eventId").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/api/v1/events/" + URLEncoder.encode(eventId,
                StandardCharsets.UTF_8), KEY).status() == 200);
        JsonNode event = api.get("/api/v1/events/" + URLEncoder.encode(eventId, StandardCharsets.UTF_8), KEY).json();
        assertThat(event.get("type").asText()).isEqualTo("commerce.cart.converted.v1");
        assertThat(event.at("/event/data/cartId").asText()).isEqualTo(cartId);
        assertThat(event.at("/event/data/startedInChannel").asText()).isEqualTo("app");
        assertThat(event.at("/event/data/convertedInChannel").asText()).isEqualTo("store");
        assertThat(event.at("/event/data/orderId").asText()).isEqualTo(orderId);
        assertThat(event.at("/event/data/profileId").asText()).isNotEmpty();

        // and nothing later takes the units again (the carts' checked-out event releases nothing more)
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(position(api, shoe).get("onHand").asLong()).isEqualTo(8);
        assertThat(position(api, shoe).get("reserved").asLong()).isZero();
        assertThat(storeAts(api, shoe)).isEqualTo(8);
    }

    static JsonNode position(HttpApi api, String sku) {
        for (JsonNode p : api.get("/api/v1/inventory/" + sku, KEY).json().get("positions")) {
            if (p.get("locationId").asText().equals("STORE-7")) {
                return p;
            }
        }
        throw new AssertionError("no STORE-7 position of " + sku);
    }

    static long storeAts(HttpApi api, String sku) {
        for (JsonNode c : api.get("/api/v1/inventory/" + sku, KEY).json().get("channels")) {
            if (c.get("channel").asText().equals("store")) {
                return c.get("availableToSell").asLong();
            }
        }
        throw new AssertionError("no store ATS of " + sku);
    }
}
