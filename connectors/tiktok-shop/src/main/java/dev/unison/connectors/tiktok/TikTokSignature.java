package dev.unison.connectors.tiktok;

import dev.unison.connectors.kit.http.Signatures;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * TikTok Shop Open API request signature (API 202309+), as TikTok's partner documentation
 * "Sign your API request" defines it and its client libraries implement it (e.g. the .NET SKIT
 * client's {@code TikTokShopRequestSigningInterceptor}):
 *
 * <ol>
 *   <li>take the query parameters except {@code sign} and {@code access_token}, dropping empty values;</li>
 *   <li>sort them by key (ordinal) and concatenate as {@code key1value1key2value2...};</li>
 *   <li>prefix the request path (no host), e.g. {@code /product/202309/products/1/inventory/update};</li>
 *   <li>for a non-GET, non-multipart request append the raw body;</li>
 *   <li>wrap in the app secret: {@code secret + input + secret};</li>
 *   <li>{@code sign} = lowercase hex HMAC-SHA256 of that, keyed with the app secret.</li>
 * </ol>
 * The {@code x-tts-access-token} header is not signed.
 */
public final class TikTokSignature {

    private TikTokSignature() {
    }

    public static String sign(String appSecret, String method, String path, Map<String, String> query, String body) {
        StringBuilder input = new StringBuilder(path);
        new TreeMap<>(query).forEach((key, value) -> {
            if (!key.equals("sign") && !key.equals("access_token") && value != null && !value.isEmpty()) {
                input.append(key).append(value);
            }
        });
        if (!"GET".equalsIgnoreCase(method) && body != null) {
            input.append(body);
        }
        String wrapped = appSecret + input + appSecret;
        return Signatures.hmacSha256Hex(appSecret, wrapped.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Webhook signature: the {@code Authorization} header is the lowercase hex HMAC-SHA256 of
     * {@code app_key + raw body}, keyed with the app secret (TikTok Shop partner docs, "Webhooks").
     */
    public static String webhookSignature(String appKey, String appSecret, byte[] body) {
        return Signatures.hmacSha256Hex(appSecret, keyThenBody(appKey, body));
    }

    /** Constant-time check of a webhook's {@code Authorization} header. */
    public static boolean verifyWebhook(String appKey, String appSecret, byte[] body, String authorization) {
        return Signatures.verifyHex(appSecret, keyThenBody(appKey, body), authorization);
    }

    private static byte[] keyThenBody(String appKey, byte[] body) {
        byte[] key = appKey.getBytes(StandardCharsets.UTF_8);
        byte[] message = java.util.Arrays.copyOf(key, key.length + body.length);
        System.arraycopy(body, 0, message, key.length, body.length);
        return message;
    }
}
