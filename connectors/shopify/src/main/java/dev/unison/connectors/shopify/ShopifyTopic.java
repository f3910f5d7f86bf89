package dev.unison.connectors.shopify;

import dev.unison.canonical.event.EventType;
import java.util.Arrays;
import java.util.Optional;

/**
 * The webhook topics the connector accepts (Shopify webhook topics, API 2025-10), the mapping
 * that turns each into canonical data and the canonical event type it yields. A topic without a
 * mapping is still accepted and kept in the inbox, so nothing is lost until its mapping exists.
 */
public enum ShopifyTopic {
    ORDERS_CREATE("orders/create", "order", EventType.ORDER_PLACED),
    ORDERS_PAID("orders/paid", "order", EventType.ORDER_UPDATED),
    ORDERS_UPDATED("orders/updated", "order", EventType.ORDER_UPDATED),
    /** the order with cancelled_at set: maps to status cancelled */
    ORDERS_CANCELLED("orders/cancelled", "order", EventType.ORDER_UPDATED),
    REFUNDS_CREATE("refunds/create", "refund", EventType.REFUND_CREATED),
    PRODUCTS_UPDATE("products/update", "product", EventType.ITEM_UPSERTED),
    CARTS_CREATE("carts/create", "cart", EventType.CART_UPDATED),
    CARTS_UPDATE("carts/update", "cart", EventType.CART_UPDATED),
    /** a customer account with its identifiers; the hub's identity graph decides which profile it belongs to */
    CUSTOMERS_CREATE("customers/create", "customer", EventType.CUSTOMER_UPSERTED),
    CUSTOMERS_UPDATE("customers/update", "customer", EventType.CUSTOMER_UPSERTED),
    /** absolute level of an inventory item at a Shopify location; echo/drift check (ShopifyInventoryEcho), no event */
    INVENTORY_LEVELS_UPDATE("inventory_levels/update", null, null);

    private final String topic;
    private final String mapping;
    private final EventType eventType;

    ShopifyTopic(String topic, String mapping, EventType eventType) {
        this.topic = topic;
        this.mapping = mapping;
        this.eventType = eventType;
    }

    public String topic() {
        return topic;
    }

    /** The mapping file name under {@code mappings/shopify/}, or empty when the topic is only kept. */
    public Optional<String> mapping() {
        return Optional.ofNullable(mapping);
    }

    public EventType eventType() {
        return eventType;
    }

    public static Optional<ShopifyTopic> of(String topic) {
        return Arrays.stream(values()).filter(t -> t.topic.equals(topic)).findFirst();
    }
}
