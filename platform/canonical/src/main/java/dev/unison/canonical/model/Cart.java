package dev.unison.canonical.model;

import java.time.Instant;
import java.util.List;

/** A cart in any channel; {@code identifiers} let a store recognise it (loyalty id, email). */
public record Cart(String id, String channel, String profileId, List<Identifier> identifiers, List<CartLine> lines,
        CartStatus status, String currency, Instant updatedAt) implements CanonicalRecord {
    public Cart {
        identifiers = identifiers == null ? List.of() : List.copyOf(identifiers);
        lines = lines == null ? List.of() : List.copyOf(lines);
    }

    @Override
    public String partitionKey() {
        return id;
    }
}
