package dev.unison.canonical.model;

import java.time.Instant;
import java.util.List;

/**
 * A customer record inside one channel account (a Shopify customer, an SFCC customer), with the
 * identifiers it carries. {@code id} is its channel customer id, e.g. {@code shopify:<shop>:<id>}.
 * The hub resolves it into a {@link Profile}; it is not a profile itself.
 */
public record CustomerAccount(String id, String channel, List<Identifier> identifiers, Instant updatedAt)
        implements CanonicalRecord {
    public CustomerAccount {
        identifiers = identifiers == null ? List.of() : List.copyOf(identifiers);
    }

    @Override
    public String partitionKey() {
        return id;
    }
}
