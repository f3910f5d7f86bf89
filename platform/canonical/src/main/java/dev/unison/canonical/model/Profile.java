package dev.unison.canonical.model;

import java.time.Instant;
import java.util.List;

/** One customer across channels. A profile id never changes meaning; merges name a survivor. */
public record Profile(String id, List<Identifier> identifiers, Instant createdAt, Instant updatedAt)
        implements CanonicalRecord {
    public Profile {
        identifiers = identifiers == null ? List.of() : List.copyOf(identifiers);
    }

    @Override
    public String partitionKey() {
        return id;
    }
}
