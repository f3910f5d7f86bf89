package dev.unison.connectors.shopify;

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
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes available quantities to one Shopify location for one connection.
 *
 * <p>Availability events for the connection's channel are offered to the durable coalescing queue
 * (only the newest quantity per sku is kept); {@link #tick()} sends up to {@code inventoryBatchSize}
 * of them as one GraphQL {@code inventorySetQuantities} mutation (shopify.dev, Admin GraphQL
 * "inventorySetQuantities": quantities by inventory item GID and location GID, name
 * {@code available}, reason {@code correction}) through the shop's {@link ShopifyAdminClient}.
 * Per-quantity user errors go to the dead-letter table with the reason, as does a sku whose
 * inventory item the hub has not learned (from products/update).
 *
 * <p>API versions: up to 2025-10 the mutation takes {@code ignoreCompareQuantity: true}; from 2026-01
 * it takes {@code changeFromQuantity} (the last quantity the hub set, when known) and the
 * {@code @idempotent(key:)} directive, mandatory from 2026-04 (Shopify changelog,
 * "inventory compare-and-set" and "idempotency for inventory mutations").
 */
final class ShopifyInventorySync {

    static final String KIND = "inventory";
    static final String LAST_SET = "shopify_available";
    /**
     * Pacing. While the shop's cost bucket is at least half full a part batch goes at once: the
     * budget is there to be spent. Below half a call goes once the bucket has restored the previous
     * call's cost since it went (100 ms at Shopify's standard 100 points/s, read from the shop's
     * throttle status): calls then spend exactly what restores, and a change waits at most that
     * long for the next call. Until then the queue is not even read. (It used to be a fixed 200 ms
     * linger from the oldest pending change: twice the restore time, so calls came in bursts and
     * a change waited up to twice as long.)
     */
    private Instant lastCallAt = Instant.MIN;

    private final Connection connection;
    private final ConnectorContext context;
    private final ShopifyAdminClient shop;
    private final Clock clock;
    private final String channel;
    private final String locationGid;
    private final int batchSize;
    private final boolean compareAndSet;
    private final Duration unknownSkuGrace;

    ShopifyInventorySync(Connection connection, ConnectorContext context, ShopifyAdminClient shop, Clock clock) {
        this.connection = connection;
        this.context = context;
        this.shop = shop;
        this.clock = clock;
        ShopifySettings settings = ShopifySettings.of(connection);
        this.channel = settings.channel();
        this.locationGid = settings.locationGid().orElseThrow(
                () -> new IllegalStateException("connection " + connection.id() + " has no locationId: no inventory writes"));
        this.batchSize = settings.inventoryBatchSize();
        this.compareAndSet = settings.apiVersion().compareTo("2026-01") >= 0;
        // a change for a sku the hub cannot yet name in Shopify stays queued this long (its
        // products/update may still be on its way) before it is dead-lettered
        this.unknownSkuGrace = settings.unknownSkuGrace();
    }

    static boolean enabledFor(Connection connection) {
        return connection.enabled() && ShopifySettings.of(connection).locationId().isPresent();
    }

    /** Offers an availability change of this connection's channel to the queue (others are ignored). */
    void offer(CanonicalEvent event) {
        context.outboundQueue().offerAvailability(connection.id(), KIND, channel, event);
    }

    /** Sends at most one batch if the shop's budget allows; returns how many quantities it settled. */
    int tick() {
        if (!shop.ready()) {
            return 0; // no budget (or circuit open): not even worth reading the queue
        }
        if (!shop.budgetToSpare() && clock.instant().isBefore(lastCallAt.plus(shop.restoreTimeOfOneCall()))) {
            return 0; // below half: paced at the restore rate (see lastCallAt)
        }
        if (context.outboundQueue().heldByAnother(connection.id(), KIND, context.instanceId())) {
            return 0; // another instance sends this shop's quantities: not even worth reading the queue
        }
        List<Pending> batch = context.outboundQueue().next(connection.id(), KIND, batchSize);
        if (batch.isEmpty() || !context.outboundQueue().tryLease(connection.id(), KIND, context.instanceId(), Duration.ofSeconds(15))) {
            return 0;
        }
        List<Pending> sendable = new ArrayList<>();
        List<String> itemIds = new ArrayList<>();
        List<Pending> unknown = new ArrayList<>();
        Map<String, String> items = context.refs().getAll(connection.id(), ShopifyInboundMapper.INVENTORY_ITEM,
                batch.stream().map(Pending::key).toList());
        for (Pending p : batch) {
            String item = items.get(p.key());
            if (item != null) {
                sendable.add(p);
                itemIds.add(item);
            } else if (p.firstOfferedAt().isBefore(clock.instant().minus(unknownSkuGrace))) {
                unknown.add(p);
            }
            // else: stays queued until products/update teaches the hub the sku's inventory item
        }
        unknown.forEach(p -> deadLetter(p, "no Shopify inventory item is known for sku " + p.key()
                + " (it is learned from products/update webhooks)"));
        context.outboundQueue().done(unknown);
        if (sendable.isEmpty()) {
            return unknown.size();
        }
        JsonNode variables = variables(sendable, itemIds);
        lastCallAt = clock.instant();
        ShopifyAdminClient.Outcome outcome = shop.call("inventory_call", mutation(sendable, variables), variables);
        if (outcome instanceof ShopifyAdminClient.Outcome.Answered answered) {
            return unknown.size() + settle(sendable, answered.body());
        }
        if (outcome instanceof ShopifyAdminClient.Outcome.Refused refused) {
            sendable.forEach(p -> deadLetter(p, refused.reason()));
            context.outboundQueue().done(sendable);
            return unknown.size() + sendable.size();
        }
        return unknown.size(); // Later: the batch stays queued
    }

    /**
     * Settles an answered call. Without user errors every quantity was set. With user errors the
     * call is treated as applied for none of them (Shopify answers {@code inventoryAdjustmentGroup:
     * null} then): the rejected quantities are dead-lettered, or re-queued after a stale
     * {@code changeFromQuantity}; the others stay queued and go again without them.
     */
    private int settle(List<Pending> sent, JsonNode body) {
        JsonNode errors = body.path("data").path("inventorySetQuantities").path("userErrors");
        if (errors.isEmpty()) {
            // what the hub set: changeFromQuantity (2026-01+) and recognising the echo of inventory_levels/update
            Map<String, String> levels = new LinkedHashMap<>();
            sent.forEach(p -> levels.put(p.key(), p.value().path("quantity").asText()));
            context.outboundQueue().done(sent, () -> context.refs().putAll(connection.id(), LAST_SET, levels));
            context.metrics().add(connection.id(), "inventory_quantity", "set", sent.size());
            return sent.size();
        }
        List<Pending> rejected = new ArrayList<>();
        for (JsonNode error : errors) {
            String code = error.path("code").asText();
            Integer index = ShopifyAdminClient.indexIn(error.path("field"), "quantities");
            if (code.startsWith("IDEMPOTENCY_")) {
                return 0; // in progress or a key problem: the same work goes again, under a fresh key if it changed
            }
            if (index == null || index >= sent.size()) {
                sent.forEach(p -> deadLetter(p, code + ": " + error.path("message").asText()));
                context.outboundQueue().done(sent);
                return sent.size();
            }
            Pending p = sent.get(index);
            if ("CHANGE_FROM_QUANTITY_STALE".equals(code) || "COMPARE_QUANTITY_STALE".equals(code)) {
                // someone else changed the quantity: forget what we believed; it goes again unchecked
                context.refs().put(connection.id(), LAST_SET, p.key(), "");
            } else {
                deadLetter(p, code + ": " + error.path("message").asText());
                rejected.add(p);
            }
        }
        context.outboundQueue().done(rejected);
        return Math.max(1, rejected.size()); // progress: the next tick sends the rest again
    }

    private String mutation(List<Pending> batch, JsonNode variables) {
        if (!compareAndSet) {
            return "mutation SetAvailable($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input)"
                    + " { userErrors { code field message } } }";
        }
        // A retry of the very same request carries the same key (applied once); any other request
        // (other quantities, other changeFromQuantity, other events) a new one, since Shopify
        // refuses a key reused with different parameters.
        StringBuilder fingerprint = new StringBuilder(connection.id()).append('|').append(CanonicalJson.write(variables));
        batch.forEach(p -> fingerprint.append('|').append(p.value().path("eventId").asText()));
        String key = UUID.nameUUIDFromBytes(fingerprint.toString().getBytes(StandardCharsets.UTF_8)).toString();
        return "mutation SetAvailable($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input)"
                + " @idempotent(key: \"" + key + "\") { userErrors { code field message } } }";
    }

    private JsonNode variables(List<Pending> batch, List<String> itemIds) {
        ObjectNode variables = CanonicalJson.mapper().createObjectNode();
        ObjectNode input = variables.putObject("input");
        input.put("name", "available");
        input.put("reason", "correction");
        input.put("referenceDocumentUri", "gid://unison/InventorySync/" + connection.id());
        if (!compareAndSet) {
            input.put("ignoreCompareQuantity", true);
        }
        ArrayNode quantities = input.putArray("quantities");
        Map<String, String> lastSet = compareAndSet
                ? context.refs().getAll(connection.id(), LAST_SET, batch.stream().map(Pending::key).toList())
                : Map.of();
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            ObjectNode q = quantities.addObject();
            q.put("inventoryItemId", itemIds.get(i));
            q.put("locationId", locationGid);
            q.put("quantity", p.value().path("quantity").asLong());
            if (compareAndSet) {
                String last = lastSet.getOrDefault(p.key(), "");
                if (last.isEmpty()) {
                    q.putNull("changeFromQuantity");
                } else {
                    q.put("changeFromQuantity", Long.parseLong(last));
                }
            }
        }
        return variables;
    }

    private void deadLetter(Pending p, String reason) {
        context.metrics().count(connection.id(), "inventory_quantity", "dead_lettered");
        context.deadLetters().record("shopify:" + connection.id() + ":inventory", p.key(), "shopify.inventorySetQuantities",
                reason, CanonicalJson.write(p.value()));
    }
}
