package dev.unison.connectors.square;

import dev.unison.connectors.kit.http.Signatures;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Square's notification signature (Square Developer docs: "Validate webhook notifications"):
 * {@code x-square-hmacsha256-signature} = Base64(HMAC-SHA256(key = the subscription's signature
 * key, message = notification URL + raw body)). The URL is the one configured in the subscription,
 * not the address the request reached: behind a proxy they differ, and only the configured one
 * verifies. Verified on the raw bytes (never re-serialised JSON) and compared in constant time.
 */
public final class SquareSignature {

    private SquareSignature() {
    }

    /** The signature Square sends for {@code body} posted to the subscription at {@code notificationUrl}. */
    public static String sign(String signatureKey, String notificationUrl, byte[] body) {
        return Signatures.hmacSha256Base64(signatureKey, message(notificationUrl, body));
    }

    /** True when {@code presented} is Square's signature of {@code body} for this key and URL; false when missing or garbage. */
    public static boolean verify(String signatureKey, String notificationUrl, byte[] body, String presented) {
        return Signatures.verifyBase64(signatureKey, message(notificationUrl, body), presented);
    }

    private static byte[] message(String notificationUrl, byte[] body) {
        ByteArrayOutputStream message = new ByteArrayOutputStream(notificationUrl.length() + body.length);
        message.writeBytes(notificationUrl.getBytes(StandardCharsets.UTF_8));
        message.writeBytes(body);
        return message.toByteArray();
    }
}
