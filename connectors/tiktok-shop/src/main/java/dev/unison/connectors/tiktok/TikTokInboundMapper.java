package dev.unison.connectors.tiktok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.identity.RelayEmails;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.Item;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.mapping.MappingException;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.spi.RetryLaterException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a stored TikTok Shop notification into canonical events. Notifications carry ids, not
 * objects (TikTok Shop Partner Center, "Webhooks overview": a notification names the order or
 * product and its new status), so the mapper asks the Open API for the current state:
 * <ul>
 * <li>1 ORDER_STATUS_CHANGE, 11 CANCELLATION_STATUS_CHANGE, 12 RETURN_STATUS_CHANGE: Get Order
 *     Detail ({@code GET /order/202309/orders?ids=}) mapped by {@code mappings/tiktok-shop/order.jsonata};
 *     {@code commerce.order.placed.v1} while the order is unpaid, {@code commerce.order.updated.v1} after;</li>
 * <li>5, 15, 16 (product status / information / creation): Get Product
 *     ({@code GET /product/202309/products/{id}}): each sku's seller sku, product id and sku id are
 *     remembered (inventory updates need them) and published as {@code commerce.item.upserted.v1};</li>
 * <li>6 SELLER_DEAUTHORIZATION: the connection stops sending; no event.</li>
 * </ul>
 * A call that cannot be made now (throttled, unreachable, unauthorised) is a {@link RetryLaterException}:
 * the hub keeps the delivery and tries again. Event ids derive from the delivery's dedupe key.
 */
final class TikTokInboundMapper {

    /** Ref kind: seller sku -> "{product_id} {sku_id}". */
    static final String SKU = "sku";

    List<CanonicalEvent> map(InboundDelivery delivery, Connection connection, ConnectorContext context,
            Optional<TikTokShopClient> client) {
        TikTokWebhook notification = TikTokWebhook.parse(delivery.body());
        URI source = URI.create("/connectors/" + TikTokShopConnector.NAME + "/" + connection.id());
        Instant time = notification.timestamp() > 0 ? Instant.ofEpochSecond(notification.timestamp()) : delivery.receivedAt();
        String idPrefix = TikTokShopConnector.NAME + ":" + connection.id() + ":" + delivery.dedupeKey() + ":";
        switch (notification.type()) {
            case TikTokWebhook.ORDER_STATUS_CHANGE, TikTokWebhook.CANCELLATION_STATUS_CHANGE,
                    TikTokWebhook.RETURN_STATUS_CHANGE -> {
                String orderId = notification.orderId().orElseThrow(() ->
                        new MappingException("notification type " + notification.type() + " without data.order_id"));
                JsonNode order = orderDetail(requireClient(client, connection), orderId);
                ObjectNode input = CanonicalJson.mapper().createObjectNode();
                input.put("connection", connection.id());
                input.put("shop", notification.shopId());
                input.put("currency", "USD");
                input.set("payload", order);
                // the order's warehouse_id (Get Order Detail, 202309), as a hub location when the connection maps it
                String warehouse = order.path("warehouse_id").asText("");
                String fulfilledFrom = TikTokShopSettings.of(connection).warehouseLocations().get(warehouse);
                if (fulfilledFrom != null) {
                    input.put("fulfilledFrom", fulfilledFrom);
                }
                JsonNode mapped = context.mappings().mapping(TikTokShopConnector.NAME, "order").apply(input);
                relayEmailsAsChannelIdentifiers(mapped);
                EventType type = "placed".equals(mapped.path("status").asText()) ? EventType.ORDER_PLACED : EventType.ORDER_UPDATED;
                // the fetched state's own time (update_time), not the notification's: a late notification
                // fetches the current order, which must not look older than what it replaces
                Instant orderTime = mapped.hasNonNull("updatedAt") ? Instant.parse(mapped.get("updatedAt").asText()) : time;
                return List.of(CanonicalEvent.of(idPrefix + "0", type, source, mapped, orderTime));
            }
            case TikTokWebhook.PRODUCT_STATUS_CHANGE, TikTokWebhook.PRODUCT_INFORMATION_CHANGE,
                    TikTokWebhook.PRODUCT_CREATION -> {
                String productId = notification.productId().orElseThrow(() ->
                        new MappingException("notification type " + notification.type() + " without data.product_id"));
                return products(requireClient(client, connection), connection, context, productId, idPrefix, source, time);
            }
            case TikTokWebhook.SELLER_DEAUTHORIZATION -> {
                client.ifPresent(c -> c.deauthorize("the seller deauthorized the app (webhook type 6)"));
                return List.of();
            }
            default -> {
                return List.of(); // kept in the inbox: no canonical meaning yet
            }
        }
    }

