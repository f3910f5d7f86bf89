package dev.unison.platform.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Issue 15, finding 3: numbers and dates without bounds. Every out-of-range value is refused with
 * 422 naming the field by JSON Pointer (never wrapped, never a 500), and nothing changes.
 */
@EmbeddedHub
class InputBoundsIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;
    static final String TWO_TO_64_PLUS_1 = "18446744073709551617";
    static final String TEN_TO_30 = "1000000000000000000000000000000";

    @LocalServerPort
    int port;
    HttpApi api;
    String run;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
        run = Long.toString(System.nanoTime() % 1_000_000_000L);
    }

    private static String sale(String register, String at, String sku, String quantity) {
        return """
                {"storeId": "STORE-7", "registerId": "%s", "businessDay": "%s", "sequence": 1, "type": "sale",
                 "occurredAt": "%s", "currency": "USD", "lines": [{"sku": "%s", "quantity": %s, "unitPrice": "89.90"}]}
                """.formatted(register, Instant.now().truncatedTo(ChronoUnit.DAYS).toString().substring(0, 10), at, sku, quantity);
    }

    private HttpApi.Reply count(String sku, String asOf, String quantity) {
        return api.post("/api/v1/inventory/counts", KEY, """
                {"countId": "c-%s-%s", "locationId": "STORE-7", "asOf": "%s", "counts": [{"sku": "%s", "quantity": %s}]}
                """.formatted(sku, asOf.hashCode(), asOf, sku, quantity));
    }

    private HttpApi.Reply adjust(String id, String sku, String quantity, String occurredAt) {
        return api.post("/api/v1/inventory/adjustments", KEY, """
                {"adjustmentId": "%s", "sku": "%s", "locationId": "STORE-7", "quantity": %s, "kind": "receipt", "occurredAt": "%s"}
                """.formatted(id, sku, quantity, occurredAt));
    }

    private static void refused(HttpApi.Reply reply, String pointer) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(422);
        assertThat(reply.json().get("error").asText()).isEqualTo("validation_failed");
        assertThat(reply.json().get("detail").asText()).startsWith(pointer + ": ");
    }

    private JsonNode position(String sku) {
        HttpApi.Reply reply = api.get("/api/v1/inventory/" + sku, KEY);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().get("positions").get(0);
    }

    @Test
    void aQuantityOf2To64Plus1IsRefusedNotReadAsOne() {
        String sku = "BIG-" + run;
        refused(api.post("/api/v1/pos/transactions", KEY, sale("R-" + run, Instant.now().toString(), sku, TWO_TO_64_PLUS_1)),
                "/lines/0/quantity");
        assertThat(api.get("/api/v1/inventory/" + sku, KEY).status()).as("nothing was sold").isEqualTo(404);

        HttpApi.Reply batch = api.post("/api/v1/pos/transactions/batch", KEY,
                "{\"transactions\": [" + sale("RB-" + run, Instant.now().toString(), sku, TWO_TO_64_PLUS_1) + "]}");
        assertThat(batch.status()).isEqualTo(200);
        assertThat(batch.json().get("results").get(0).get("status").asText()).isEqualTo("invalid");
        assertThat(batch.json().get("results").get(0).get("errors").get(0).asText()).startsWith("/lines/0/quantity: ");
        assertThat(api.get("/api/v1/inventory/" + sku, KEY).status()).isEqualTo(404);
    }

    @Test
    void adjustmentsAreBoundedAndNothingOverflows() {
        String sku = "ADJ-" + run;
        assertThat(count(sku, Instant.now().minusSeconds(60).toString(), "10").status()).isEqualTo(200);
        String now = Instant.now().toString();
        refused(adjust("a1-" + run, sku, TEN_TO_30, now), "/quantity");
        refused(adjust("a2-" + run, sku, "9223372036854775807", now), "/quantity");
        refused(adjust("a3-" + run, sku, "9223372036854775808", now), "/quantity");
        refused(adjust("a4-" + run, sku, "-" + TWO_TO_64_PLUS_1, now), "/quantity");
        refused(adjust("a5-" + run, sku, "1e30", now), "/quantity");
        refused(adjust("a6-" + run, sku, "1000001", now), "/quantity");
        refused(adjust("a7-" + run, sku, "0", now), "/quantity");
        assertThat(position(sku).get("onHand").asLong()).as("nothing applied").isEqualTo(10);

        assertThat(adjust("a8-" + run, sku, "1000000", now).status()).as("the documented bound itself").isEqualTo(200);
        assertThat(position(sku).get("onHand").asLong()).isEqualTo(1_000_010);
    }

    @Test
    void aCountDatedInTheFarFutureIsRefusedSoLaterSalesStillApply() {
        String sku = "FROZEN-" + run;
        assertThat(count(sku, Instant.now().minusSeconds(60).toString(), "5").status()).isEqualTo(200);
        refused(count(sku, "9999-12-31T23:59:59Z", "100"), "/asOf");
        refused(count(sku, Instant.now().plus(Duration.ofDays(2)).toString(), "100"), "/asOf");
        refused(count(sku, "1999-12-31T23:59:59Z", "100"), "/asOf");
        refused(count(sku, Instant.now().minusSeconds(30).toString(), TEN_TO_30), "/counts/0/quantity");

        HttpApi.Reply sold = api.post("/api/v1/pos/transactions", KEY, sale("RF-" + run, Instant.now().toString(), sku, "1"));
        assertThat(sold.status()).as(sold.body()).isEqualTo(201);
        assertThat(sold.json().get("lines").get(0).toString()).as("not superseded").contains("applied");
        assertThat(position(sku).get("onHand").asLong()).isEqualTo(4);
    }

    @Test
    void yearsPlusMinusABillionAre422Not500() {
        String sku = "YEAR-" + run;
        for (String at : new String[] {"+1000000000-01-01T00:00:00Z", "-1000000000-01-01T00:00:00Z",
                "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z"}) {
            refused(count(sku, at, "1"), "/asOf");
            refused(adjust("y-" + run + at.hashCode(), sku, "1", at), "/occurredAt");
            refused(api.post("/api/v1/pos/transactions", KEY, sale("RY-" + run, at, sku, "1")), "/occurredAt");
            refused(api.post("/api/v1/identities", KEY, """
                    {"source": "crm", "observedAt": "%s", "identifiers": [{"type": "email", "value": "y%s@example.com"}]}
                    """.formatted(at, run)), "/observedAt");
            refused(api.post("/api/v1/inventory/reservations", KEY, """
                    {"reservationId": "y-%s", "sku": "%s", "locationId": "STORE-7", "quantity": 1, "expiresAt": "%s"}
                    """.formatted(run, sku, at)), "/expiresAt");
        }
        assertThat(api.get("/api/v1/inventory/" + sku, KEY).status()).isEqualTo(404);
    }

    @Test
    void aReservationMayBeHeldAtMostTheConfiguredHoldLimit() {
        String sku = "HOLD-" + run;
        assertThat(count(sku, Instant.now().minusSeconds(60).toString(), "3").status()).isEqualTo(200);
        String hold = """
                {"reservationId": "%s", "sku": "%s", "locationId": "STORE-7", "quantity": %s, "expiresAt": "%s"}
                """;
        refused(api.post("/api/v1/inventory/reservations", KEY, hold.formatted("h1-" + run, sku, "1", "9999-12-31T23:59:59Z")),
                "/expiresAt");
        refused(api.post("/api/v1/inventory/reservations", KEY,
                hold.formatted("h2-" + run, sku, "1", Instant.now().plus(Duration.ofDays(8)))), "/expiresAt");
        refused(api.post("/api/v1/inventory/reservations", KEY,
                hold.formatted("h3-" + run, sku, TWO_TO_64_PLUS_1, Instant.now().plusSeconds(600))), "/quantity");
        assertThat(position(sku).get("reserved").asLong()).as("nothing held").isZero();

        assertThat(api.post("/api/v1/inventory/reservations", KEY,
                hold.formatted("h4-" + run, sku, "1", Instant.now().plus(Duration.ofDays(6)))).status()).isEqualTo(201);
        assertThat(position(sku).get("reserved").asLong()).isEqualTo(1);
    }
}
