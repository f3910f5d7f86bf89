package dev.unison.connectors.kit.identity;

import dev.unison.canonical.model.Identifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Derives each advertising destination's hashed match key from a hub identifier, at send time.
 *
 * <p>Why here and not at ingest: the hub keeps <em>one</em> normalized value per identifier for
 * matching (email trimmed + lowercased, phone E.164 with {@code +}) and derives destination variants
 * only at egress. The platforms disagree with each other (Meta and Snap hash the phone without
 * {@code +}, Google and UID2 with it; UID2 wants Base64 instead of hex), so no single stored hash can
 * serve all of them. The Gmail dot and {@code +tag} rules are match-rate tricks for one platform
 * each (Google: dots for gmail/googlemail; UID2: dots and {@code +tag} for gmail.com only); they are
 * never identity-merge rules, so they must not leak back into how the hub resolves profiles.
 *
 * <p>Input must already be normalized by the hub. An EMAIL that still has uppercase letters or
 * surrounding whitespace, or a PHONE that is not {@code ^\+[1-9][0-9]{6,14}$}, is rejected with an
 * {@link IllegalArgumentException} rather than hashed silently: a hash of a non-normalized value is
 * valid-looking garbage that just lowers match rates. Messages never echo the identifier value.
 */
public final class DestinationHashing {

    /** E.164: {@code +}, a non-zero leading digit, at most 15 digits in all. */
    private static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{6,14}$");
    private static final Pattern SHA256_HEX = Pattern.compile("^[0-9a-f]{64}$");
    /** Characters Amazon's email normalization removes (everything outside {@code [a-z0-9.@+-]}). */
    private static final Pattern AMAZON_EMAIL_DISALLOWED = Pattern.compile("[^a-z0-9.@+-]");
    private static final HexFormat HEX = HexFormat.of();

    private DestinationHashing() {
    }

    /**
     * The destination's match-key form of {@code id}, or empty when the destination takes no such
     * key from this identifier type.
     *
     * <ul>
     *   <li>EMAIL and PHONE: the destination's normalization variant, SHA-256, lowercase hex
     *       (Base64 of the raw digest for {@link Destination#UID2}); {@link Destination#X} has no
     *       phone key.</li>
     *   <li>HASHED_EMAIL (SHA-256 hex of the hub-normalized email): passed through for the hex
     *       destinations; converted hex → Base64 of the same 32 bytes for UID2. Destination-specific
     *       Gmail rules cannot be applied to an already-hashed value.</li>
     *   <li>HASHED_PHONE and every other type (loyalty id, device id, payment token, channel
     *       customer id, click id): empty. A stored phone hash does not say whether it was taken with
     *       or without the {@code +}, so it cannot be forwarded safely.</li>
     * </ul>
     *
     * @throws IllegalArgumentException if an EMAIL, PHONE or HASHED_EMAIL value is not in the hub's
     *     normalized form
     */
    public static Optional<String> hashedForm(Destination d, Identifier id) {
        Objects.requireNonNull(d, "destination");
        Objects.requireNonNull(id, "identifier");
        return switch (id.type()) {
            case EMAIL -> email(d, requireNormalizedEmail(id.value()));
            case PHONE -> phone(d, requireE164(id.value()));
            case HASHED_EMAIL -> Optional.of(hashedEmail(d, requireSha256Hex(id.value())));
            default -> Optional.empty();
        };
    }

    /** Lowercase hex SHA-256 of the UTF-8 bytes of {@code value}. */
    public static String sha256Hex(String value) {
        return HEX.formatHex(sha256(value));
    }

    /** Standard Base64 (with padding, 44 characters) of the raw 32-byte SHA-256 of {@code value}. */
    public static String sha256Base64(String value) {
        return Base64.getEncoder().encodeToString(sha256(value));
    }

    private static Optional<String> email(Destination d, String email) {
        return switch (d) {
            case META, TIKTOK, SNAP, X -> Optional.of(sha256Hex(email));
            case GOOGLE -> Optional.of(sha256Hex(googleEmail(email)));
            case UID2 -> Optional.of(sha256Base64(uid2Email(email)));
            case AMAZON -> Optional.of(sha256Hex(amazonEmail(email)));
        };
    }

    private static Optional<String> phone(Destination d, String e164) {
        return switch (d) {
            case GOOGLE, TIKTOK -> Optional.of(sha256Hex(e164));
            case UID2 -> Optional.of(sha256Base64(e164));
            // E.164 has no leading zeros after the country code, so digits-only is dropping the '+'.
            case META, SNAP, AMAZON -> Optional.of(sha256Hex(e164.substring(1)));
            case X -> Optional.empty();
        };
    }

    private static String hashedEmail(Destination d, String sha256Hex) {
        return d == Destination.UID2
                ? Base64.getEncoder().encodeToString(HEX.parseHex(sha256Hex))
                : sha256Hex;
    }

    /** Google: remove every '.' in the local part of gmail.com / googlemail.com; keep '+tags'. */
    static String googleEmail(String email) {
        int at = email.lastIndexOf('@');
        String domain = email.substring(at + 1);
        if (!domain.equals("gmail.com") && !domain.equals("googlemail.com")) {
            return email;
        }
        return email.substring(0, at).replace(".", "") + "@" + domain;
    }

    /** UID2: for gmail.com only, remove every '.' and a '+' with everything after it in the local part. */
    static String uid2Email(String email) {
        int at = email.lastIndexOf('@');
        String domain = email.substring(at + 1);
        if (!domain.equals("gmail.com")) {
            return email;
        }
        String local = email.substring(0, at);
        int plus = local.indexOf('+');
        if (plus >= 0) {
            local = local.substring(0, plus);
        }
        return local.replace(".", "") + "@" + domain;
    }

    /** Amazon: lowercase, remove every character outside [a-z0-9.@+-], trim. */
    static String amazonEmail(String email) {
        return AMAZON_EMAIL_DISALLOWED.matcher(email.toLowerCase(Locale.ROOT)).replaceAll("").strip();
    }

    private static String requireNormalizedEmail(String value) {
        if (!value.equals(value.strip())) {
            throw new IllegalArgumentException(
                    "EMAIL identifier is not normalized: it has leading or trailing whitespace (trim it before egress)");
        }
        if (!value.equals(value.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(
                    "EMAIL identifier is not normalized: it contains uppercase characters (lowercase it before egress)");
        }
        int at = value.lastIndexOf('@');
        if (at <= 0 || at == value.length() - 1) {
            throw new IllegalArgumentException(
                    "EMAIL identifier is not an email address: expected <local>@<domain>");
        }
        return value;
    }

    private static String requireE164(String value) {
        if (!E164.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "PHONE identifier is not normalized E.164: expected '+' followed by 7 to 15 digits, "
                            + "no spaces or punctuation, first digit not 0 (e.g. +14155550100)");
        }
        return value;
    }

    private static String requireSha256Hex(String value) {
        if (!SHA256_HEX.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "HASHED_EMAIL identifier is not a SHA-256 digest in lowercase hex (64 characters [0-9a-f])");
        }
        return value;
    }

    private static byte[] sha256(String value) {
        Objects.requireNonNull(value, "value");
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            // every Java platform is required to provide SHA-256
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
