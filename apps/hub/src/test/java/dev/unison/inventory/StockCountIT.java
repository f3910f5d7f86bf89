package dev.unison.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.StockCount;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.deadletter.DeadLetters;
import dev.unison.platform.outbox.Outbox;
import dev.unison.platform.testkit.HttpApi;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stock counts a connector reads from a system keeping its own stock (Square's inventory counts,
 * {@code commerce.inventory.counted.v1}) are applied by the inventory domain as counts through the API
 * are: once by their id, as of their own time (a movement newer than the count still counts on top of
 * it), and one naming an undeclared location is
 * dead-lettered with the reason. Appended to the outbox as a connector's mapping would be; the stock
 * read back through the API.
 */
@EmbeddedHub
class StockCountIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;
    static final URI SOURCE = URI.create("/connectors/square/pos-main");

    @LocalServerPort
    int port;
    @Autowired
    Outbox outbox;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    DeadLetters deadLetters;

    private void counted(StockCount count, String eventId) {
        tx.executeWithoutResult(s -> outbox.append("events", CanonicalEvent.of(eventId, EventType.INVENTORY_COUNTED, SOURCE,
                dev.unison.canonical.json.CanonicalJson.toTree(count), count.countedAt())));
    }

    private static long onHand(HttpApi api, String sku) {
        HttpApi.Reply reply = api.get("/api/v1/inventory/" + sku, KEY);
        if (reply.status() != 200) {
            return -1;
        }
        for (JsonNode p : reply.json().get("positions")) {
            if (p.get("locationId").asText().equals("STORE-7")) {
                return p.get("onHand").asLong();
            }
        }
        return -1;
    }

    @Test
    void aCountIsAppliedOnceAndNeverOverANewerMovement() {
        HttpApi api = new HttpApi(port);
        String sku = "COUNTED-" + System.nanoTime() % 1_000_000;
        Instant at = Instant.now().minusSeconds(600);

        StockCount twelve = new StockCount("square:pos-main:STORE-7:" + sku + ":" + at, sku, "STORE-7", 12, at);
        counted(twelve, "count-a-" + sku);
        counted(twelve, "count-a-again-" + sku); // the same count, delivered twice
        await().atMost(Duration.ofSeconds(20)).until(() -> onHand(api, sku) == 12);

        // a movement after the count, then a count taken before that movement arrives late: it sets the stock as of
        // its own time, and the newer movement still counts on top of it (it is not undone)
        HttpApi.Reply adjusted = api.post("/api/v1/inventory/adjustments", KEY, """
                {"adjustmentId": "adj-%s", "sku": "%s", "locationId": "STORE-7", "quantity": -2, "kind": "adjustment",
                 "occurredAt": "%s"}
                """.formatted(sku, sku, Instant.now().minusSeconds(60)));
        assertThat(adjusted.status()).as(adjusted.body()).isEqualTo(200);
        assertThat(onHand(api, sku)).isEqualTo(10);
        counted(new StockCount("square:pos-main:STORE-7:" + sku + ":" + at.plusSeconds(1), sku, "STORE-7", 30,
                at.plusSeconds(1)), "count-b-" + sku);
        // a count naming an undeclared location, after it on the same sku (so applied after it): dead-lettered
        Instant later = Instant.now().minusSeconds(5);
        counted(new StockCount("square:pos-main:STORE-99:" + sku + ":" + later, sku, "STORE-99", 3, later), "count-d-" + sku);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(deadLetters.recent("inventory-counts", 50))
                .anySatisfy(d -> {
                    assertThat(d.eventId()).isEqualTo("count-d-" + sku);
                    assertThat(d.reason()).contains("STORE-99");
                }));
        assertThat(onHand(api, sku)).as("30 as of the late count, then the newer movement's -2").isEqualTo(28);

        // one taken after the movement sets the stock
        counted(new StockCount("square:pos-main:STORE-7:" + sku + ":" + later, sku, "STORE-7", 7, later), "count-c-" + sku);
        await().atMost(Duration.ofSeconds(20)).until(() -> onHand(api, sku) == 7);
    }
}
