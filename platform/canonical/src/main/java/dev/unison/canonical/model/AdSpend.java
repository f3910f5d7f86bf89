package dev.unison.canonical.model;

import java.time.LocalDate;

/** One day of a campaign's spend as the network reports it. */
public record AdSpend(String network, String campaignId, LocalDate day, Money spend, long impressions, long clicks)
        implements CanonicalRecord {
    @Override
    public String partitionKey() {
        return network + ":" + campaignId;
    }
}