    /**
     * The buyer email is usually a masked relay address: the order then carries it as the channel
     * identifier the hub's identity normalization makes of it (canonical {@link RelayEmails}, the one
     * place for the rule; the hub applies its configured domain list again on resolution), so no
     * consumer of the order mistakes it for the person's mailbox.
     */
    static void relayEmailsAsChannelIdentifiers(JsonNode mapped) {
        for (JsonNode identifier : mapped.path("identifiers")) {
            if (identifier instanceof ObjectNode node && "email".equals(node.path("type").asText())) {
                RELAYS.channelIdentifier(node.path("value").asText()).ifPresent(channelId -> node
                        .put("type", channelId.type().wireName()).put("value", channelId.value()));
            }
        }
    }

    private static final RelayEmails RELAYS = RelayEmails.defaults();

    private static TikTokShopClient requireClient(Optional<TikTokShopClient> client, Connection connection) {
        return client.orElseThrow(() -> new RetryLaterException("connection " + connection.id() + " has no API client yet"));
    }

    private static JsonNode orderDetail(TikTokShopClient client, String orderId) {
        TikTokShopClient.Outcome outcome = client.get("order_detail", "/order/202309/orders",
                "ids=" + URLEncoder.encode(orderId, StandardCharsets.UTF_8));
        JsonNode data = answered(outcome, "order " + orderId);
        for (JsonNode order : data.path("orders")) {
            if (orderId.equals(order.path("id").asText())) {
                return order;
            }
        }
        throw new MappingException("TikTok Shop has no order " + orderId + " for this shop (Get Order Detail returned none)");
    }

    private static List<CanonicalEvent> products(TikTokShopClient client, Connection connection, ConnectorContext context,
            String productId, String idPrefix, URI source, Instant time) {
        JsonNode product = answered(client.get("product_detail", "/product/202309/products/"
                + URLEncoder.encode(productId, StandardCharsets.UTF_8), null), "product " + productId);
        List<CanonicalEvent> events = new ArrayList<>();
        for (JsonNode sku : product.path("skus")) {
            String sellerSku = sku.path("seller_sku").asText("");
            if (sellerSku.isBlank() || !sku.hasNonNull("id")) {
                continue; // a sku without a seller sku cannot be matched to the hub's items
            }
            context.refs().put(connection.id(), SKU, sellerSku, productId + " " + sku.get("id").asText());
            Item item = new Item(sellerSku, null, product.path("title").asText(null));
            events.add(CanonicalEvent.of(idPrefix + events.size(), EventType.ITEM_UPSERTED, source,
                    CanonicalJson.toTree(item), time));
        }
        return events;
    }

    private static JsonNode answered(TikTokShopClient.Outcome outcome, String what) {
        if (outcome instanceof TikTokShopClient.Outcome.Answered answered) {
            return answered.data();
        }
        if (outcome instanceof TikTokShopClient.Outcome.Refused refused) {
            throw new MappingException("fetching " + what + " was refused: " + refused.reason());
        }
        throw new RetryLaterException("fetching " + what + " must wait: " + ((TikTokShopClient.Outcome.Later) outcome).why());
    }
}
