package dev.unison.hub.support;

import dev.unison.platform.testkit.HttpApi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the kill tests share: till sales, a shop that lists the skus, an opening count per store. */
public final class StoreLoad {

    private StoreLoad() {
    }

    /** One unit of a sku sold at a store's register R1 on 2026-11-26; the sequence is the till's number. */
    public record Sale(String store, int sequence, String sku) {
        public String json() {
            return """
                    {"storeId": "%s", "registerId": "R1", "businessDay": "%s", "sequence": %d, "type": "sale",
                     "occurredAt": "%s", "currency": "USD", "lines": [{"sku": "%s", "quantity": 1, "unitPrice": "5.00"}]}
                    """.formatted(store, LocalDate.of(2026, 11, 26), sequence, Instant.parse("2026-11-26T12:00:00Z")
                    .plusMillis(sequence), sku);
        }
    }

    /**
     * The shop lists the skus and the hub learns them (a products/update webhook, awaited until the
     * hub published its item event); returns the shop's inventory item id per sku.
     */
    public static Map<String, Long> listInShop(ShopifySimulator shopify, String webhookUrl, String connection, HttpApi hub,
            String key, List<String> skus) {
        ObjectNode product = shopify.newProduct("Store load", skus.toArray(String[]::new));
        Map<String, Long> items = new HashMap<>();
        product.get("variants").forEach(v -> items.put(v.get("sku").asText(), v.get("inventory_item_id").asLong()));
        ShopifySimulator.Delivery learn = shopify.webhook("products/update", product);
        assertThat(shopify.send(webhookUrl, learn)).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() ->
                hub.get("/api/v1/events/shopify:" + connection + ":event:" + learn.eventId() + ":0", key).status() == 200);
        return items;
    }

    /** Every store counts {@code stock} units of every sku, as of before the first sale. */
    public static void openingCounts(HttpApi hub, String key, List<String> stores, List<String> skus, long stock) {
        for (String store : stores) {
            StringBuilder counts = new StringBuilder();
            skus.forEach(sku -> counts.append(counts.length() == 0 ? "" : ",").append("{\"sku\":\"").append(sku)
                    .append("\",\"quantity\":").append(stock).append('}'));
            HttpApi.Reply counted = hub.post("/api/v1/inventory/counts", key, "{\"countId\":\"open-" + store
                    + "\",\"locationId\":\"" + store + "\",\"asOf\":\"2026-11-26T11:00:00Z\",\"counts\":[" + counts + "]}");
            assertThat(counted.status()).as(counted.body()).isEqualTo(200);
        }
    }
}
