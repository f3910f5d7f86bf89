package dev.unison.canonical.identity;

import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The guards of identity resolution, in the style of Segment Unify's identity settings
 * (Identity Resolution Settings: blocked values, limits, priority) and its product limits
 * (100 merges per profile, 1,000 identifiers per profile).
 *
 * <ul>
 *   <li><b>blocked values</b>: a value matching the list or a pattern is never promoted to an
 *       identifier (placeholders such as {@code null}, {@code ^[0-]*$}, {@code test@test.com});</li>
 *   <li><b>limits</b>: at most N values of a type on one profile (one loyalty id, five emails);</li>
 *   <li><b>priority</b>: strongest first; when a match would break a limit the weakest identifier
 *       of the incoming event is demoted (not used for matching) and matching is retried;</li>
 *   <li><b>caps</b>: merges per profile and identifiers per profile;</li>
 *   <li><b>shared types</b>: identifiers many people may present (a store's kiosk, a family card):
 *       a profile reached only through them gains nothing but more of them.</li>
 * </ul>
 *
 * @param sharedTypes types that may be shared between people (default device ids, payment tokens, click ids)
 * @param gmailDotInsensitive match {@code j.doe@gmail.com} and {@code jdoe@gmail.com} as one
 *        (the stored value keeps its dots); off by default: it is a match-rate rule, not an identity fact
 */
public record IdentityRules(Set<String> blockedValues, List<Pattern> blockedPatterns, Map<IdentifierType, Integer> limits,
        List<IdentifierType> priority, int maxMergesPerProfile, int maxIdentifiersPerProfile, boolean gmailDotInsensitive,
        Set<IdentifierType> sharedTypes) {

    /** Types that may be shared between people: they link, but never bring a person's identifying ids along. */
    public static final Set<IdentifierType> DEFAULT_SHARED_TYPES = Set.of(IdentifierType.DEVICE_ID, IdentifierType.PAYMENT_TOKEN,
            IdentifierType.CLICK_ID);

    /** Segment's suggested blocks plus common QA placeholders. */
    public static final List<String> DEFAULT_BLOCKED_VALUES = List.of("null", "-1", "anonymous", "undefined", "unknown", "none",
            "nan", "void", "abc123", "test", "test@test.com", "test@example.com", "noemail@noemail.com", "no@email.com");
    public static final List<String> DEFAULT_BLOCKED_PATTERNS = List.of("^[0-]*$");

    /** Immutable first, then unique (email), possibly shared (phone, payment card, device), temporary last. */
    public static final List<IdentifierType> DEFAULT_PRIORITY = List.of(IdentifierType.LOYALTY_ID,
            IdentifierType.CHANNEL_CUSTOMER_ID, IdentifierType.EMAIL, IdentifierType.HASHED_EMAIL, IdentifierType.PHONE,
            IdentifierType.HASHED_PHONE, IdentifierType.PAYMENT_TOKEN, IdentifierType.DEVICE_ID, IdentifierType.CLICK_ID);

    public IdentityRules {
        blockedValues = blockedValues.stream().map(v -> v.strip().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        blockedPatterns = List.copyOf(blockedPatterns);
        EnumMap<IdentifierType, Integer> all = new EnumMap<>(IdentifierType.class);
        for (IdentifierType type : IdentifierType.values()) {
            all.put(type, defaultLimit(type));
        }
        limits.forEach((type, limit) -> {
            if (limit < 1) {
                throw new IllegalArgumentException("identity limit for " + type.wireName() + " must be at least 1, got " + limit);
            }
            all.put(type, limit);
        });
        limits = Map.copyOf(all);
        List<IdentifierType> order = new ArrayList<>(priority);
        if (order.size() != Set.copyOf(order).size()) {
            throw new IllegalArgumentException("identity priority lists a type twice: " + priority);
        }
        for (IdentifierType type : DEFAULT_PRIORITY) {
            if (!order.contains(type)) {
                order.add(type); // unlisted types rank after the listed ones, in the default order
            }
        }
        priority = List.copyOf(order);
        if (maxMergesPerProfile < 1 || maxIdentifiersPerProfile < 1) {
            throw new IllegalArgumentException("identity caps must be positive");
        }
        sharedTypes = sharedTypes == null ? DEFAULT_SHARED_TYPES : Set.copyOf(sharedTypes);
    }

    public static IdentityRules defaults() {
        return new IdentityRules(Set.copyOf(DEFAULT_BLOCKED_VALUES), compile(DEFAULT_BLOCKED_PATTERNS), Map.of(), DEFAULT_PRIORITY,
                100, 1000, false, DEFAULT_SHARED_TYPES);
    }

    private static final java.util.Map<Set<String>, Set<String>> EMAIL_HASHES = new java.util.concurrent.ConcurrentHashMap<>();

    /** SHA-256 hex of the blocked values that are emails, computed once per block list. */
    private static Set<String> blockedEmailHashes(Set<String> blocked) {
        return EMAIL_HASHES.computeIfAbsent(blocked, values -> values.stream().filter(v -> v.contains("@")).map(v -> {
            try {
                byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(v.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return java.util.HexFormat.of().formatHex(digest);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required of every JVM", e);
            }
        }).collect(Collectors.toUnmodifiableSet()));
    }

    public boolean shared(IdentifierType type) {
        return sharedTypes.contains(type);
    }

    /** Compiles patterns, naming the one that does not compile. */
    public static List<Pattern> compile(Collection<String> patterns) {
        List<Pattern> compiled = new ArrayList<>();
        for (String p : patterns) {
            try {
                compiled.add(Pattern.compile(p));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("blocked identity pattern '" + p + "' does not compile: " + e.getMessage(), e);
            }
        }
        return compiled;
    }

    /** Defaults after Segment's guidance: immutable ids 1, channel accounts a few, everything else 5. */
    private static int defaultLimit(IdentifierType type) {
        return switch (type) {
            case LOYALTY_ID -> 1;
            case CHANNEL_CUSTOMER_ID, PAYMENT_TOKEN -> 10;
            case CLICK_ID -> 100;
            default -> 5;
        };
    }

    public int limit(IdentifierType type) {
        return limits.get(type);
    }

    /** 0 = strongest. */
    public int rank(IdentifierType type) {
        return priority.indexOf(type);
    }

    /** Whether a normalized value is a placeholder that must link nobody. */
    public boolean isBlocked(Identifier identifier) {
        return blockedBecause(identifier).isPresent();
    }

    /**
     * Why a value (normalized, or as sent: placeholders are often not valid values of their type)
     * is a placeholder that must link nobody; empty when it is not one.
     */
    public java.util.Optional<String> blockedBecause(Identifier identifier) {
        String value = identifier.value();
        if (blockedValues.contains(value.toLowerCase(Locale.ROOT))) {
            return java.util.Optional.of("placeholder: '" + value + "' is on the blocked-values list");
        }
        if (identifier.type() == IdentifierType.HASHED_EMAIL && blockedEmailHashes(blockedValues).contains(value)) {
            // the SHA-256 of a blocked email (test@test.com) is as much a placeholder
            return java.util.Optional.of("placeholder: the SHA-256 of a blocked email");
        }
        // A channel customer id is also checked on its id part: shopify:my-shop:null or :0 link nobody.
        String idPart = null;
        if (identifier.type() == IdentifierType.CHANNEL_CUSTOMER_ID) {
            int second = value.indexOf(':', value.indexOf(':') + 1);
            idPart = second < 0 ? null : value.substring(second + 1);
            if (idPart != null && blockedValues.contains(idPart.toLowerCase(Locale.ROOT))) {
                return java.util.Optional.of("placeholder: id '" + idPart + "' is on the blocked-values list");
            }
        }
        // A phone is also checked on its digits: "(000) 000-0000" is the same placeholder as 0000000000.
        String digits = identifier.type() == IdentifierType.PHONE && PHONE_CHARACTERS.matcher(value).matches()
                ? NOT_A_DIGIT.matcher(value).replaceAll("") : null;
        // ...and on its national number: "+1 000 000 0000" keeps a country code but is the same placeholder
        if (digits != null && value.startsWith("+") && digits.endsWith("0") && nationalNumberIsZero(value)) {
            return java.util.Optional.of("placeholder: the national number after the country code is all zeros");
        }
        // Patterns are searched (find), so anchor them (^...$) to match whole values only.
        for (Pattern pattern : blockedPatterns) {
            if (pattern.matcher(value).find() || (idPart != null && pattern.matcher(idPart).find())
                    || (digits != null && !digits.isEmpty() && pattern.matcher(digits).find())) {
                return java.util.Optional.of("placeholder: matches the blocked pattern " + pattern.pattern());
            }
        }
        return java.util.Optional.empty();
    }

    private static final Pattern PHONE_CHARACTERS = Pattern.compile("^\\+?[0-9 ().\\-]+$");
    private static final Pattern NOT_A_DIGIT = Pattern.compile("[^0-9]");

    /**
     * Parsed with libphonenumber, which also strips a country's domestic prefix (+36 06 0000 0000
     * is zero too). Called only for numbers ending in 0: the national number is the tail of the
     * digits, so one of zero ends in 0, and nine in ten real numbers skip the parse.
     */
    private static boolean nationalNumberIsZero(String international) {
        try {
            return com.google.i18n.phonenumbers.PhoneNumberUtil.getInstance().parse(international, "ZZ").getNationalNumber() == 0;
        } catch (com.google.i18n.phonenumbers.NumberParseException notANumber) {
            return false;
        }
    }

    /**
     * The key an identifier is matched on: type and normalized value, with the gmail dot rule
     * applied only when configured as a matching rule.
     */
    public String matchKey(Identifier identifier) {
        String value = identifier.value();
        if (gmailDotInsensitive && identifier.type() == IdentifierType.EMAIL) {
            int at = value.indexOf('@');
            String domain = value.substring(at + 1);
            // googlemail.com is the same mailbox as gmail.com (Google's own alias)
            if (domain.equals("gmail.com") || domain.equals("googlemail.com")) {
                value = value.substring(0, at).replace(".", "") + "@gmail.com";
            }
        }
        return identifier.type().wireName() + ":" + value;
    }

    /**
     * What a second value competes with: the type, except for channel customer ids, where each
     * channel account is its own slot ({@code shopify:<shop>}): one person has one customer id per
     * shop but may have accounts in many shops.
     */
    public static String slot(String matchKey, IdentifierType type) {
        if (type == IdentifierType.CHANNEL_CUSTOMER_ID && RelayEmails.isRelayKey(matchKey)) {
            // a relay address is unique per buyer and shop, and the shop is not in it: each is its own slot
            return matchKey;
        }
        if (type == IdentifierType.CHANNEL_CUSTOMER_ID) {
            // channel_customer_id:<channel>:<account>:<id> -> up to the account (an id may contain ':')
            int channelEnd = matchKey.indexOf(':', matchKey.indexOf(':') + 1);
            int accountEnd = channelEnd < 0 ? -1 : matchKey.indexOf(':', channelEnd + 1);
            if (accountEnd > 0) {
                return matchKey.substring(0, accountEnd);
            }
        }
        return type.wireName();
    }

    @Override
    public String toString() {
        return "IdentityRules[limits=" + new TreeSet<>(limits.entrySet().stream().map(e -> e.getKey().wireName() + "=" + e.getValue())
                .toList()) + ", priority=" + priority + ", maxMerges=" + maxMergesPerProfile + "]";
    }
}
