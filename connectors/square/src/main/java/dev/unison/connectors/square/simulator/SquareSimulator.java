package dev.unison.connectors.square.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.kit.simulator.SimResponse;
import dev.unison.connectors.kit.simulator.SimulatorRejection;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.connectors.square.SquareHeaders;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Square seller with one webhook subscription, on Square's real API paths so that Square
 * clients work against it unchanged.
 *
 * <ul>
 *   <li>Auth: {@code Authorization: Bearer <token>}; a wrong or missing token gets 401 with Square's
 *       error shape {@code {"errors": [{category, code, detail}]}} (Square Developer docs, "Handling
 *       errors").</li>
 *   <li>Reads: RetrieveMerchant {@code GET /v2/merchants/me}, ListLocations {@code GET /v2/locations},
 *       RetrieveOrder {@code GET /v2/orders/{order_id}}, RetrieveCatalogObject
 *       {@code GET /v2/catalog/object/{object_id}} (Square API Reference); unknown ids get 404
 *       {@code NOT_FOUND}.</li>
 *   <li>Notifications: {@code {merchant_id, type, event_id, created_at, data: {type, id, object}}}
 *       posted with {@code x-square-hmacsha256-signature} = Base64(HMAC-SHA256(signature key,
 *       notification URL + body)) (Square Developer docs, "Validate webhook notifications"), where
 *       the URL is the subscription's, whatever address the notification is actually posted to (as
 *       behind a proxy); signed with another URL or key on demand. The signing is written here
 *       independently of the connector's, so that one cannot hide a mistake of the other.</li>
 * </ul>
 * Order notifications carry only {@code order_created} / {@code order_updated} summaries, as
 * Square's do; the order itself is read with RetrieveOrder.
 */
public class SquareSimulator extends SimulatorServer {

    /** The seller's store location (Square location ids are 13 upper-case letters and digits). */
    public static final String STORE_LOCATION_ID = "L88917AVBK2S5";
    /** A second location (a warehouse) that a connection may leave unmapped. */
    public static final String WAREHOUSE_LOCATION_ID = "LWH4MQ6ZTP3K8";

    private final String merchantId;
    private final String accessToken;
    private final String signatureKey;
    private final String notificationUrl;
    private final Map<String, ObjectNode> orders = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> catalog = new ConcurrentHashMap<>();
    private final Random random = new Random(11);

    /**
     * @param notificationUrl the subscription's notification URL: what Square signs
     */
    public SquareSimulator(int port, String merchantId, String accessToken, String signatureKey, String notificationUrl,
            Clock clock) {
        super("square", port, clock);
        this.merchantId = merchantId;
        this.accessToken = accessToken;
        this.signatureKey = signatureKey;
        this.notificationUrl = notificationUrl;
        route("GET", "/v2/merchants/me", authorized(this::merchant));
        route("GET", "/v2/locations", authorized(this::locations));
        route("GET", "/v2/orders/(?<id>[^/]+)", authorized(this::order));
        route("GET", "/v2/catalog/object/(?<id>[^/]+)", authorized(this::catalogObject));
    }

    public String merchantId() {
        return merchantId;
    }

    public String notificationUrl() {
        return notificationUrl;
    }

    // ---- the API -------------------------------------------------------------------------------

    private Handler authorized(Handler handler) {
        return request -> {
            if (!("Bearer " + accessToken).equals(request.header("Authorization"))) {
                throw new SimulatorRejection(error(401, "AUTHENTICATION_ERROR", "UNAUTHORIZED",
                        "This request could not be authorized."));
            }
            return handler.apply(request);
        };
    }

    private static SimResponse error(int status, String category, String code, String detail) {
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        body.putArray("errors").addObject().put("category", category).put("code", code).put("detail", detail);
        return SimResponse.json(status, CanonicalJson.write(body));
    }

    private SimResponse merchant(SimRequest request) {
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        body.putObject("merchant").put("id", merchantId).put("business_name", "Simulated Corner Shop").put("country", "US")
                .put("language_code", "en-US").put("currency", "USD").put("status", "ACTIVE")
                .put("main_location_id", STORE_LOCATION_ID);
        return SimResponse.json(200, CanonicalJson.write(body));
    }

    private SimResponse locations(SimRequest request) {
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        ArrayNode locations = body.putArray("locations");
        locations.addObject().put("id", STORE_LOCATION_ID).put("name", "Main Street store").put("merchant_id", merchantId)
                .put("status", "ACTIVE").put("type", "PHYSICAL");
        locations.addObject().put("id", WAREHOUSE_LOCATION_ID).put("name", "Back warehouse").put("merchant_id", merchantId)
                .put("status", "ACTIVE").put("type", "PHYSICAL");
        return SimResponse.json(200, CanonicalJson.write(body));
    }

    private SimResponse order(SimRequest request) {
        ObjectNode order = orders.get(request.pathParam("id"));
        if (order == null) {
            throw new SimulatorRejection(error(404, "INVALID_REQUEST_ERROR", "NOT_FOUND",
                    "Order with id " + request.pathParam("id") + " not found."));
        }
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        body.set("order", order.deepCopy());
        return SimResponse.json(200, CanonicalJson.write(body));
    }

