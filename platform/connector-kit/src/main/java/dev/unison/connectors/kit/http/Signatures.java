package dev.unison.connectors.kit.http;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 signing and constant-time verification, the building block of webhook signatures
 * (Shopify: base64 of the raw body's HMAC; TikTok Shop and others: lowercase hex). Comparison goes
 * through {@link MessageDigest#isEqual}, whose time does not depend on where the inputs differ.
 */
public final class Signatures {

    private Signatures() {
    }

    public static byte[] hmacSha256(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    public static String hmacSha256Base64(String key, byte[] message) {
        return Base64.getEncoder().encodeToString(hmacSha256(key.getBytes(StandardCharsets.UTF_8), message));
    }

    public static String hmacSha256Hex(String key, byte[] message) {
        return HexFormat.of().formatHex(hmacSha256(key.getBytes(StandardCharsets.UTF_8), message));
    }

    /** True when {@code presented} is the base64 HMAC-SHA256 of {@code message}; false for null or garbage. */
    public static boolean verifyBase64(String key, byte[] message, String presented) {
        if (presented == null || presented.isBlank()) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(presented.trim());
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        return MessageDigest.isEqual(hmacSha256(key.getBytes(StandardCharsets.UTF_8), message), given);
    }

    /** True when {@code presented} is the hex HMAC-SHA256 of {@code message} (either case). */
    public static boolean verifyHex(String key, byte[] message, String presented) {
        if (presented == null || presented.isBlank()) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(presented.trim().toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException notHex) {
            return false;
        }
        return MessageDigest.isEqual(hmacSha256(key.getBytes(StandardCharsets.UTF_8), message), given);
    }
}
