package dev.unison.connectors.square;

import dev.unison.canonical.event.EventType;
import java.util.Arrays;
import java.util.Optional;

/**
 * The notification types the connector maps (Square API Reference, "Webhook events":
 * {@code order.created}, {@code order.updated}, {@code payment.updated}, {@code refund.created},
 * {@code customer.created}, {@code inventory.count.updated}) and the canonical event each yields. Any other type a
 * subscription sends is acknowledged, kept in the inbox and recorded as ignored: nothing is lost
 * until a mapping exists, and Square does not retry what was answered 2xx.
 */
public enum SquareEventType {
    ORDER_CREATED("order.created", EventType.ORDER_PLACED),
    ORDER_UPDATED("order.updated", EventType.ORDER_UPDATED),
    /**
     * A sale rung up in the Square Point of Sale app publishes no {@code order.created} (Square API
     * Reference, "order.created": "triggered only by the CreateOrder endpoint call"); its payment
     * does. A completed payment's order is read and published as an update of that order.
     */
    PAYMENT_UPDATED("payment.updated", EventType.ORDER_UPDATED),
    REFUND_CREATED("refund.created", EventType.REFUND_CREATED),
    CUSTOMER_CREATED("customer.created", EventType.CUSTOMER_UPSERTED),
    /** absolute counts per item variation, location and state: the IN_STOCK ones of mapped locations, in whole units */
    INVENTORY_COUNT_UPDATED("inventory.count.updated", EventType.INVENTORY_COUNTED);

    private final String type;
    private final EventType eventType;

    SquareEventType(String type, EventType eventType) {
        this.type = type;
        this.eventType = eventType;
    }

    public String type() {
        return type;
    }

    /** The canonical event type, or empty when the notification is recorded without one. */
    public Optional<EventType> eventType() {
        return Optional.ofNullable(eventType);
    }

    public static Optional<SquareEventType> of(String type) {
        return Arrays.stream(values()).filter(t -> t.type.equals(type)).findFirst();
    }
}
