package dev.unison.canonical.model;

import java.time.Instant;
import java.util.List;

/**
 * A cart in any channel; {@code identifiers} let a store recognise it (loyalty id, email).
 * {@code reserveAt} is the store whose stock the cart holds (null: none), until {@code expiresAt}
 * at the latest; both are optional and only the hub's carts domain sets them (docs/carts.md).
 */
public record Cart(String id, String channel, String profileId, List<Identifier> identifiers, List<CartLine> lines,
        CartStatus status, String currency, Instant updatedAt, String reserveAt, Instant expiresAt) implements CanonicalRecord {
    public Cart {
        identifiers = identifiers == null ? List.of() : List.copyOf(identifiers);
        lines = lines == null ? List.of() : List.copyOf(lines);
    }

    /** A cart that holds no stock (connectors' carts). */
    public Cart(String id, String channel, String profileId, List<Identifier> identifiers, List<CartLine> lines,
            CartStatus status, String currency, Instant updatedAt) {
        this(id, channel, profileId, identifiers, lines, status, currency, updatedAt, null, null);
    }

    @Override
    public String partitionKey() {
        return id;
    }
}
