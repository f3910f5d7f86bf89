package dev.unison.canonical.model;

import java.time.Instant;

/**
 * A cart closed by the order that bought it: where the cart began ({@code startedInChannel}, e.g.
 * {@code app}) and where it was bought ({@code convertedInChannel}, e.g. {@code store}), so
 * cross-channel journeys can be counted. {@code profileId} is the shopper's profile when known.
 */
public record CartConversion(String cartId, String profileId, String startedInChannel, String convertedInChannel,
        String orderId, Instant convertedAt) implements CanonicalRecord {

    @Override
    public String partitionKey() {
        return cartId;
    }
}
