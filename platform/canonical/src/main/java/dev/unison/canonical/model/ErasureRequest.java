package dev.unison.canonical.model;

import java.time.Instant;
import java.util.List;

/** A GDPR/CCPA deletion request with its legal deadline. */
public record ErasureRequest(String id, String profileId, List<Identifier> identifiers, String regulation,
        ErasureStatus status, Instant receivedAt, Instant deadline) implements CanonicalRecord {
    public ErasureRequest {
        identifiers = identifiers == null ? List.of() : List.copyOf(identifiers);
    }

    @Override
    public String partitionKey() {
        return profileId != null ? profileId : id;
    }
}
