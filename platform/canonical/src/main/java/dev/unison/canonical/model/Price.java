package dev.unison.canonical.model;

import java.time.Instant;

/** The selling price of a sku in one channel; {@code compareAt} is the struck-through price, if any. */
public record Price(String sku, String channel, Money amount, Money compareAt, Instant effectiveFrom)
        implements CanonicalRecord {
    @Override
    public String partitionKey() {
        return sku;
    }
}
