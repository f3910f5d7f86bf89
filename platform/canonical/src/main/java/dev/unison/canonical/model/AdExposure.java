package dev.unison.canonical.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One ad impression or click ({@code commerce.ad.exposure.recorded.v2}), from a network's exposure
 * log, an ad server or a network export. {@code exposureId} is the sender's id of this exposure: the
 * same id from the same sender is the same exposure, however often it is sent. {@code identifiers}
 * are what the shopper was known by when exposed: a hashed email or phone in the network's own
 * normalization (the network's settings name it), a click id, a device id. {@code advertiserId} and
 * {@code adId} are as the network names them; {@code adId} may be absent.
 */
public record AdExposure(String exposureId, String network, String advertiserId, String campaignId, String adId,
        ExposureKind kind, Instant exposedAt, List<Identifier> identifiers) implements CanonicalRecord {

    public AdExposure {
        Objects.requireNonNull(exposureId, "exposureId");
        identifiers = identifiers == null ? List.of() : List.copyOf(identifiers);
    }

    @Override
    public String partitionKey() {
        return network + ":" + exposureId;
    }
}
