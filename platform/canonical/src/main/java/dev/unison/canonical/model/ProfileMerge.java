package dev.unison.canonical.model;

import java.time.Instant;
import java.util.List;

/**
 * Profiles found to be one person: {@code mergedIds} now mean {@code survivorId} (their ids keep
 * resolving to it); orders, carts and consents follow the survivor. {@code linkedBy} are the
 * identifiers of the observation that linked them, {@code source} where it came from.
 */
public record ProfileMerge(String survivorId, List<String> mergedIds, List<Identifier> linkedBy, String source,
        Instant mergedAt) implements CanonicalRecord {
    public ProfileMerge {
        mergedIds = List.copyOf(mergedIds);
        linkedBy = linkedBy == null ? List.of() : List.copyOf(linkedBy);
    }

    @Override
    public String partitionKey() {
        return survivorId;
    }
}
