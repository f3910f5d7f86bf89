package dev.unison.inventory;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One stock movement at one location. {@code key} is its idempotency key (an order line, an
 * adjustment id, a count id): applying the same key twice changes nothing. For {@link Kind#COUNT}
 * {@code quantity} is the absolute counted quantity as of {@code occurredAt}; for every other kind
 * it is a signed delta (a sale of 2 is -2).
 */
public record Movement(String key, String sku, String locationId, Kind kind, long quantity, Instant occurredAt,
        String source, String note) {

    public enum Kind {
        SALE, RETURN, RECEIPT, ADJUSTMENT, COUNT;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Movement {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(sku, "sku");
        Objects.requireNonNull(locationId, "locationId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(source, "source");
        if (kind == Kind.COUNT && quantity < 0) {
            throw new IllegalArgumentException("a count cannot be negative: " + quantity);
        }
        // the databases keep microseconds: the ledger compares times as they will be stored, so a
        // position recomputed from the stored movements agrees with the one applied in memory
        occurredAt = occurredAt.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }

    /** What applying a movement did. */
    public enum Outcome {
        /** changed on-hand stock */
        APPLIED,
        /** the key was applied before: nothing changed */
        DUPLICATE,
        /** recorded, but a newer count already includes it (or, for a count, a newer count exists) */
        SUPERSEDED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
