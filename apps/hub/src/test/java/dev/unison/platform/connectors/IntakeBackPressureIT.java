package dev.unison.platform.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import dev.unison.hub.UnisonHubApplication;
import dev.unison.hub.support.OwnHub;
import dev.unison.platform.testkit.HttpApi;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Back-pressure at the group-commit intakes: when the webhook inbox or the partner-event intake is
 * behind by more than its longest wait, a delivery or event gets 503 with {@code Retry-After} at
 * once and nothing of it is stored; what was acknowledged is stored exactly once; the senders'
 * resends are accepted once each after the intake has caught up. The writer is held up
 * deterministically by a transaction of the test's own that has inserted (and not committed) a row
 * with the key the writer's group needs next (for less than H2's lock timeout). Its own hub (own
 * data directory and simulator ports), since the settings differ from the shared test hub's.
 */
@DirtiesContext
@SpringBootTest(classes = UnisonHubApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"unison.bootstrap-api-key=" + IntakeBackPressureIT.KEY, "unison.inbox.max-queue-wait=300ms",
                "unison.api.edge.max-request-wait=300ms"})
class IntakeBackPressureIT {

    static final String KEY = "it-intake-back-pressure-key-0123456789";

    @DynamicPropertySource
    static void ownHub(DynamicPropertyRegistry registry) throws Exception {
        OwnHub.register(registry, "intake-backpressure-it");
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    ShopifySimulator shopify;
    @Autowired
    MeterRegistry meters;

    private final CountDownLatch release = new CountDownLatch(1);

    /**
     * Holds a row with this key inserted, uncommitted, until {@link #release} (at most 1.5 s, under
     * H2's lock timeout), then rolls it back: the writer's insert of the same key goes through.
     */
    private CompletableFuture<Void> hold(String insert, Object... args) throws InterruptedException {
        CountDownLatch inserted = new CountDownLatch(1);
        CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> tx.executeWithoutResult(status -> {
            jdbc.update(insert, args);
            inserted.countDown();
            try {
                release.await(1500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            status.setRollbackOnly();
        }));
        assertThat(inserted.await(10, TimeUnit.SECONDS)).isTrue();
        return holder;
    }

    private double behind(String intake) {
        return meters.get("unison.intake.behind").tag("intake", intake).gauge().value();
    }

    private HttpApi.Reply deliver(HttpApi api, ShopifySimulator.Delivery d) {
        Map<String, String> headers = new LinkedHashMap<>(d.headers());
        return api.post("/webhooks/shopify/shopify-demo", null, "application/json", new String(d.body(), StandardCharsets.UTF_8),
                headers);
    }

    @Test
    void anInboxBehindAnswersWebhooks503WithRetryAfterStoresNothingOfThemAndTakesTheResendsOnce() throws Exception {
        HttpApi api = new HttpApi(port);
        ObjectNode order = shopify.newOrder("held@example.com", "USD", new ShopifySimulator.Line("SKU-HELD", 1, "5.00"));
        ShopifySimulator.Delivery held = shopify.webhook("orders/create", order);
        CompletableFuture<Void> holder = hold("INSERT INTO inbox (connection_id, connector, message_type, dedupe_key, headers, "
                + "body, received_at, status) VALUES ('shopify-demo', 'shopify', 'orders/create', ?, '{}', '{}', CURRENT_TIMESTAMP, "
                + "'pending')", "event:" + held.eventId());
        CompletableFuture<HttpApi.Reply> blocked = CompletableFuture.supplyAsync(() -> deliver(api, held));

        await().atMost(Duration.ofSeconds(1)).until(() -> behind("webhooks") > 0.4);
        List<ShopifySimulator.Delivery> refused = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ShopifySimulator.Delivery d = shopify.webhook("orders/create",
                    shopify.newOrder("other" + i + "@example.com", "USD", new ShopifySimulator.Line("SKU-OTHER", 1, "5.00")));
            HttpApi.Reply answer = deliver(api, d);
            assertThat(answer.status()).as(answer.body()).isEqualTo(503);
            assertThat(answer.json().get("error").asText()).isEqualTo("overloaded");
            assertThat(answer.raw().headers().firstValue("Retry-After")).get()
                    .satisfies(seconds -> assertThat(Long.parseLong(seconds)).isPositive());
            refused.add(d);
        }
        for (ShopifySimulator.Delivery d : refused) {
            assertThat(stored(d)).as("nothing of a refused delivery is stored").isZero();
        }

        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
        HttpApi.Reply first = blocked.get(30, TimeUnit.SECONDS);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.json().get("status").asText()).as("the held delivery is stored once the row is gone").isEqualTo("accepted");

        await().atMost(Duration.ofSeconds(5)).until(() -> behind("webhooks") == 0);
        for (ShopifySimulator.Delivery d : refused) { // Shopify's retry of each
            HttpApi.Reply resent = deliver(api, d);
            assertThat(resent.status()).as(resent.body()).isEqualTo(200);
            assertThat(resent.json().get("status").asText()).isEqualTo("accepted");
            assertThat(deliver(api, d).json().get("status").asText()).as("and once only").isEqualTo("duplicate");
            assertThat(stored(d)).isEqualTo(1);
        }
        assertThat(stored(held)).isEqualTo(1);
        assertThat(meters.get("unison.intake.overloaded").tag("intake", "webhooks").counter().count()).isEqualTo(3);
    }

