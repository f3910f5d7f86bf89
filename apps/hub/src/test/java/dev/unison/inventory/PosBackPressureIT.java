package dev.unison.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.hub.UnisonHubApplication;
import dev.unison.hub.support.OwnHub;
import dev.unison.hub.support.ProbeRoutes;
import dev.unison.platform.testkit.HttpApi;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Back-pressure at the POS edge: when the writer is behind by more than
 * {@code unison.inventory.pos-max-queue-wait}, a till gets 503 with {@code Retry-After} at once and
 * nothing of its request is stored; what was answered 201 is applied exactly once; once the writer
 * has caught up, the same requests sent again are accepted. The writer is held up deterministically
 * by a transaction of the test's own locking the sku a queued sale needs (for less than H2's 2 s
 * lock timeout). Its own hub (own data directory and simulator ports), since the setting differs
 * from the shared test hub's.
 */
@DirtiesContext
@SpringBootTest(classes = UnisonHubApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"unison.bootstrap-api-key=" + PosBackPressureIT.KEY, "unison.inventory.pos-max-queue-wait=300ms"})
@Import(ProbeRoutes.class)
class PosBackPressureIT {

    static final String KEY = "it-back-pressure-key-0123456789";

    @DynamicPropertySource
    static void ownHub(DynamicPropertyRegistry registry) throws Exception {
        OwnHub.register(registry, "backpressure-it");
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    PosTransactions pos;

    @Test
    void aWriterBehindAnswers503WithRetryAfterStoresNothingOfItAndTakesTheResendOnce() throws Exception {
        HttpApi api = new HttpApi(port);
        String run = Long.toString(System.nanoTime() % 1_000_000);
        String held = "HELD-" + run;
        String other = "OTHER-" + run;
        Instant t0 = Instant.now().minusSeconds(60);
        for (String sku : List.of(held, other)) {
            HttpApi.Reply counted = api.post("/api/v1/inventory/counts", KEY, """
                    {"countId": "c-%s", "locationId": "STORE-7", "asOf": "%s", "counts": [{"sku": "%s", "quantity": 100}]}
                    """.formatted(sku, t0, sku));
            assertThat(counted.status()).as(counted.body()).isEqualTo(200);
        }

        // the test's transaction locks the sku row the writer locks first for a sale of `held`
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> tx.executeWithoutResult(status -> {
            jdbc.queryForList("SELECT sku FROM inventory_sku WHERE sku = ? FOR UPDATE", held);
            locked.countDown();
            try {
                release.await(1500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<HttpApi.Reply> blocked = CompletableFuture.supplyAsync(
                () -> api.post("/api/v1/pos/transactions", KEY, InventoryIT.sale("R1-" + run, 1, t0.plusSeconds(1), held, 1)));

        // once the writer is behind by more than 300 ms every sale is refused, not queued
        await().atMost(Duration.ofSeconds(1)).until(() -> pos.behind().compareTo(Duration.ofMillis(400)) > 0);
        List<String> refusedBodies = new ArrayList<>();
        for (int seq = 2; seq <= 6; seq++) {
            String body = InventoryIT.sale("R1-" + run, seq, t0.plusSeconds(seq), other, 1);
            HttpApi.Reply refused = api.post("/api/v1/pos/transactions", KEY, body);
            assertThat(refused.status()).as(refused.body()).isEqualTo(503);
            assertThat(refused.json().get("error").asText()).isEqualTo("overloaded");
            assertThat(refused.raw().headers().firstValue("Retry-After")).get().satisfies(
                    seconds -> assertThat(Long.parseLong(seconds)).isPositive());
            refusedBodies.add(body);
        }
        // a batch is refused whole
        HttpApi.Reply batch = api.post("/api/v1/pos/transactions/batch", KEY,
                "{\"transactions\": [" + InventoryIT.sale("R2-" + run, 1, t0.plusSeconds(9), other, 1) + "]}");
        assertThat(batch.status()).as(batch.body()).isEqualTo(503);
        assertThat(batch.raw().headers().firstValue("Retry-After")).isPresent();
        // nothing of the refused requests was stored
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM pos_transaction WHERE register_id IN (?, ?)", Long.class,
                "R1-" + run, "R2-" + run)).isZero();
        assertThat(onHand(api, other)).isEqualTo(100);

        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
        HttpApi.Reply first = blocked.get(30, TimeUnit.SECONDS);
        assertThat(first.status()).as("the queued sale is applied once the lock is gone: " + first.body()).isEqualTo(201);

        // caught up: the tills' resends are accepted, each once
        for (String body : refusedBodies) {
            HttpApi.Reply resent = api.post("/api/v1/pos/transactions", KEY, body);
            assertThat(resent.status()).as(resent.body()).isEqualTo(201);
        }
        HttpApi.Reply again = api.post("/api/v1/pos/transactions", KEY, InventoryIT.sale("R1-" + run, 1, t0.plusSeconds(1), held, 1));
        assertThat(again.status()).as("the accepted sale sent again is a duplicate").isEqualTo(200);
        assertThat(onHand(api, held)).isEqualTo(99);
        assertThat(onHand(api, other)).isEqualTo(95);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM pos_transaction WHERE register_id = ?", Long.class, "R1-" + run))
                .isEqualTo(6);
    }

    private static long onHand(HttpApi api, String sku) {
        HttpApi.Reply reply = api.get("/api/v1/inventory/" + sku, KEY);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        for (JsonNode p : reply.json().get("positions")) {
            if (p.get("locationId").asText().equals("STORE-7")) {
                return p.get("onHand").asLong();
            }
        }
        throw new AssertionError("no position of " + sku + " at STORE-7");
    }
}
