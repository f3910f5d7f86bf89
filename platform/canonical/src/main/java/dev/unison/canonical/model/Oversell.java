package dev.unison.canonical.model;

import java.time.Instant;

/**
 * An online order line for a sku whose available-to-sell in the order's channel was already below
 * the ordered quantity when the hub applied it: the sale stands (the customer paid), but someone
 * must act (cancel, source elsewhere). {@code availableBefore} is the channel's ATS just before.
 */
public record Oversell(String orderId, String channel, String sku, long quantity, long availableBefore,
        Instant detectedAt) implements CanonicalRecord {
    @Override
    public String partitionKey() {
        return sku;
    }
}
