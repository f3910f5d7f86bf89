package dev.unison.connectors.kit.spi;

/**
 * Durable intake of inbound deliveries, implemented by the hub. A connector acknowledges the
 * external system only after {@link #accept} returned: persist first, process asynchronously.
 */
public interface Inbox {

    enum Result { ACCEPTED, DUPLICATE }

    /** Stores the delivery unless one with the same connection + dedupe key is already stored. */
    Result accept(InboundDelivery delivery);
}
