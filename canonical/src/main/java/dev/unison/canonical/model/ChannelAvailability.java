package dev.unison.canonical.model;

import java.time.Instant;

/** Available-to-sell of a sku in one channel; never negative. */
public record ChannelAvailability(String sku, String channel, long availableToSell, Instant computedAt)
        implements CanonicalRecord {
    @Override
    public String partitionKey() {
        return sku;
    }
}
