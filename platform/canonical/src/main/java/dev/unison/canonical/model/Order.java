package dev.unison.canonical.model;

import java.time.Instant;
import java.util.List;

/**
 * An order from any channel (web, app, store till, marketplace). {@code placedAtLocation} is the
 * store where it was placed (null online); {@code fulfilledFromLocation} the location that ships it.
 * {@code placedIn} says whether it was placed in a store or online, for every channel (so revenue
 * can be split); when a producer leaves it out it follows {@code placedAtLocation}.
 * {@code updatedAt} is when the source system last changed the order (Shopify {@code updated_at},
 * TikTok Shop {@code update_time}): a delivery that is not newer than what the hub holds changes
 * nothing. {@code cartId} names the cart the order converted, when the source knows it (a till sale
 * naming the shopper's cart): the carts domain closes that cart.
 */
public record Order(String id, String channel, String externalId, OrderStatus status, Instant placedAt,
        String placedAtLocation, String fulfilledFromLocation, String profileId, List<Identifier> identifiers,
        List<OrderLine> lines, Money total, PlacedIn placedIn, Instant updatedAt, String cartId) implements CanonicalRecord {

    /** An order that names no cart. */
    public Order(String id, String channel, String externalId, OrderStatus status, Instant placedAt,
            String placedAtLocation, String fulfilledFromLocation, String profileId, List<Identifier> identifiers,
            List<OrderLine> lines, Money total, PlacedIn placedIn, Instant updatedAt) {
        this(id, channel, externalId, status, placedAt, placedAtLocation, fulfilledFromLocation, profileId, identifiers, lines,
                total, placedIn, updatedAt, null);
    }

    public Order {
        identifiers = identifiers == null ? List.of() : List.copyOf(identifiers);
        lines = lines == null ? List.of() : List.copyOf(lines);
        if (placedIn == null) {
            placedIn = placedAtLocation != null ? PlacedIn.STORE : PlacedIn.ONLINE;
        }
    }

    @Override
    public String partitionKey() {
        return id;
    }
}
