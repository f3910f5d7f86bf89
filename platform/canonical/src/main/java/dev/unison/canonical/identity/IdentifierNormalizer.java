package dev.unison.canonical.identity;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Turns an identifier as a system sent it into the one canonical value the hub stores and
 * matches on: email trimmed and lower-cased (an address at a relay domain becomes a channel
 * identifier, {@link RelayEmails}), phone in E.164 (libphonenumber, with a default
 * region for national formats), device ids lower-cased, hashed emails as 64-char lowercase hex.
 * Destination-specific variants (Meta's digits-only phone, Google's gmail dots, UID2's base64)
 * are derived only at send time and never stored.
 */
public final class IdentifierNormalizer {

    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
    private static final Pattern SHA256_HEX = Pattern.compile("^[0-9a-f]{64}$");
    private static final Pattern CHANNEL_CUSTOMER_ID = Pattern.compile("^[a-z0-9][a-z0-9-]*:[^:\\s]+:\\S+$");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final int MAX_LENGTH = 512;
    private static final Pattern PHONE_PUNCTUATION_ONLY = Pattern.compile("^\\+?[0-9 ().\\-]+$");
    private static final Pattern NON_DIGITS = Pattern.compile("[^0-9]");

    /** Parsing with libphonenumber costs ~10 µs; the same shopper's number comes back often. Cleared when full. */
    private static final int PHONE_CACHE_SIZE = 100_000;

    private final PhoneNumberUtil phones = PhoneNumberUtil.getInstance();
    private final String defaultRegion;
    private final RelayEmails relays;
    private final ConcurrentHashMap<String, String> phoneCache = new ConcurrentHashMap<>();

    /** @param defaultRegion ISO 3166 region used for phone numbers written without a country code, e.g. {@code US} */
    public IdentifierNormalizer(String defaultRegion) {
        this(defaultRegion, RelayEmails.defaults());
    }

    /**
     * @param relays email domains whose addresses are channel identifiers, not emails
     *        ({@link RelayEmails}): an {@code email} at one normalizes to a {@code channel_customer_id}
     */
    public IdentifierNormalizer(String defaultRegion, RelayEmails relays) {
        Objects.requireNonNull(defaultRegion, "defaultRegion");
        this.relays = Objects.requireNonNull(relays, "relays");
        if (!phones.getSupportedRegions().contains(defaultRegion.toUpperCase(Locale.ROOT))) {
            throw new IllegalArgumentException("unknown phone region '" + defaultRegion + "' (use an ISO 3166 code such as US or GB)");
        }
        this.defaultRegion = defaultRegion.toUpperCase(Locale.ROOT);
    }

    public String defaultRegion() {
        return defaultRegion;
    }

    public RelayEmails relays() {
        return relays;
    }

    /**
     * The normalized identifier.
     *
     * @throws InvalidIdentifierException naming the type and why, when the value cannot be an identifier of that type
     */
    public Identifier normalize(IdentifierType type, String raw) {
        if (raw == null || raw.isBlank()) {
            throw new InvalidIdentifierException(type, raw, "is empty");
        }
        String value = raw.strip();
        if (value.length() > MAX_LENGTH) {
            throw new InvalidIdentifierException(type, raw, "is longer than " + MAX_LENGTH + " characters");
        }
        String normalized = switch (type) {
            case EMAIL -> email(value);
            case PHONE -> phone(value, raw);
            case HASHED_EMAIL, HASHED_PHONE -> sha256Hex(type, value);
            // Advertising ids (IDFA, GAID) and app instance ids are UUID-like and case-insensitive.
            case DEVICE_ID -> value.toLowerCase(Locale.ROOT);
            // Loyalty numbers are read off cards and typed at tills: case and inner spaces carry no meaning.
            case LOYALTY_ID -> WHITESPACE.matcher(value).replaceAll("").toUpperCase(Locale.ROOT);
            case CHANNEL_CUSTOMER_ID -> channelCustomerId(value);
            // Tokens and click ids are opaque and case-sensitive.
            case PAYMENT_TOKEN, CLICK_ID -> value;
        };
        if (normalized.length() > MAX_LENGTH) { // case mapping can lengthen a value (e.g. 'İ' lower-cases to two chars)
            throw new InvalidIdentifierException(type, raw, "is longer than " + MAX_LENGTH + " characters once normalized");
        }
        if (type == IdentifierType.EMAIL) {
            // a marketplace's relay address names a buyer in one shop, not a mailbox (RelayEmails)
            Optional<Identifier> relay = relays.channelIdentifier(normalized);
            if (relay.isPresent()) {
                return relay.get();
            }
        }
        return new Identifier(type, normalized);
    }

    public Identifier normalize(Identifier identifier) {
        return normalize(identifier.type(), identifier.value());
    }

    private static String email(String value) {
        String email = value.toLowerCase(Locale.ROOT);
        if (!EMAIL.matcher(email).matches()) {
            throw new InvalidIdentifierException(IdentifierType.EMAIL, value, "is not an email address (local@domain.tld)");
        }
        return email;
    }

    private String phone(String value, String raw) {
        // Only digits and a leading + carry meaning in a number written with punctuation alone, so
        // "(415) 555-0100" and "415.555.0100" share one cache entry; letters (vanity numbers,
        // extensions) always go to the parser.
        String key = PHONE_PUNCTUATION_ONLY.matcher(value).matches()
                ? (value.startsWith("+") ? "+" : "") + NON_DIGITS.matcher(value).replaceAll("") : null;
        String cached = key == null ? null : phoneCache.get(key);
        if (cached != null) {
            return cached;
        }
        String e164 = parsePhone(value, raw);
        if (key != null) {
            if (phoneCache.size() >= PHONE_CACHE_SIZE) {
                phoneCache.clear();
            }
            phoneCache.put(key, e164);
        }
        return e164;
    }

    private String parsePhone(String value, String raw) {
        PhoneNumber number;
        try {
            number = phones.parse(value, defaultRegion);
        } catch (NumberParseException e) {
            throw new InvalidIdentifierException(IdentifierType.PHONE, raw, "is not a phone number (" + e.getErrorType() + ")");
        }
        if (!phones.isValidNumber(number)) {
            String region = phones.getRegionCodeForNumber(number);
            throw new InvalidIdentifierException(IdentifierType.PHONE, raw, "is not a valid phone number"
                    + (region == null ? "" : " in region " + region) + " (numbers without a country code are read as "
                    + defaultRegion + ")");
        }
        return phones.format(number, PhoneNumberUtil.PhoneNumberFormat.E164);
    }

    private static String sha256Hex(IdentifierType type, String value) {
        String hex = value.toLowerCase(Locale.ROOT);
        if (!SHA256_HEX.matcher(hex).matches()) {
            throw new InvalidIdentifierException(type, value, "is not a SHA-256 hex digest (64 hex characters)");
        }
        return hex;
    }

    private static String channelCustomerId(String value) {
        // channel and account (a shop domain or id) are case-insensitive; the id inside the shop is kept as given
        int colon = value.indexOf(':');
        int second = colon < 0 ? -1 : value.indexOf(':', colon + 1);
        String normalized = second < 0 ? value
                : value.substring(0, second).toLowerCase(Locale.ROOT) + value.substring(second);
        if (!CHANNEL_CUSTOMER_ID.matcher(normalized).matches()) {
            throw new InvalidIdentifierException(IdentifierType.CHANNEL_CUSTOMER_ID, value,
                    "must be <channel>:<account>:<id>, e.g. shopify:my-shop:123");
        }
        return normalized;
    }

    /** An identifier value that cannot be normalized; the message names the type and the reason. */
    public static final class InvalidIdentifierException extends IllegalArgumentException {
        private final IdentifierType type;

        public InvalidIdentifierException(IdentifierType type, String raw, String reason) {
            super(type.wireName() + " '" + (raw == null ? "" : abbreviate(raw)) + "' " + reason);
            this.type = type;
        }

        public IdentifierType type() {
            return type;
        }

        private static String abbreviate(String raw) {
            return raw.length() <= 80 ? raw : raw.substring(0, 77) + "...";
        }
    }
}
