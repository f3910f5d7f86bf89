package dev.unison.connectors.tiktok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.ChannelAvailability;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.spi.CoalescingQueue.Pending;
import dev.unison.connectors.kit.spi.ConnectorContext;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes available quantities to one TikTok Shop warehouse for one connection.
 *
 * <p>Availability changes of the connection's channel go to the durable coalescing queue (newest
 * quantity per seller sku). {@link #tick()} takes the oldest product with pending skus and sends
 * one Update Inventory call for all of them (TikTok Shop Partner Center, "Update Inventory":
 * {@code POST /product/202309/products/{product_id}/inventory/update},
 * {@code {"skus": [{"id", "inventory": [{"warehouse_id", "quantity"}]}]}}, absolute quantities).
 *
 * <p>TikTok reports per-sku failures inside a successful answer ({@code code} 0 with
 * {@code data.errors[]}, each naming {@code detail.sku_id}; TikTok Shop Partner Center, "Update
 * Inventory", sample response): those skus
 * are not counted as set. They are sent again up to {@value #MAX_ATTEMPTS} times, then
 * dead-lettered with TikTok's codes and messages.
 */
final class TikTokInventorySync {

    static final String KIND = "inventory";
    static final int MAX_ATTEMPTS = 3;
    /** Lets a burst of changes for one product's skus gather into one call. */
    static final Duration LINGER = Duration.ofMillis(200);
    /** Pending skus looked at per tick to find the skus of the oldest product. */
    static final int WINDOW = 500;

    private final Connection connection;
    private final ConnectorContext context;
    private final TikTokShopClient shop;
    private final Clock clock;
    private final String channel;
    private final String warehouseId;
    private final Duration unknownSkuGrace;
    private final Map<String, Integer> failedAttempts = new java.util.concurrent.ConcurrentHashMap<>();

    TikTokInventorySync(Connection connection, ConnectorContext context, TikTokShopClient shop, Clock clock) {
        this.connection = connection;
        this.context = context;
        this.shop = shop;
        this.clock = clock;
        TikTokShopSettings settings = TikTokShopSettings.of(connection);
        this.channel = settings.channel();
        this.warehouseId = settings.warehouseId();
        this.unknownSkuGrace = settings.unknownSkuGrace();
    }

    String deadLetterConsumer() {
        return "tiktok-shop:" + connection.id() + ":inventory";
    }

    /** Offers an availability change of this connection's channel to the queue (others are ignored). */
    void offer(CanonicalEvent event) {
        context.outboundQueue().offerAvailability(connection.id(), KIND, channel, event);
    }

    /** Sends at most one product's skus if the connection may send; returns how many quantities it settled. */
    int tick() {
        if (context.outboundQueue().heldByAnother(connection.id(), KIND, context.instanceId())) {
            return 0; // another instance sends this shop's quantities
        }
        List<Pending> window = context.outboundQueue().next(connection.id(), KIND, WINDOW);
        if (window.isEmpty() || window.get(0).firstOfferedAt().isAfter(clock.instant().minus(LINGER)) || !shop.ready()
                || !context.outboundQueue().tryLease(connection.id(), KIND, context.instanceId(), Duration.ofSeconds(15))) {
            return 0;
        }
        // group the window by product; unknown skus wait for their product notification, then give up
        Map<String, List<Pending>> byProduct = new LinkedHashMap<>();
        Map<Pending, String> skuIds = new HashMap<>();
        List<Pending> unknown = new ArrayList<>();
        for (Pending p : window) {
            Optional<String> ref = context.refs().get(connection.id(), TikTokInboundMapper.SKU, p.key());
            if (ref.isPresent()) {
                String[] ids = ref.get().split(" ", 2);
                byProduct.computeIfAbsent(ids[0], k -> new ArrayList<>()).add(p);
                skuIds.put(p, ids[1]);
            } else if (p.firstOfferedAt().isBefore(clock.instant().minus(unknownSkuGrace))) {
                unknown.add(p);
            }
        }
        unknown.forEach(p -> deadLetter(p, "no TikTok Shop product/sku id is known for seller sku " + p.key()
                + " (they are learned from product notifications)"));
        context.outboundQueue().done(unknown);
        if (byProduct.isEmpty()) {
            return unknown.size();
        }
        Map.Entry<String, List<Pending>> first = byProduct.entrySet().iterator().next();
        return unknown.size() + send(first.getKey(), first.getValue(), skuIds);
    }

    private int send(String productId, List<Pending> skus, Map<Pending, String> skuIds) {
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        ArrayNode list = body.putArray("skus");
        Map<String, Pending> bySkuId = new HashMap<>();
        for (Pending p : skus) {
            String skuId = skuIds.get(p);
            bySkuId.put(skuId, p);
            ObjectNode sku = list.addObject();
            sku.put("id", skuId);
            sku.putArray("inventory").addObject().put("warehouse_id", warehouseId)
                    .put("quantity", p.value().path("quantity").asLong());
        }
        TikTokShopClient.Outcome outcome = shop.post("inventory_call", "/product/202309/products/" + productId
                + "/inventory/update", body);
        if (outcome instanceof TikTokShopClient.Outcome.Refused refused) {
            skus.forEach(p -> deadLetter(p, refused.reason()));
            context.outboundQueue().done(skus);
            return skus.size();
        }
        if (!(outcome instanceof TikTokShopClient.Outcome.Answered answered)) {
            return 0; // Later: everything stays queued
        }
        List<Pending> settled = new ArrayList<>(skus);
        for (JsonNode error : answered.data().path("errors")) {
            String skuId = error.path("detail").path("sku_id").asText();
            Pending failed = bySkuId.get(skuId);
            String reason = "code " + error.path("code").asText() + ": " + error.path("message").asText()
                    + extraErrors(error.path("detail").path("extra_errors"));
            if (failed == null) {
                // an error we cannot pin on a sku: none of the call is trusted as applied
                skus.forEach(p -> retryOrDeadLetter(p, reason));
                context.metrics().count(connection.id(), "inventory_quantity", "failed");
                return skus.size();
            }
            settled.remove(failed);
            retryOrDeadLetter(failed, reason);
        }
        context.outboundQueue().done(settled);
        context.metrics().add(connection.id(), "inventory_quantity", "set", settled.size());
        return skus.size();
    }

    private static String extraErrors(JsonNode extra) {
        StringBuilder out = new StringBuilder();
        extra.forEach(e -> out.append("; ").append(e.path("code").asText()).append(' ').append(e.path("message").asText())
                .append(e.hasNonNull("warehouse_id") ? " (warehouse " + e.get("warehouse_id").asText() + ")" : ""));
        return out.toString();
    }

    /**
     * A per-sku failure: the value stays queued and goes again with the next call (a newer value
     * may replace it meanwhile); after the last attempt it is dead-lettered. Attempts are counted
     * per queued version in memory: a restart grants a few more, never fewer.
     */
    private void retryOrDeadLetter(Pending p, String reason) {
        String attemptKey = p.key() + "@" + p.version();
        int attempts = failedAttempts.merge(attemptKey, 1, Integer::sum);
        if (attempts >= MAX_ATTEMPTS) {
            failedAttempts.remove(attemptKey);
            deadLetter(p, reason + " (after " + attempts + " attempts)");
            context.outboundQueue().done(List.of(p));
            return;
        }
        context.metrics().count(connection.id(), "inventory_quantity", "retried");
    }

    private void deadLetter(Pending p, String reason) {
        context.metrics().count(connection.id(), "inventory_quantity", "dead_lettered");
        context.deadLetters().record(deadLetterConsumer(), p.key(), "tiktok-shop.inventory.update", reason,
                CanonicalJson.write(p.value()));
    }
}
