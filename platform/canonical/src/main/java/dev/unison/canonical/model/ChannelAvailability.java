package dev.unison.canonical.model;

import java.time.Instant;

/**
 * Available-to-sell of a sku in one channel; never negative. {@code version} counts the changes of
 * this sku's ATS in this channel (1, 2, ...; absent from events published before it existed): a
 * consumer keeps the highest it has seen and drops an older value that arrives late or again.
 */
public record ChannelAvailability(String sku, String channel, long availableToSell, Instant computedAt, Long version)
        implements CanonicalRecord {

    public ChannelAvailability(String sku, String channel, long availableToSell, Instant computedAt) {
        this(sku, channel, availableToSell, computedAt, null);
    }

    @Override
    public String partitionKey() {
        return sku;
    }
}
