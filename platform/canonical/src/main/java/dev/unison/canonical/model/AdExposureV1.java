package dev.unison.canonical.model;

import java.time.Instant;

/**
 * The first version of an ad exposure ({@code commerce.ad.exposure.recorded.v1}): one identifier, no
 * exposure id, no advertiser. Still accepted; the attribution domain reads it as an {@link AdExposure}
 * whose id is derived from its content, so the same v1 exposure sent twice counts once.
 */
public record AdExposureV1(String network, String campaignId, Identifier identifier, ExposureKind kind,
        Instant exposedAt) implements CanonicalRecord {
    @Override
    public String partitionKey() {
        return identifier.toString();
    }
}
