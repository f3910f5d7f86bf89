package dev.unison.canonical.identity;

import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Email relay domains: a marketplace hides the buyer's address behind a relay address that is
 * unique per buyer and shop and forwards to the buyer (TikTok Shop's order detail carries such a
 * masked {@code buyer_email}, e.g. {@code …@scs.tiktokw.us}). A relay address names the buyer in one
 * shop, not the person's mailbox: stored as an email it would compete with the person's real
 * addresses and, under the weak-link rule, split the person. So an address at a relay domain (the
 * domain itself or any subdomain) is a channel identifier on every path — API, Shopify, TikTok
 * Shop, POS: {@code email-relay:<domain>:<local part>}. Each relay address is its own slot
 * ({@link IdentityRules#slot}): a person may hold one per shop without any competing.
 *
 * <p>The one place for this rule: {@link IdentifierNormalizer} applies it to every email it
 * normalizes.
 */
public record RelayEmails(List<String> domains) {

    /** TikTok Shop's relay domains (US {@code scs.tiktokw.us}, others under {@code tiktok.com}). */
    public static final List<String> DEFAULT_DOMAINS = List.of("tiktokw.us", "tiktok.com");
    /** The channel part of a relay address's identifier. */
    public static final String CHANNEL = "email-relay";

    public RelayEmails {
        domains = domains.stream().map(d -> {
            String domain = d.strip().toLowerCase(Locale.ROOT);
            while (domain.startsWith("@") || domain.startsWith(".") || domain.startsWith("*")) {
                domain = domain.substring(1);
            }
            if (domain.isEmpty() || !domain.contains(".") || domain.contains("@") || domain.contains(":")
                    || domain.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("relay email domain '" + d + "' is not a domain such as scs.tiktokw.us");
            }
            return domain;
        }).distinct().toList();
    }

    public static RelayEmails defaults() {
        return new RelayEmails(DEFAULT_DOMAINS);
    }

    /** The channel identifier of a normalized email at a relay domain, else empty. */
    public Optional<Identifier> channelIdentifier(String normalizedEmail) {
        int at = normalizedEmail.lastIndexOf('@');
        if (at <= 0) {
            return Optional.empty();
        }
        String domain = normalizedEmail.substring(at + 1);
        for (String relay : domains) {
            if (domain.equals(relay) || domain.endsWith("." + relay)) {
                return Optional.of(new Identifier(IdentifierType.CHANNEL_CUSTOMER_ID,
                        CHANNEL + ":" + domain + ":" + normalizedEmail.substring(0, at)));
            }
        }
        return Optional.empty();
    }

    /** Whether a match key is a relay address's ({@code channel_customer_id:email-relay:…}). */
    static boolean isRelayKey(String matchKey) {
        return matchKey.startsWith(IdentifierType.CHANNEL_CUSTOMER_ID.wireName() + ":" + CHANNEL + ":");
    }
}