    private SimResponse catalogObject(SimRequest request) {
        ObjectNode object = catalog.get(request.pathParam("id"));
        if (object == null) {
            throw new SimulatorRejection(error(404, "INVALID_REQUEST_ERROR", "NOT_FOUND",
                    "Object with ID " + request.pathParam("id") + " not found."));
        }
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        body.set("object", object.deepCopy());
        return SimResponse.json(200, CanonicalJson.write(body));
    }

    // ---- the seller's data -----------------------------------------------------------------------

    /** A catalog item variation with this sku (null: none) and price; returns its id. */
    public String newVariation(String name, String sku, long priceCents) {
        String id = squareId(24);
        ObjectNode variation = CanonicalJson.mapper().createObjectNode();
        variation.put("type", "ITEM_VARIATION").put("id", id).put("updated_at", now()).put("version", 1L)
                .put("is_deleted", false).put("present_at_all_locations", true);
        ObjectNode data = variation.putObject("item_variation_data");
        data.put("item_id", squareId(24)).put("name", name).put("pricing_type", "FIXED_PRICING");
        if (sku != null) {
            data.put("sku", sku);
        }
        data.putObject("price_money").put("amount", priceCents).put("currency", "USD");
        catalog.put(id, variation);
        return id;
    }

    /** A line of an order: a variation (null: an ad-hoc amount), a decimal quantity string, the unit price in cents. */
    public record Line(String variationId, String quantity, long unitCents) {
    }

    /** An order at {@code locationId} in {@code state} (OPEN, COMPLETED, CANCELED, DRAFT), version 1, in USD. */
    public ObjectNode newOrder(String locationId, String state, String customerId, Line... lines) {
        String id = squareId(28);
        ObjectNode order = CanonicalJson.mapper().createObjectNode();
        String now = now();
        order.put("id", id).put("location_id", locationId).put("state", state).put("version", 1L)
                .put("created_at", now).put("updated_at", now);
        order.putObject("source").put("name", "Square Point of Sale");
        if (customerId != null) {
            order.put("customer_id", customerId);
        }
        ArrayNode items = order.putArray("line_items");
        long total = 0;
        for (Line line : lines) {
            ObjectNode item = items.addObject();
            item.put("uid", squareId(22)).put("quantity", line.quantity());
            if (line.variationId() != null) {
                item.put("catalog_object_id", line.variationId()).put("catalog_version", 1L);
                JsonNode variation = catalog.get(line.variationId());
                item.put("name", variation == null ? "?" : variation.path("item_variation_data").path("name").asText());
            } else {
                item.put("name", "Custom amount");
            }
            long lineTotal = new java.math.BigDecimal(line.quantity()).multiply(java.math.BigDecimal.valueOf(line.unitCents()))
                    .setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
            item.putObject("base_price_money").put("amount", line.unitCents()).put("currency", "USD");
            item.putObject("total_money").put("amount", lineTotal).put("currency", "USD");
            total += lineTotal;
        }
        order.putObject("total_money").put("amount", total).put("currency", "USD");
        if ("COMPLETED".equals(state)) {
            order.put("closed_at", now);
            order.putArray("tenders").addObject().put("id", squareId(24)).put("type", "CARD")
                    .putObject("amount_money").put("amount", total).put("currency", "USD");
        }
        orders.put(id, order);
        return order.deepCopy();
    }

    /** Moves an order to another state: a new version and updated_at, as UpdateOrder does. */
    public ObjectNode setOrderState(String orderId, String state) {
        ObjectNode order = orders.get(orderId);
        order.put("state", state).put("version", order.get("version").asLong() + 1).put("updated_at", now());
        return order.deepCopy();
    }

    // ---- notifications -------------------------------------------------------------------------

