package dev.unison.canonical.identity;

import dev.unison.canonical.model.Identifier;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Identifiers seen together once: on an order, a customer record, a till transaction, a partner's
 * link. {@code source} names where (e.g. {@code shopify:shopify-demo}, {@code pos}, {@code api:crm}).
 */
public record Observation(String source, Instant at, List<Identifier> identifiers) {
    public Observation {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(at, "at");
        identifiers = List.copyOf(identifiers);
    }
}
