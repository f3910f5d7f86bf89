package dev.unison.connectors.tiktok;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import java.util.Optional;

/**
 * A TikTok Shop webhook notification: {@code {type, tts_notification_id, shop_id, timestamp, data}}
 * (TikTok Shop partner docs, "Webhooks"; types 1 ORDER_STATUS_CHANGE, 5 PRODUCT_STATUS_CHANGE,
 * 6 SELLER_DEAUTHORIZATION, 11 CANCELLATION_STATUS_CHANGE, 12 RETURN_STATUS_CHANGE,
 * 15 PRODUCT_INFORMATION_CHANGE). Notifications carry ids and statuses only; the order itself is
 * fetched with Get Order Detail.
 */
public record TikTokWebhook(int type, String notificationId, String shopId, long timestamp, JsonNode data) {

    public static final int ORDER_STATUS_CHANGE = 1;
    public static final int PRODUCT_STATUS_CHANGE = 5;
    public static final int SELLER_DEAUTHORIZATION = 6;
    public static final int CANCELLATION_STATUS_CHANGE = 11;
    public static final int RETURN_STATUS_CHANGE = 12;
    public static final int PRODUCT_INFORMATION_CHANGE = 15;
    public static final int PRODUCT_CREATION = 16;

    /** Parses a notification body; {@link IllegalArgumentException} names what is missing. */
    public static TikTokWebhook parse(byte[] body) {
        JsonNode json = CanonicalJson.parse(body);
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("a notification is a JSON object");
        }
        if (!json.path("type").canConvertToInt()) {
            throw new IllegalArgumentException("type: required integer");
        }
        if (!json.hasNonNull("shop_id")) {
            throw new IllegalArgumentException("shop_id: required");
        }
        return new TikTokWebhook(json.get("type").asInt(), json.path("tts_notification_id").asText(null),
                json.get("shop_id").asText(), json.path("timestamp").asLong(), json.path("data"));
    }

    /**
     * The idempotency key: {@code tts_notification_id} when present; otherwise type, shop,
     * timestamp and the data itself (older notifications carry no id).
     */
    public String dedupeKey() {
        if (notificationId != null && !notificationId.isBlank()) {
            return "notification:" + notificationId;
        }
        return "derived:" + type + ":" + shopId + ":" + timestamp + ":"
                + sha256Hex(CanonicalJson.write(data)).substring(0, 32);
    }

    public Optional<String> orderId() {
        return data.hasNonNull("order_id") ? Optional.of(data.get("order_id").asText()) : Optional.empty();
    }

    private static String sha256Hex(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Optional<String> productId() {
        return data.hasNonNull("product_id") ? Optional.of(data.get("product_id").asText()) : Optional.empty();
    }
}