    /** One notification as Square sends it: its type, event id and exact body. */
    public record Notification(String type, String eventId, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A notification of {@code type} about {@code data.type}/{@code data.id} with {@code data.object}. */
    public Notification notification(String type, String dataType, String dataId, JsonNode object) {
        String eventId = UUID.randomUUID().toString();
        ObjectNode envelope = CanonicalJson.mapper().createObjectNode();
        envelope.put("merchant_id", merchantId).put("type", type).put("event_id", eventId).put("created_at", now());
        ObjectNode data = envelope.putObject("data");
        data.put("type", dataType).put("id", dataId);
        if (object != null) {
            data.set("object", object);
        }
        return new Notification(type, eventId, CanonicalJson.write(envelope).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code order.created} / {@code order.updated}: the order's summary only (Square API Reference, "OrderCreated", "OrderUpdated"). */
    public Notification orderNotification(String type, JsonNode order) {
        ObjectNode object = CanonicalJson.mapper().createObjectNode();
        boolean created = type.equals("order.created");
        ObjectNode summary = object.putObject(created ? "order_created" : "order_updated");
        summary.put("order_id", order.get("id").asText()).put("version", order.get("version").asLong())
                .put("location_id", order.get("location_id").asText()).put("state", order.get("state").asText())
                .put("created_at", order.get("created_at").asText());
        if (!created) {
            summary.put("updated_at", order.get("updated_at").asText());
        }
        return notification(type, "order", order.get("id").asText(), object);
    }

    /**
     * {@code payment.updated} for an order's payment in {@code status} (APPROVED, COMPLETED, ...):
     * what a Point of Sale sale sends (Square API Reference, "payment.updated", "Payment").
     */
    public Notification paymentUpdated(JsonNode order, String status) {
        String paymentId = squareId(29);
        ObjectNode object = CanonicalJson.mapper().createObjectNode();
        String now = now();
        ObjectNode payment = object.putObject("payment");
        payment.put("id", paymentId).put("status", status).put("order_id", order.get("id").asText())
                .put("location_id", order.get("location_id").asText()).put("source_type", "CARD")
                .put("created_at", order.get("created_at").asText()).put("updated_at", now).put("version", 2);
        payment.set("amount_money", order.get("total_money").deepCopy());
        return notification("payment.updated", "payment", paymentId, object);
    }

    /** {@code refund.created} for part of an order's payment (a PaymentRefund, status PENDING as Square creates it). */
    public Notification refundCreated(String orderId, long amountCents, String currency) {
        String refundId = squareId(29) + "_" + squareId(40);
        ObjectNode object = CanonicalJson.mapper().createObjectNode();
        String now = now();
        object.putObject("refund").put("id", refundId).put("status", "PENDING").put("location_id", STORE_LOCATION_ID)
                .put("order_id", orderId).put("payment_id", squareId(29)).put("reason", "Returned item")
                .put("created_at", now).put("updated_at", now).put("version", 1)
                .putObject("amount_money").put("amount", amountCents).put("currency", currency);
        return notification("refund.created", "refund", refundId, object);
    }

    /** {@code customer.created} with this customer (fields as the Customer object names them). */
    public Notification customerCreated(ObjectNode customer) {
        ObjectNode object = CanonicalJson.mapper().createObjectNode();
        object.set("customer", customer);
        return notification("customer.created", "customer", customer.path("id").asText(), object);
    }

    /** One InventoryCount of {@code inventory.count.updated} (quantity a decimal string, e.g. "2.5"). */
    public static ObjectNode inventoryCount(String variationId, String locationId, String state, String quantity,
            Instant calculatedAt) {
        ObjectNode count = CanonicalJson.mapper().createObjectNode();
        count.put("catalog_object_id", variationId).put("catalog_object_type", "ITEM_VARIATION").put("state", state)
                .put("location_id", locationId).put("quantity", quantity).put("calculated_at", calculatedAt.toString());
        return count;
    }

    /** {@code inventory.count.updated} with these counts (Square Developer docs, "Inventory API webhooks"). */
    public Notification inventoryCountUpdated(List<ObjectNode> counts) {
        ObjectNode object = CanonicalJson.mapper().createObjectNode();
        ArrayNode array = object.putArray("inventory_counts");
        counts.forEach(array::add);
        return notification("inventory.count.updated", "inventory", UUID.randomUUID().toString(), object);
    }

    /**
     * Square's signature of a notification body for a subscription's URL and key: Base64 of the
     * HMAC-SHA256 of URL + body (Square Developer docs, "Validate webhook notifications").
     */
    public static String sign(String signatureKey, String notificationUrl, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signatureKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal((notificationUrl + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The headers Square sends with a notification, signed for {@code signedUrl} with {@code key}. */
    public Map<String, String> headers(Notification notification, String signedUrl, String key) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(SquareHeaders.SIGNATURE, sign(key, signedUrl, notification.bodyText()));
        headers.put(SquareHeaders.ENVIRONMENT, "Sandbox");
        headers.put(SquareHeaders.INITIAL_DELIVERY_TIMESTAMP, now());
        headers.put(SquareHeaders.RETRY_NUMBER, "0");
        return headers;
    }

    /** Posts a notification to {@code targetUrl}, signed as the subscription signs it; returns the HTTP status. */
    public int send(String targetUrl, Notification notification) {
        return sendSignedWith(targetUrl, notification, notificationUrl, signatureKey);
    }

    /** Posts it signed with another key: what a forger without the key can send. */
    public int sendBadlySigned(String targetUrl, Notification notification) {
        return sendSignedWith(targetUrl, notification, notificationUrl, signatureKey + "-wrong");
    }

    /** Posts it signed for {@code signedUrl} with {@code key} (a subscription with another URL, or another key). */
    public int sendSignedWith(String targetUrl, Notification notification, String signedUrl, String key) {
        return postWebhook(targetUrl, headers(notification, signedUrl, key), notification.body());
    }

    // ---- helpers --------------------------------------------------------------------------------

    private String now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private synchronized String squareId(int length) {
        String alphabet = "ABCDEFGHJKMNPQRSTVWXYZ0123456789";
        StringBuilder id = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return id.toString();
    }
}
