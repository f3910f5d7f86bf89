package dev.unison.connectors.square;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.config.Connection;
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
 * {@code POST /webhooks/square/{connectionId}}: checks a notification and persists it, then answers
 * 200 at once (Square Developer docs, "Troubleshoot webhooks": a notification must be answered 2xx
 * promptly, within 10 seconds ("Inventory API webhooks"), or it is retried for up to 24 hours); 503
 * with {@code Retry-After} when the hub is too far
 * behind to store it now. Checks, in this order, so that nothing unverified is parsed or stored:
 * known connection (404), size (413), {@code x-square-hmacsha256-signature} against the configured
 * notification URL + raw body, constant time (401; "Validate webhook notifications"), an envelope
 * with {@code event_id}, {@code type} and {@code merchant_id} (400), the connection's merchant
 * (401). The dedupe key is {@code event_id} (the same on every retry of one event; Square
 * Developer docs, "Webhooks: what it does": event_id is the idempotency value to skip repeats).
 */
final class SquareWebhookReceiver implements Processor {

    private static final List<String> KEPT_HEADERS = List.of(SquareHeaders.ENVIRONMENT,
            SquareHeaders.INITIAL_DELIVERY_TIMESTAMP, SquareHeaders.RETRY_NUMBER, SquareHeaders.RETRY_REASON);

    private final ConnectorContext context;
    private final Clock clock;

    SquareWebhookReceiver(ConnectorContext context, Clock clock) {
        this.context = context;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        String connectionId = exchange.getIn().getHeader("connectionId", String.class);
        Optional<Connection> found = context.connection(connectionId)
                .filter(c -> c.connector().name().equals(SquareConnector.NAME) && c.enabled());
        if (found.isEmpty()) {
            WebhookDoor.answer(exchange, 404, "not_found", "no enabled Square connection '" + connectionId + "'");
            return;
        }
        context.metrics().count(connectionId, "webhook", receive(exchange, found.get()));
    }

    /** Checks and stores one notification; returns the outcome for the connection's metrics. */
    private String receive(Exchange exchange, Connection connection) {
        Optional<byte[]> bounded = WebhookDoor.boundedBody(exchange);
        if (bounded.isEmpty()) {
            return "rejected_request";
        }
        byte[] body = bounded.get();
        SquareSettings settings = SquareSettings.of(connection);
        if (!SquareSignature.verify(connection.requireSecret("signatureKey").reveal(), settings.notificationUrl(), body,
                WebhookDoor.header(exchange, SquareHeaders.SIGNATURE))) {
            WebhookDoor.answer(exchange, 401, "invalid_signature", SquareHeaders.SIGNATURE + " is missing or is not the "
                    + "HMAC-SHA256 of this connection's notificationUrl + body with its signature key");
            return "rejected_signature";
        }
        JsonNode envelope;
        try {
            envelope = CanonicalJson.parse(body);
        } catch (IllegalArgumentException e) {
            WebhookDoor.answer(exchange, 400, "malformed_json", e.getMessage());
            return "rejected_request";
        }
        if (envelope == null || !envelope.isObject()) {
            WebhookDoor.answer(exchange, 400, "malformed_json", "the body must be a JSON object");
            return "rejected_request";
        }
        String eventId = text(envelope, "event_id");
        String type = text(envelope, "type");
        String merchantId = text(envelope, "merchant_id");
        if (eventId == null || type == null || merchantId == null) {
            WebhookDoor.answer(exchange, 400, "bad_request", "a notification has event_id, type and merchant_id");
            return "rejected_request";
        }
        if (!merchantId.equals(settings.merchantId())) {
            WebhookDoor.answer(exchange, 401, "wrong_merchant", "notification is for merchant " + merchantId
                    + ", this connection is for merchant " + settings.merchantId());
            return "rejected_signature";
        }
        Map<String, String> kept = new LinkedHashMap<>();
        for (String name : KEPT_HEADERS) {
            String value = WebhookDoor.header(exchange, name);
            if (value != null) {
                kept.put(name, value);
            }
        }
        Optional<Inbox.Result> stored = WebhookDoor.store(exchange, context.inbox(), new InboundDelivery(connection.id(),
                SquareConnector.NAME, type, "event:" + eventId, kept, body, clock.instant()));
        if (stored.isEmpty()) {
            return "overloaded"; // answered 503: Square retries it
        }
        String status = stored.get() == Inbox.Result.ACCEPTED ? "accepted" : "duplicate";
        WebhookDoor.answer(exchange, 200, null, status);
        return status;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
    }
}
