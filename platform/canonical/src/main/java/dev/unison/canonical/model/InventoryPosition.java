package dev.unison.canonical.model;

import java.time.Instant;

/**
 * Stock of one sku at one location. {@code onHand} may go below zero (a till records what
 * physically left before the next count corrects it); availability never does.
 */
public record InventoryPosition(String sku, String locationId, long onHand, long reserved, long version, Instant updatedAt)
        implements CanonicalRecord {
    @Override
    public String partitionKey() {
        return sku;
    }
}
