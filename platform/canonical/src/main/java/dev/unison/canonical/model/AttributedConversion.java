package dev.unison.canonical.model;


/**
 * One conversion a network attributes to one of its campaigns, at transaction level (Criteo Retail
 * Media's {@code attributedTransactions} report): which sale, when, where, how much, and by which
 * of the network's rules (a click or a view within its window). Networks never return who the
 * shopper was; this is the network's claim, kept beside the hub's own attribution.
 *
 * @param conversionId the network's id of the transaction (unique per network)
 * @param touch        the touch the network credits: {@code click} or {@code view}
 * @param windowDays   the window of the rule that credited it
 * @param channel      {@code in-store} or {@code online}
 */
public record AttributedConversion(String network, String conversionId, String campaignId,
        String adId, java.time.Instant convertedAt, String touch, int windowDays,
        String channel, Money sales, long units) implements CanonicalRecord {

    @Override
    public String partitionKey() {
        return network + ":" + campaignId;
    }
}
