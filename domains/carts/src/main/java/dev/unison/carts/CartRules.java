package dev.unison.carts;

import dev.unison.canonical.model.CartLine;
import dev.unison.canonical.model.CartStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** The carts domain's small rules, kept apart so they are tested without a database. */
final class CartRules {

    /** Cart ids: what a path segment, a reservation id and a POS transaction can all carry. */
    static final Pattern CART_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private CartRules() {
    }

    /** The API's name of a state: a cart bought by an order is {@code converted} (canonical {@code checked_out}). */
    static String apiStatus(CartStatus status) {
        return status == CartStatus.CHECKED_OUT ? "converted" : status.wireName();
    }

    static CartStatus canonicalStatus(String apiStatus) {
        return "converted".equals(apiStatus) ? CartStatus.CHECKED_OUT : CartStatus.fromWireName(apiStatus);
    }

    /** The same sku twice is one line of both quantities (the first line's price). */
    static List<CartLine> mergeLines(List<CartLine> lines) {
        Map<String, CartLine> bySku = new LinkedHashMap<>();
        for (CartLine line : lines) {
            bySku.merge(line.sku(), line, (a, b) -> new CartLine(a.sku(), a.quantity() + b.quantity(),
                    a.unitPrice() != null ? a.unitPrice() : b.unitPrice()));
        }
        return new ArrayList<>(bySku.values());
    }

    /** A QR token: 24 random bytes, URL-safe; only its hash is stored. */
    static String newToken() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a caller without {@code pii:read} sees of an email or phone ({@code j***@example.com}, {@code +1*******00}). */
    static String mask(String type, String value) {
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "email" -> {
                int at = value.lastIndexOf('@');
                yield at <= 0 ? "***" : value.charAt(0) + "***" + value.substring(at);
            }
            case "phone" -> {
                int keep = Math.min(2, Math.max(0, value.length() - 4));
                String prefix = value.startsWith("+") && value.length() > 2 ? value.substring(0, 2) : "";
                yield prefix + "*".repeat(Math.max(0, value.length() - prefix.length() - keep)) + value.substring(value.length() - keep);
            }
            default -> value;
        };
    }
}
