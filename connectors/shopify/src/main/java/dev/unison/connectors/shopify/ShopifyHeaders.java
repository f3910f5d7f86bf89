package dev.unison.connectors.shopify;

/**
 * Webhook and Admin API headers, as named in Shopify's own client library
 * (Shopify/shopify-app-js, {@code ShopifyHeader}) and shopify.dev "Verify webhooks".
 */
public final class ShopifyHeaders {
    public static final String HMAC = "X-Shopify-Hmac-Sha256";
    public static final String TOPIC = "X-Shopify-Topic";
    public static final String SHOP_DOMAIN = "X-Shopify-Shop-Domain";
    public static final String API_VERSION = "X-Shopify-API-Version";
    public static final String WEBHOOK_ID = "X-Shopify-Webhook-Id";
    public static final String EVENT_ID = "X-Shopify-Event-Id";
    public static final String TRIGGERED_AT = "X-Shopify-Triggered-At";
    public static final String ACCESS_TOKEN = "X-Shopify-Access-Token";
    public static final String CALL_LIMIT = "X-Shopify-Shop-Api-Call-Limit";

    private ShopifyHeaders() {
    }
}
