package dev.unison.canonical.model;

import java.time.Instant;
import java.util.List;

/**
 * An order from any channel (web, app, store till, marketplace). {@code placedAtLocation} is the
 * store where it was placed (null online); {@code fulfilledFromLocation} the location that ships it.
 */
public record Order(String id, String channel, String externalId, OrderStatus status, Instant placedAt,
        String placedAtLocation, String fulfilledFromLocation, String profileId, List<Identifier> identifiers,
        List<OrderLine> lines, Money total) implements CanonicalRecord {
    public Order {
        identifiers = identifiers == null ? List.of() : List.copyOf(identifiers);
        lines = lines == null ? List.of() : List.copyOf(lines);
    }

    @Override
    public String partitionKey() {
        return id;
    }
}
