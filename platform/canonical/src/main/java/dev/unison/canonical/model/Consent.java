package dev.unison.canonical.model;

import java.time.Instant;

/** A shopper's decision for one purpose (e.g. {@code marketing.email}, {@code ads.measurement}). */
public record Consent(String profileId, Identifier subject, String purpose, ConsentStatus status, String source,
        Instant recordedAt) implements CanonicalRecord {
    @Override
    public String partitionKey() {
        return profileId != null ? profileId : subject.toString();
    }
}
