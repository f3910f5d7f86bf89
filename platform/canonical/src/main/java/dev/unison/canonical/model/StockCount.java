package dev.unison.canonical.model;

import java.time.Instant;
import java.util.Objects;

/**
 * An absolute count of one sku at one location, as a system that keeps its own stock reports it
 * (a store POS such as Square: "inventory.count.updated"). Applied by the inventory domain as a
 * count through {@code POST /api/v1/inventory/counts} is: it sets the on-hand as of
 * {@code countedAt}; a movement newer than that still counts on top of it.
 *
 * @param countId the count's idempotency key, unique per sku (a count applied twice changes nothing)
 */
public record StockCount(String countId, String sku, String locationId, long quantity, Instant countedAt)
        implements CanonicalRecord {

    public StockCount {
        Objects.requireNonNull(countId, "countId");
        Objects.requireNonNull(sku, "sku");
        Objects.requireNonNull(locationId, "locationId");
        Objects.requireNonNull(countedAt, "countedAt");
        if (quantity < 0) {
            throw new IllegalArgumentException("a count is never negative: " + quantity);
        }
    }

    @Override
    public String partitionKey() {
        return sku;
    }
}
