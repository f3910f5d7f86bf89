package dev.unison.platform.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.ChannelAvailability;
import dev.unison.connectors.kit.simulator.Fault;
import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import dev.unison.platform.deadletter.DeadLetters;
import dev.unison.platform.outbox.Outbox;
import dev.unison.hub.support.EmbeddedHub;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Availability changes of channel "shopify" written back to the demo shop (the simulator) through
 * the shopify-demo connection: coalesced, batched and paced so the shop never throttles.
 */
@EmbeddedHub
class ShopifyInventoryIT {

    @LocalServerPort
    int port;
    @Autowired
    ShopifySimulator shopify;
    @Autowired
    Outbox outbox;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    DeadLetters deadLetters;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    private final Map<String, Long> inventoryItemBySku = new HashMap<>();

    private void productWithSkus(String prefix, int count) {
        String[] skus = new String[count];
        for (int i = 0; i < count; i++) {
            skus[i] = prefix + "-" + i;
        }
        ObjectNode product = shopify.newProduct("Burst " + prefix, skus);
        product.get("variants").forEach(v -> inventoryItemBySku.put(v.get("sku").asText(), v.get("inventory_item_id").asLong()));
        assertThat(shopify.send("http://127.0.0.1:" + port + "/webhooks/shopify/shopify-demo",
                shopify.webhook("products/update", product))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "SELECT COUNT(*) FROM external_ref WHERE connection_id = 'shopify-demo' AND kind = 'inventory_item' "
                        + "AND ref_key LIKE ?", Long.class, prefix + "-%") == count);
    }

    private static CanonicalEvent ats(String sku, long quantity) {
        return CanonicalEvent.of(EventType.AVAILABILITY_CHANGED, URI.create("/it"),
                new ChannelAvailability(sku, "shopify", quantity, Instant.now()));
    }

    private Long shopQuantity(String sku) {
        return shopify.available(inventoryItemBySku.get(sku), ShopifySimulator.DEFAULT_LOCATION_ID);
    }

    @BeforeEach
    void standardLimits() {
        shopify.setCostLimits(2000, 100);
    }

    @Test
    void aBurstOf2000ChangesEndsWithEveryQuantityRightAndNoThrottling() {
        String prefix = "BURST" + System.nanoTime() % 100000;
        productWithSkus(prefix, 100);
        Random random = new Random(42);
        Map<String, Long> expected = new HashMap<>();
        List<CanonicalEvent> burst = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            String sku = prefix + "-" + random.nextInt(100);
            long quantity = random.nextInt(50);
            burst.add(ats(sku, quantity));
            expected.put(sku, quantity);
        }
        long throttledBefore = shopify.throttledCount();
        long mutationsBefore = shopify.mutationsApplied();
        for (int from = 0; from < burst.size(); from += 200) {
            List<CanonicalEvent> slice = burst.subList(from, from + 200);
            tx.executeWithoutResult(status -> outbox.append("events", slice));
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                expected.forEach((sku, quantity) -> assertThat(shopQuantity(sku)).as(sku).isEqualTo(quantity)));
        assertThat(shopify.throttledCount() - throttledBefore).as("THROTTLED answers").isZero();
        long calls = shopify.mutationsApplied() - mutationsBefore;
        System.out.printf("burst of %d changes over %d skus: %d inventorySetQuantities calls, %d quantities set%n",
                burst.size(), expected.size(), calls, shopify.quantitiesSet());
        assertThat(calls).as("calls, thanks to coalescing and batching").isLessThan(burst.size() / 10);
    }

    @Test
    void aForced429WithRetryAfterIsWaitedOutAndThenSucceeds() {
        String prefix = "RETRY" + System.nanoTime() % 100000;
        productWithSkus(prefix, 1);
        shopify.clearReceived();
        shopify.inject(Fault.status(429, "2.0"));

        outbox.append("events", ats(prefix + "-0", 7));

        await().atMost(Duration.ofSeconds(30)).until(() -> Long.valueOf(7).equals(shopQuantity(prefix + "-0")));
        List<SimRequest> calls = shopify.receivedOn("POST", ".*/graphql\\.json");
        assertThat(calls).hasSizeGreaterThanOrEqualTo(2);
        Duration waited = Duration.between(calls.get(0).receivedAt(), calls.get(1).receivedAt());
        assertThat(waited).as("second call after Retry-After: 2.0").isGreaterThanOrEqualTo(Duration.ofMillis(1990));
    }

    @Test
    void priceChangesReachTheShopAndAForeignCurrencyIsDeadLettered() {
        String prefix = "PRICE" + System.nanoTime() % 100000;
        ObjectNode product = shopify.newProduct("Priced " + prefix, prefix + "-0", prefix + "-1");
        assertThat(shopify.send("http://127.0.0.1:" + port + "/webhooks/shopify/shopify-demo",
                shopify.webhook("products/update", product))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "SELECT COUNT(*) FROM external_ref WHERE connection_id = 'shopify-demo' AND kind = 'variant' AND ref_key LIKE ?",
                Long.class, prefix + "-%") == 2);
        long v0 = product.get("variants").get(0).get("id").asLong();

        outbox.append("events", List.of(
                price(prefix + "-0", "99.00", null), price(prefix + "-0", "79.90", "99.00"),
                CanonicalEvent.of(EventType.PRICE_CHANGED, URI.create("/it"), new dev.unison.canonical.model.Price(
                        prefix + "-1", "shopify", dev.unison.canonical.model.Money.of("70.00", "EUR"), null, Instant.now()))));

        await().atMost(Duration.ofSeconds(20)).until(() -> "79.90".equals(shopify.variantPrice(v0)));
        assertThat(shopify.variantCompareAtPrice(v0)).isEqualTo("99.00");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(deadLetters.recent("shopify:shopify-demo:prices", 50)).anySatisfy(d -> {
                    assertThat(d.eventId()).isEqualTo(prefix + "-1");
                    assertThat(d.reason()).contains("price in EUR, but the shop sells in USD");
                }));
    }

    private static CanonicalEvent price(String sku, String amount, String compareAt) {
        return CanonicalEvent.of(EventType.PRICE_CHANGED, URI.create("/it"), new dev.unison.canonical.model.Price(sku,
                "shopify", dev.unison.canonical.model.Money.of(amount, "USD"),
                compareAt == null ? null : dev.unison.canonical.model.Money.of(compareAt, "USD"), Instant.now()));
    }

    @Test
    void aSkuShopifyDoesNotKnowIsDeadLetteredWithTheReason() {
        String sku = "UNKNOWN-" + System.nanoTime();

        outbox.append("events", ats(sku, 3));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(deadLetters.recent("shopify:shopify-demo:inventory", 100)).anySatisfy(d -> {
                    assertThat(d.eventId()).isEqualTo(sku);
                    assertThat(d.reason()).contains("no Shopify inventory item is known for sku " + sku);
                    JsonNode payload = dev.unison.canonical.json.CanonicalJson.parse(d.payload());
                    assertThat(payload.get("quantity").asLong()).isEqualTo(3);
                }));
    }

    @Test
    void theHubsOwnChangeEchoingBackIsRecognisedAndDriftIsCorrected() {
        String prefix = "ECHO" + System.nanoTime() % 100000;
        productWithSkus(prefix, 1);
        String sku = prefix + "-0";
        outbox.append("events", ats(sku, 11));
        await().atMost(Duration.ofSeconds(20)).until(() -> Long.valueOf(11).equals(shopQuantity(sku)));
        long events = jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event", Long.class);
        long mutations = shopify.mutationsApplied();

        // Shopify reports the level the hub just set: an echo, not a change
        ObjectNode echo = mapper().createObjectNode().put("inventory_item_id", inventoryItemBySku.get(sku))
                .put("location_id", ShopifySimulator.DEFAULT_LOCATION_ID).put("available", 11)
                .put("updated_at", java.time.OffsetDateTime.now().toString());
        assertThat(shopify.send("http://127.0.0.1:" + port + "/webhooks/shopify/shopify-demo",
                shopify.webhook("inventory_levels/update", echo))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> counter("echo") >= 1);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event", Long.class)).as("no new events").isEqualTo(events);
        assertThat(shopify.mutationsApplied()).as("nothing sent back").isEqualTo(mutations);

        // someone sets 50 in the Shopify admin: the hub's value goes back
        shopify.setAvailable(inventoryItemBySku.get(sku), ShopifySimulator.DEFAULT_LOCATION_ID, 50);
        ObjectNode drift = echo.deepCopy().put("available", 50);
        assertThat(shopify.send("http://127.0.0.1:" + port + "/webhooks/shopify/shopify-demo",
                shopify.webhook("inventory_levels/update", drift))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> Long.valueOf(11).equals(shopQuantity(sku)));
        assertThat(counter("drift_corrected")).isGreaterThanOrEqualTo(1);
    }

    private static com.fasterxml.jackson.databind.ObjectMapper mapper() {
        return dev.unison.canonical.json.CanonicalJson.mapper();
    }

    private double counter(String outcome) {
        var c = meters.find("unison.connection.events").tag("connection", "shopify-demo")
                .tag("what", "inventory_level_update").tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    @Autowired
    org.apache.camel.CamelContext camel;

    @Test
    void routesDecideWhichConnectionGetsAChangeAndBadTargetsFailClearly() {
        String prefix = "ROUTED" + System.nanoTime() % 100000;
        productWithSkus(prefix, 1);
        // straight to one connection, as a route in routes/ may do
        camel.createProducerTemplate().sendBody("outbound:shopify-demo?kind=inventory", ats(prefix + "-0", 21));
        await().atMost(Duration.ofSeconds(20)).until(() -> Long.valueOf(21).equals(shopQuantity(prefix + "-0")));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> camel.getEndpoint("outbound:no-such-shop?kind=inventory"))
                .hasRootCauseMessage("outbound://no-such-shop?kind=inventory: no connection 'no-such-shop' in the connections file");
        // a misspelt kind would deliver to nobody: refused when the endpoint is made (a route's start)
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> camel.getEndpoint("outbound:shopify-demo?kind=stock-ledger"))
                .hasRootCauseMessage("outbound://shopify-demo?kind=stock-ledger: unknown kind 'stock-ledger' (kinds: "
                        + "inventory, positions, prices)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> camel.getEndpoint("outbound:by-channel?kind=inventry"))
                .hasRootCauseMessage("outbound://by-channel?kind=inventry: unknown kind 'inventry' (kinds: inventory, positions, prices)");
        // a known kind a connection does not take
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> camel.getEndpoint("outbound:tiktok-demo?kind=prices"))
                .hasRootCauseMessage("outbound://tiktok-demo?kind=prices: connection tiktok-demo does not take kind 'prices' "
                        + "(it takes: inventory)");
        // an option no endpoint takes (a typo in routes/) fails with its name, for both of the hub's components
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> camel.getEndpoint("bus:events?grop=order-store"))
                .hasMessageContaining("grop");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> camel.getEndpoint("outbound:by-channel?kind=inventory&batch=5"))
                .hasMessageContaining("batch");
        assertThat(camel.getRoute("availability-fan-out")).as("the fan-out is a route in routes/").isNotNull();
    }
}
