package dev.unison.hub.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Issue 15 finding 4: path parameters are percent-decoded, exactly once, on every REST route. */
@EmbeddedHub
class PathParameterIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;

    @LocalServerPort
    int port;
    HttpApi api;
    String run;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
        run = Long.toString(System.nanoTime() % 1_000_000);
    }

    private void count(String sku) {
        HttpApi.Reply counted = api.post("/api/v1/inventory/counts", KEY, """
                {"countId": "c-%s-%s", "locationId": "STORE-7", "asOf": "%s", "counts": [{"sku": "%s", "quantity": 4}]}
                """.formatted(run, sku.hashCode(), Instant.now().minusSeconds(5), sku));
        assertThat(counted.status()).as(counted.body()).isEqualTo(200);
    }

    @Test
    void aSkuWithANonAsciiLetterIsFoundUnderItsEncodedPath() {
        String sku = "Café-1-" + run;
        count(sku);

        HttpApi.Reply found = api.get("/api/v1/inventory/Caf%C3%A9-1-" + run, KEY);

        assertThat(found.status()).as(found.body()).isEqualTo(200);
        assertThat(found.json().get("sku").asText()).isEqualTo(sku);
    }

    @Test
    void aReservationWithASpaceInItsIdCanBeReleased() {
        String sku = "RES-SKU-" + run;
        count(sku);
        HttpApi.Reply held = api.post("/api/v1/inventory/reservations", KEY, """
                {"reservationId": "cart 1-%s", "sku": "%s", "locationId": "STORE-7", "quantity": 1, "expiresAt": "%s"}
                """.formatted(run, sku, Instant.now().plusSeconds(600)));
        assertThat(held.status()).as(held.body()).isEqualTo(201);

        assertThat(api.delete("/api/v1/inventory/reservations/cart%201-" + run, KEY).status()).isEqualTo(204);
        HttpApi.Reply again = api.delete("/api/v1/inventory/reservations/cart%201-" + run, KEY);
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.json().get("detail").asText()).contains("cart 1-" + run);
    }

    @Test
    void anEventWithASpaceInItsIdCanBeReadBack() {
        String id = "evt 1-" + run;
        HttpApi.Reply accepted = api.post("/api/v1/events", KEY,
                "{\"type\":\"commerce.item.upserted.v1\",\"id\":\"" + id + "\",\"data\":{\"sku\":\"S-" + run + "\",\"title\":\"Shoe\"}}");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);

        HttpApi.Reply read = api.get("/api/v1/events/evt%201-" + run, KEY);

        assertThat(read.status()).as(read.body()).isEqualTo(200);
        assertThat(read.json().get("id").asText()).isEqualTo(id);
    }

    @Test
    void parametersAreDecodedOnceAndAPlusStaysAPlus() {
        String percent = "PCT%41-" + run;   // a literal "%41": decoding twice would make it "A"
        String plus = "A+B-" + run;         // "+" means a space only in form data, never in a path
        count(percent);
        count(plus);

        HttpApi.Reply once = api.get("/api/v1/inventory/PCT%2541-" + run, KEY);
        assertThat(once.status()).as(once.body()).isEqualTo(200);
        assertThat(once.json().get("sku").asText()).isEqualTo(percent);
        assertThat(api.get("/api/v1/inventory/PCTA-" + run, KEY).status()).isEqualTo(404);

        HttpApi.Reply plain = api.get("/api/v1/inventory/A+B-" + run, KEY);
        assertThat(plain.status()).as(plain.body()).isEqualTo(200);
        assertThat(plain.json().get("sku").asText()).isEqualTo(plus);
    }
}
