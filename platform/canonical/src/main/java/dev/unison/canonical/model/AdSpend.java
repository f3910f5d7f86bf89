package dev.unison.canonical.model;

import java.time.LocalDate;

/**
 * One day of a campaign's spend as the network reports it, and what the network itself attributes
 * to that day when its report says ({@code networkAttributed}, null otherwise).
 */
public record AdSpend(String network, String campaignId, LocalDate day, Money spend, long impressions, long clicks,
        NetworkAttribution networkAttributed) implements CanonicalRecord {

    /** A day of spend without the network's own attributed figures. */
    public AdSpend(String network, String campaignId, LocalDate day, Money spend, long impressions, long clicks) {
        this(network, campaignId, day, spend, impressions, clicks, null);
    }

    @Override
    public String partitionKey() {
        return network + ":" + campaignId;
    }
}
