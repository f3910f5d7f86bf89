package dev.unison.canonical.model;

import java.time.Instant;

/** One ad impression or click from a retail media network's exposure log. */
public record AdExposure(String network, String campaignId, Identifier identifier, ExposureKind kind,
        Instant exposedAt) implements CanonicalRecord {
    @Override
    public String partitionKey() {
        return identifier.toString();
    }
}
