package dev.unison.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import java.util.Optional;

/**
 * {@code inventory_levels/update} (payload {@code inventory_item_id, location_id, available,
 * updated_at}; shopify.dev "InventoryLevel" webhook): Shopify reports every change of a level,
 * including the ones the hub itself made. The hub is the stock master for the location it writes:
 * <ul>
 * <li>the level the hub last set ({@link ShopifyInventorySync#LAST_SET}) coming back is an
 *     <b>echo</b>: recognised and dropped, never treated as a new change (loop prevention);</li>
 * <li>a different level is <b>drift</b> (someone changed the quantity in Shopify): the hub's value
 *     is queued again so the shop returns to the ledger's truth, and the drift is counted;</li>
 * <li>other locations and items the hub does not manage are ignored.</li>
 * </ul>
 * No canonical event results either way; stock changes enter through the ledger (POS, counts,
 * adjustments, orders).
 */
final class ShopifyInventoryEcho {

    /** Ref kind: Shopify inventory item id -> sku (learned with the sku -> item ref from products/update). */
    static final String ITEM_SKU = "inventory_item_sku";

    private ShopifyInventoryEcho() {
    }

    static void handle(InboundDelivery delivery, Connection connection, ConnectorContext context) {
        JsonNode level = CanonicalJson.parse(delivery.body());
        String location = level.path("location_id").asText();
        if (!ShopifySettings.of(connection).locationId().map(location::equals).orElse(false)) {
            context.metrics().count(connection.id(), "inventory_level_update", "other_location");
            return;
        }
        Optional<String> sku = context.refs().get(connection.id(), ITEM_SKU, level.path("inventory_item_id").asText());
        Optional<String> lastSet = sku.flatMap(s -> context.refs().get(connection.id(), ShopifyInventorySync.LAST_SET, s))
                .filter(v -> !v.isEmpty());
        if (sku.isEmpty() || lastSet.isEmpty()) {
            context.metrics().count(connection.id(), "inventory_level_update", "not_managed");
            return;
        }
        if (level.path("available").asText().equals(lastSet.get())) {
            context.metrics().count(connection.id(), "inventory_level_update", "echo");
            return;
        }
        ObjectNode value = CanonicalJson.mapper().createObjectNode();
        value.put("quantity", Long.parseLong(lastSet.get()));
        value.put("eventId", "drift:" + delivery.dedupeKey());
        // only when nothing newer is waiting: a pending value will correct the level anyway
        boolean queued = context.outboundQueue().offerIfAbsent(connection.id(), ShopifyInventorySync.KIND, sku.get(), value);
        context.metrics().count(connection.id(), "inventory_level_update", queued ? "drift_corrected" : "drift_pending");
    }
}
