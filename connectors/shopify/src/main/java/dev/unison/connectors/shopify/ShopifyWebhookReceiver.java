package dev.unison.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.http.Signatures;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.spi.Inbox;
import dev.unison.connectors.kit.webhook.WebhookDoor;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * {@code POST /webhooks/shopify/{connectionId}}: checks a delivery and persists it, then answers
 * 200 at once (Shopify waits 5 s at most, then retries 8 times over 4 h — shopify.dev, "Webhooks
 * best practices"); 503 with {@code Retry-After} when the hub is too far behind to store it now. Checks, in this order, so that nothing unverified is parsed or stored:
 * known connection (404), size (413), {@code X-Shopify-Hmac-Sha256} = base64 HMAC-SHA256 of the
 * raw body with the app secret, compared in constant time (401; shopify.dev "Verify webhooks"),
 * shop domain (401), required headers and a known topic (400), well-formed JSON object (400).
 * The dedupe key is {@code X-Shopify-Event-Id} (the same for every copy of one event), falling back
 * to {@code X-Shopify-Webhook-Id} (shopify.dev "Ignore duplicate webhooks").
 */
final class ShopifyWebhookReceiver implements Processor {

    private static final List<String> KEPT_HEADERS = List.of(ShopifyHeaders.TOPIC, ShopifyHeaders.SHOP_DOMAIN,
            ShopifyHeaders.API_VERSION, ShopifyHeaders.WEBHOOK_ID, ShopifyHeaders.EVENT_ID, ShopifyHeaders.TRIGGERED_AT);

    private final ConnectorContext context;
    private final Clock clock;

    ShopifyWebhookReceiver(ConnectorContext context, Clock clock) {
        this.context = context;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        String connectionId = exchange.getIn().getHeader("connectionId", String.class);
        Optional<Connection> found = context.connection(connectionId)
                .filter(c -> c.connector().name().equals(ShopifyConnector.NAME) && c.enabled());
        if (found.isEmpty()) {
            answer(exchange, 404, "not_found", "no enabled Shopify connection '" + connectionId + "'");
            return;
        }
        Connection connection = found.get();
        String outcome = receive(exchange, connection, connectionId);
        context.metrics().count(connectionId, "webhook", outcome);
    }

    /** Checks and stores one delivery; returns the outcome for the connection's metrics. */
    private String receive(Exchange exchange, Connection connection, String connectionId) {
        Optional<byte[]> bounded = WebhookDoor.boundedBody(exchange);
        if (bounded.isEmpty()) {
            return "rejected_request";
        }
        byte[] body = bounded.get();
        String hmac = header(exchange, ShopifyHeaders.HMAC);
        if (!Signatures.verifyBase64(connection.requireSecret("webhookSecret").reveal(), body, hmac)) {
            answer(exchange, 401, "invalid_signature",
                    ShopifyHeaders.HMAC + " is missing or is not the HMAC-SHA256 of the body with this connection's secret");
            return "rejected_signature";
        }
        String shopDomain = header(exchange, ShopifyHeaders.SHOP_DOMAIN);
        String ours = ShopifySettings.of(connection).shopDomain();
        if (shopDomain != null && !shopDomain.equals(ours)) {
            answer(exchange, 401, "wrong_shop", "delivery is from " + shopDomain + ", this connection is for " + ours);
            return "rejected_signature";
        }
        String topic = header(exchange, ShopifyHeaders.TOPIC);
        if (topic == null || ShopifyTopic.of(topic).isEmpty()) {
            answer(exchange, 400, "unknown_topic", "topic '" + topic + "' is not one this connector accepts");
            return "rejected_request";
        }
        String webhookId = header(exchange, ShopifyHeaders.WEBHOOK_ID);
        if (webhookId == null || webhookId.isBlank()) {
            answer(exchange, 400, "bad_request", ShopifyHeaders.WEBHOOK_ID + " is required");
            return "rejected_request";
        }
        JsonNode json;
        try {
            json = CanonicalJson.parse(body);
        } catch (IllegalArgumentException e) {
            answer(exchange, 400, "malformed_json", e.getMessage());
            return "rejected_request";
        }
        if (json == null || !json.isObject()) {
            answer(exchange, 400, "malformed_json", "the body must be a JSON object");
            return "rejected_request";
        }
        String eventId = header(exchange, ShopifyHeaders.EVENT_ID);
        String dedupeKey = eventId != null && !eventId.isBlank() ? "event:" + eventId : "webhook:" + webhookId;
        Map<String, String> kept = new LinkedHashMap<>();
        for (String name : KEPT_HEADERS) {
            String value = header(exchange, name);
            if (value != null) {
                kept.put(name, value);
            }
        }
        Optional<Inbox.Result> result = WebhookDoor.store(exchange, context.inbox(), new InboundDelivery(connectionId,
                ShopifyConnector.NAME, topic, dedupeKey, kept, body, clock.instant()));
        if (result.isEmpty()) {
            return "overloaded";
        }
        String status = result.get() == Inbox.Result.ACCEPTED ? "accepted" : "duplicate";
        answer(exchange, 200, null, status);
        return status;
    }

    private static String header(Exchange exchange, String name) {
        return WebhookDoor.header(exchange, name);
    }

    private static void answer(Exchange exchange, int status, String error, String detail) {
        WebhookDoor.answer(exchange, status, error, detail);
    }
}