    @Test
    void aPartnerEventIntakeBehindAnswers503WithRetryAfterAndTakesTheResendOnce() throws Exception {
        HttpApi api = new HttpApi(port);
        HttpApi.Reply created = api.post("/api/v1/admin/partners", KEY, "{\"name\":\"bp-partner\",\"scopes\":[\"events:write\",\"events:read\"]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String partnerKey = created.json().get("apiKey").asText();
        String partnerId = created.json().get("partner").get("id").asText();

        CompletableFuture<Void> holder = hold("INSERT INTO outbox_event (event_id, topic, event_type, partition_key, payload, "
                + "created_at) VALUES (?, 'held', 'held', 'held', '{}', CURRENT_TIMESTAMP)", partnerId + ":held-1");
        CompletableFuture<HttpApi.Reply> blocked = CompletableFuture.supplyAsync(() -> api.post("/api/v1/events", partnerKey,
                event("held-1")));
        await().atMost(Duration.ofSeconds(1)).until(() -> behind("partner-events") > 0.4);

        HttpApi.Reply refused = api.post("/api/v1/events", partnerKey, event("other-1"));
        assertThat(refused.status()).as(refused.body()).isEqualTo(503);
        assertThat(refused.json().get("error").asText()).isEqualTo("overloaded");
        assertThat(refused.raw().headers().firstValue("Retry-After")).isPresent();
        assertThat(api.get("/api/v1/events/other-1", partnerKey).status()).as("nothing of it stored").isEqualTo(404);

        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
        assertThat(blocked.get(30, TimeUnit.SECONDS).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(5)).until(() -> behind("partner-events") == 0);
        assertThat(api.post("/api/v1/events", partnerKey, event("other-1")).status()).as("the resend").isEqualTo(202);
        assertThat(api.post("/api/v1/events", partnerKey, event("other-1")).status()).as("once only").isEqualTo(200);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE owner = ? AND owner_event_id IN ('held-1', 'other-1')",
                Long.class, partnerId)).isEqualTo(2);
    }

    private static String event(String id) {
        return CanonicalJson.write(Map.of("id", id, "type", "commerce.item.upserted.v1",
                "data", Map.of("sku", "BP-" + id, "title", "Back-pressure " + id)));
    }

    private long stored(ShopifySimulator.Delivery d) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM inbox WHERE connection_id = 'shopify-demo' AND dedupe_key = ?", Long.class,
                "event:" + d.eventId());
    }
}
