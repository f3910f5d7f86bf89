package dev.unison.connectors.square;

/**
 * Headers of Square's webhook notifications and API calls (Square Developer docs: "Subscribe to
 * event notifications" lists the notification headers; "Square API versions" the Square-Version
 * header; "Access tokens": {@code Authorization: Bearer}).
 */
public final class SquareHeaders {
    /** Base64 HMAC-SHA256 of notification URL + raw body, keyed with the subscription's signature key. */
    public static final String SIGNATURE = "x-square-hmacsha256-signature";
    /** Production or Sandbox. */
    public static final String ENVIRONMENT = "square-environment";
    /** When Square first tried this notification (the same on every retry). */
    public static final String INITIAL_DELIVERY_TIMESTAMP = "square-initial-delivery-timestamp";
    public static final String RETRY_NUMBER = "square-retry-number";
    public static final String RETRY_REASON = "square-retry-reason";
    public static final String VERSION = "Square-Version";

    private SquareHeaders() {
    }
}
