package dev.unison.connectors.tiktok;

import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.spi.Inbox;
import dev.unison.connectors.kit.webhook.WebhookDoor;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * {@code POST /webhooks/tiktok-shop/{connectionId}}: verifies a notification, persists it, answers
 * 200. Checks, in order, so that nothing unverified is parsed or stored: known connection (404),
 * size (413), {@code Authorization} = lowercase hex HMAC-SHA256 of app_key + raw body keyed with
 * the app secret, compared in constant time (401; TikTok Shop Partner Center, "Webhooks: verify
 * the signature"), well-formed envelope with {@code type} and {@code shop_id} (400), the
 * connection's shop (401). The dedupe key is {@code tts_notification_id}, else type + shop + time +
 * a digest of {@code data} ({@link TikTokWebhook#dedupeKey()}). A seller deauthorization (type 6)
 * also stops the connection's sending at once.
 */
final class TikTokWebhookReceiver implements Processor {

    private final ConnectorContext context;
    private final Function<String, Optional<TikTokShopClient>> clients;
    private final Clock clock;

    TikTokWebhookReceiver(ConnectorContext context, Function<String, Optional<TikTokShopClient>> clients, Clock clock) {
        this.context = context;
        this.clients = clients;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        String connectionId = exchange.getIn().getHeader("connectionId", String.class);
        Optional<Connection> found = context.connection(connectionId)
                .filter(c -> c.connector().name().equals(TikTokShopConnector.NAME) && c.enabled());
        if (found.isEmpty()) {
            WebhookDoor.answer(exchange, 404, "not_found", "no enabled TikTok Shop connection '" + connectionId + "'");
            return;
        }
        context.metrics().count(connectionId, "webhook", receive(exchange, found.get()));
    }

    private String receive(Exchange exchange, Connection connection) {
        Optional<byte[]> bounded = WebhookDoor.boundedBody(exchange);
        if (bounded.isEmpty()) {
            return "rejected_request";
        }
        byte[] body = bounded.get();
        TikTokShopSettings settings = TikTokShopSettings.of(connection);
        if (!TikTokSignature.verifyWebhook(settings.appKey(), connection.requireSecret("appSecret").reveal(),
                body, WebhookDoor.header(exchange, "Authorization"))) {
            WebhookDoor.answer(exchange, 401, "invalid_signature",
                    "Authorization is missing or is not the HMAC-SHA256 of app_key + body with this connection's app secret");
            return "rejected_signature";
        }
        TikTokWebhook notification;
        try {
            notification = TikTokWebhook.parse(body);
        } catch (IllegalArgumentException e) {
            WebhookDoor.answer(exchange, 400, "bad_request", e.getMessage());
            return "rejected_request";
        }
        String shopId = settings.shopId().orElse(null);
        if (shopId != null && !shopId.equals(notification.shopId())) {
            WebhookDoor.answer(exchange, 401, "wrong_shop", "notification is for shop " + notification.shopId()
                    + ", this connection is for shop " + shopId);
            return "rejected_signature";
        }
        java.util.Optional<Inbox.Result> stored = WebhookDoor.store(exchange, context.inbox(), new InboundDelivery(connection.id(),
                TikTokShopConnector.NAME, "type:" + notification.type(), notification.dedupeKey(), Map.of(), body, clock.instant()));
        if (stored.isEmpty()) {
            return "overloaded"; // answered 503: TikTok Shop sends it again
        }
        Inbox.Result result = stored.get();
        if (notification.type() == TikTokWebhook.SELLER_DEAUTHORIZATION) {
            clients.apply(connection.id()).ifPresent(c -> c.deauthorize("the seller deauthorized the app (webhook type 6)"));
        }
        String status = result == Inbox.Result.ACCEPTED ? "accepted" : "duplicate";
        WebhookDoor.answer(exchange, 200, null, status);
        return status;
    }
}
