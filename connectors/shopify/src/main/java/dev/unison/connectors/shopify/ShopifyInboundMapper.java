package dev.unison.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.mapping.MappingException;
import dev.unison.connectors.kit.mapping.MappingLibrary;
import dev.unison.connectors.kit.spi.ExternalRefs;
import dev.unison.connectors.kit.spi.InboundDelivery;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a stored Shopify delivery into canonical events with the JSONata mapping of its topic
 * ({@code mappings/shopify/<mapping>.jsonata}). The mapping sees
 * {@code {topic, connection, shop, currency, payload}} and returns one canonical record or an
 * array of them. Event ids derive from the delivery's dedupe key, so reprocessing a delivery
 * yields the same ids and publishes nothing twice.
 */
final class ShopifyInboundMapper {

    /** The ref kind under which the sku -> Shopify inventory item (GID) mapping is kept. */
    static final String INVENTORY_ITEM = "inventory_item";
    /** The ref kind of sku -> "productGid variantGid" (prices are set per product's variants). */
    static final String VARIANT = "variant";
    /** Shopify's {@code source_name} of orders taken at a Shopify POS till. */
    static final String POS_SOURCE = "pos";
    /** The connection setting mapping Shopify location ids to hub locations. */
    static final String POS_LOCATIONS = "posLocations";

    List<CanonicalEvent> map(InboundDelivery delivery, Connection connection, MappingLibrary mappings,
            ExternalRefs refs) {
        ShopifyTopic topic = ShopifyTopic.of(delivery.messageType())
                .orElseThrow(() -> new MappingException("unknown Shopify topic " + delivery.messageType()));
        if (topic.mapping().isEmpty()) {
            return List.of();
        }
        ObjectNode input = CanonicalJson.mapper().createObjectNode();
        input.put("topic", topic.topic());
        input.put("connection", connection.id());
        ShopifySettings settings = ShopifySettings.of(connection);
        input.put("shop", settings.shopDomain());
        input.put("currency", settings.currency());
        input.set("payload", CanonicalJson.parse(delivery.body()));
        if (topic.eventType() == EventType.ORDER_PLACED || topic.eventType() == EventType.ORDER_UPDATED) {
            storeLocation(input.get("payload"), connection).ifPresent(location -> input.put("storeLocation", location));
            fulfilmentLocation(input.get("payload"), connection).ifPresent(location -> input.put("fulfilledFrom", location));
        }
        if (topic == ShopifyTopic.PRODUCTS_UPDATE && refs != null) {
            // products/update is where Shopify tells which inventory item a sku is (inventory webhooks carry no sku)
            input.get("payload").path("variants").forEach(v -> {
                if (!v.hasNonNull("sku") || v.get("sku").asText().isBlank()) {
                    return;
                }
                String sku = v.get("sku").asText();
                if (v.path("inventory_item_id").canConvertToLong()) {
                    refs.put(connection.id(), INVENTORY_ITEM, sku, "gid://shopify/InventoryItem/" + v.get("inventory_item_id").asText());
                    refs.put(connection.id(), ShopifyInventoryEcho.ITEM_SKU, v.get("inventory_item_id").asText(), sku);
                }
                if (v.path("id").canConvertToLong()) {
                    refs.put(connection.id(), VARIANT, sku, "gid://shopify/Product/" + input.get("payload").path("id").asText()
                            + " gid://shopify/ProductVariant/" + v.get("id").asText());
                }
            });
        }

        JsonNode mapped = mappings.mapping(ShopifyConnector.NAME, topic.mapping().get()).apply(input);
        List<JsonNode> records = new ArrayList<>();
        if (mapped.isArray()) {
            mapped.forEach(records::add);
        } else if (mapped.isObject()) {
            records.add(mapped);
        }
        URI source = URI.create("/connectors/shopify/" + connection.id());
        Instant triggeredAt = triggeredAt(delivery);
        List<CanonicalEvent> events = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            String id = "shopify:" + connection.id() + ":" + delivery.dedupeKey() + ":" + i;
            // an order's time is its signed updated_at, not the unsigned X-Shopify-Triggered-At header:
            // a replayed body with fresh headers must not look newer than it is
            Instant time = records.get(i).hasNonNull("updatedAt")
                    ? Instant.parse(records.get(i).get("updatedAt").asText()) : triggeredAt;
            events.add(CanonicalEvent.of(id, topic.eventType(), source, records.get(i), time));
        }
        return events;
    }

    /**
     * The hub location of a Shopify POS order: {@code source_name: "pos"} with {@code location_id},
     * the POS location where it was processed (Shopify REST Admin API, Order resource; null for
     * online orders), looked up in the connection's {@code posLocations}. A POS order whose location
     * is not mapped is refused (dead-lettered with this reason) rather than taken as an online sale:
     * its stock would be taken from the wrong place and its revenue counted as online.
     */
    static Optional<String> storeLocation(JsonNode order, Connection connection) {
        if (!POS_SOURCE.equals(order.path("source_name").asText())) {
            return Optional.empty();
        }
        JsonNode locationId = order.path("location_id");
        if (!locationId.canConvertToLong()) {
            throw new MappingException("Shopify POS order " + order.path("id").asText() + " has no location_id: "
                    + "its store is unknown");
        }
        String mapped = ShopifySettings.of(connection).posLocations().get(locationId.asText());
        if (mapped == null || mapped.isBlank()) {
            throw new MappingException("Shopify POS order " + order.path("id").asText() + " was placed at Shopify location "
                    + locationId.asText() + ", which connection " + connection.id() + " does not map to a hub location: add it to "
                    + "settings." + POS_LOCATIONS + " (Shopify location id: hub location id)");
        }
        return Optional.of(mapped);
    }

    /**
     * Where an order is fulfilled from, as Shopify reports it: the {@code location_id} of its
     * fulfillments (Shopify REST Admin API, Order resource, {@code fulfillments[]}; Fulfillment
     * resource: "The ID of the location that fulfilled"), the first one that is not cancelled, looked
     * up in the connection's {@code posLocations} (the same Shopify locations). Empty while the order
     * is unfulfilled or when the location is not mapped: the hub then does not know, and the
     * inventory deflection rate leaves the order out.
     */
    static Optional<String> fulfilmentLocation(JsonNode order, Connection connection) {
        for (JsonNode f : order.path("fulfillments")) {
            String status = f.path("status").asText("");
            if (status.equals("cancelled") || status.equals("error") || status.equals("failure")
                    || !f.path("location_id").canConvertToLong()) {
                continue;
            }
            String mapped = ShopifySettings.of(connection).posLocations().get(f.get("location_id").asText());
            return mapped == null || mapped.isBlank() ? Optional.empty() : Optional.of(mapped);
        }
        return Optional.empty();
    }

    private static Instant triggeredAt(InboundDelivery delivery) {
        String header = delivery.headers().get(ShopifyHeaders.TRIGGERED_AT);
        if (header != null) {
            try {
                return OffsetDateTime.parse(header).toInstant();
            } catch (DateTimeParseException ignored) {
                // fall back to the time the hub received it
            }
        }
        return delivery.receivedAt();
    }
}
