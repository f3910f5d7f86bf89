package dev.unison.connectors.shopify.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.http.Signatures;
import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.kit.simulator.SimResponse;
import dev.unison.connectors.kit.simulator.SimulatorRejection;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.connectors.shopify.ShopifyHeaders;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Shopify shop that enforces the Admin API contract and sends signed webhooks, on Shopify's real
 * URL paths so that Shopify clients work against it unchanged.
 *
 * <ul>
 *   <li>Auth: {@code X-Shopify-Access-Token}; a wrong or missing token gets 401 with Shopify's own
 *       error text.</li>
 *   <li>REST rate limit: leaky bucket 40, leak 2/s, {@code X-Shopify-Shop-Api-Call-Limit: n/40} on
 *       every answer, 429 with {@code Retry-After: 2.0} when full (shopify.dev "REST Admin API rate
 *       limits").</li>
 *   <li>REST: {@code GET shop.json}, {@code GET orders/{id}.json},
 *       {@code GET inventory_levels.json?inventory_item_ids=&location_ids=},
 *       {@code POST inventory_levels/set.json} ({@code {location_id, inventory_item_id, available}}).</li>
 *   <li>Webhooks: {@code X-Shopify-Hmac-Sha256} = base64 HMAC-SHA256 of the raw body with the app
 *       secret, plus topic, shop domain, API version, webhook id, event id and triggered-at headers
 *       (shopify.dev "Verify webhooks", "Ignore duplicates"); badly signed on demand.</li>
 * </ul>
 *
 * Run standalone: {@code java -cp ... dev.unison.connectors.shopify.simulator.ShopifySimulator [port]}.
 */
public class ShopifySimulator extends SimulatorServer {

    public static final String API_VERSION_PATTERN = "(?<version>20[0-9]{2}-[0-9]{2})";
    static final String INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)";

    private final String shopDomain;
    private final String accessToken;
    private final String webhookSecret;
    private final LeakyBucket bucket;
    private final Map<Long, JsonNode> orders = new ConcurrentHashMap<>();
    private final Map<String, Long> inventoryLevels = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(820982911946154508L);
    private final AtomicLong lineIds = new AtomicLong(866550311766439020L);
    private final HttpClient http = HttpClient.newHttpClient();
    private final Random random = new Random(7);

    public ShopifySimulator(int port, String shopDomain, String accessToken, String webhookSecret, Clock clock) {
        super("shopify", port, clock);
        this.shopDomain = shopDomain;
        this.accessToken = accessToken;
        this.webhookSecret = webhookSecret;
        this.bucket = new LeakyBucket(40, 2.0, clock);
        String admin = "/admin/api/" + API_VERSION_PATTERN;
        route("GET", admin + "/shop\\.json", rest(this::shop));
        route("GET", admin + "/orders/(?<id>[0-9]+)\\.json", rest(this::order));
        route("GET", admin + "/inventory_levels\\.json", rest(this::inventoryLevels));
        route("POST", admin + "/inventory_levels/set\\.json", rest(this::setInventoryLevel));
        // simulator control, not part of Shopify: create an order and send its orders/create webhook
        route("POST", "/simulator/orders", this::simulateOrder);
    }

    private volatile String webhookTarget;

    /** Where {@code POST /simulator/orders} sends its webhook (the hub's /webhooks/shopify/{connectionId}). */
    public void setWebhookTarget(String url) {
        this.webhookTarget = url;
    }

    /**
     * {@code POST /simulator/orders {"email": "...", "currency": "USD", "lines": [{"sku", "quantity", "price"}]}}:
     * creates the order, sends a correctly signed orders/create webhook to the webhook target and
     * answers with the order id and the hub's HTTP status.
     */
    private SimResponse simulateOrder(SimRequest request) {
        if (webhookTarget == null) {
            throw new SimulatorRejection(SimResponse.json(409, "{\"errors\":\"no webhook target configured\"}"));
        }
        JsonNode in;
        try {
            in = CanonicalJson.parse(request.body());
        } catch (IllegalArgumentException e) {
            throw new SimulatorRejection(SimResponse.json(400, "{\"errors\":\"malformed JSON\"}"));
        }
        java.util.List<Line> lines = new java.util.ArrayList<>();
        in.path("lines").forEach(l -> lines.add(new Line(l.path("sku").asText(), l.path("quantity").asInt(1),
                l.path("price").asText("0.00"))));
        if (lines.isEmpty()) {
            throw new SimulatorRejection(SimResponse.json(422, "{\"errors\":{\"lines\":\"at least one line\"}}"));
        }
        ObjectNode order = newOrder(in.path("email").asText("jane.doe@example.com"), in.path("currency").asText("USD"),
                lines.toArray(Line[]::new));
        int status = send(webhookTarget, webhook("orders/create", order));
        ObjectNode out = CanonicalJson.mapper().createObjectNode();
        out.put("orderId", order.get("id").asText()).put("webhookStatus", status).put("webhookTarget", webhookTarget);
        return SimResponse.json(200, CanonicalJson.write(out));
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8099;
        ShopifySimulator sim = new ShopifySimulator(port, "demo-shop.myshopify.com", "shpat_demo_token",
                "demo-webhook-secret", Clock.systemUTC());
        sim.start();
        System.out.println("Shopify simulator on " + sim.baseUrl() + " (shop demo-shop.myshopify.com, token "
                + "shpat_demo_token, webhook secret demo-webhook-secret)");
    }

    public String shopDomain() {
        return shopDomain;
    }

    // ---- REST -------------------------------------------------------------------------------

    private Handler rest(Handler handler) {
        return request -> {
            if (!accessToken.equals(request.header(ShopifyHeaders.ACCESS_TOKEN))) {
                return SimResponse.json(401, "{\"errors\":\"" + INVALID_TOKEN.replace("\"", "\\\"") + "\"}");
            }
            int level = bucket.tryAdd();
            if (level < 0) {
                return SimResponse.json(429, "{\"errors\":\"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.\"}")
                        .withHeader("Retry-After", bucket.retryAfter())
                        .withHeader(ShopifyHeaders.CALL_LIMIT, bucket.size() + "/" + bucket.size());
            }
            return handler.apply(request).withHeader(ShopifyHeaders.CALL_LIMIT, level + "/" + bucket.size());
        };
    }

    private SimResponse shop(SimRequest request) {
        ObjectNode shop = CanonicalJson.mapper().createObjectNode();
        shop.putObject("shop").put("id", 548380009L).put("name", "Demo Shop").put("myshopify_domain", shopDomain)
                .put("currency", "USD");
        return SimResponse.json(200, CanonicalJson.write(shop));
    }

    private SimResponse order(SimRequest request) {
        JsonNode order = orders.get(Long.parseLong(request.pathParam("id")));
        if (order == null) {
            return SimResponse.json(404, "{\"errors\":\"Not Found\"}");
        }
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        body.set("order", order);
        return SimResponse.json(200, CanonicalJson.write(body));
    }

    private SimResponse inventoryLevels(SimRequest request) {
        String items = request.queryParam("inventory_item_ids");
        String locations = request.queryParam("location_ids");
        if (items == null && locations == null) {
            throw new SimulatorRejection(SimResponse.json(422,
                    "{\"errors\":{\"inventory_item_ids\":\"inventory_item_ids or location_ids is required\"}}"));
        }
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        ArrayNode levels = body.putArray("inventory_levels");
        inventoryLevels.forEach((key, available) -> {
            String[] parts = key.split(":");
            if ((items == null || java.util.List.of(items.split(",")).contains(parts[0]))
                    && (locations == null || java.util.List.of(locations.split(",")).contains(parts[1]))) {
                levels.addObject().put("inventory_item_id", Long.parseLong(parts[0]))
                        .put("location_id", Long.parseLong(parts[1])).put("available", available)
                        .put("admin_graphql_api_id", "gid://shopify/InventoryLevel/" + parts[1] + "?inventory_item_id=" + parts[0]);
            }
        });
        return SimResponse.json(200, CanonicalJson.write(body));
    }

    private SimResponse setInventoryLevel(SimRequest request) {
        JsonNode in;
        try {
            in = CanonicalJson.parse(request.body());
        } catch (IllegalArgumentException e) {
            throw new SimulatorRejection(SimResponse.json(400, "{\"errors\":\"malformed JSON\"}"));
        }
        Map<String, String> errors = new LinkedHashMap<>();
        for (String field : new String[] {"location_id", "inventory_item_id", "available"}) {
            if (!in.path(field).canConvertToLong()) {
                errors.put(field, "is required and must be an integer");
            }
        }
        if (!errors.isEmpty()) {
            throw new SimulatorRejection(SimResponse.json(422, "{\"errors\":" + CanonicalJson.write(errors) + "}"));
        }
        long item = in.get("inventory_item_id").asLong();
        long location = in.get("location_id").asLong();
        long available = in.get("available").asLong();
        inventoryLevels.put(item + ":" + location, available);
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        body.putObject("inventory_level").put("inventory_item_id", item).put("location_id", location)
                .put("available", available).put("updated_at", OffsetDateTime.now(clock).toString())
                .put("admin_graphql_api_id", "gid://shopify/InventoryLevel/" + location + "?inventory_item_id=" + item);
        return SimResponse.json(200, CanonicalJson.write(body));
    }

    /** The available quantity the shop holds for an inventory item at a location, or null. */
    public Long available(long inventoryItemId, long locationId) {
        return inventoryLevels.get(inventoryItemId + ":" + locationId);
    }

    // ---- webhooks ---------------------------------------------------------------------------

    /** A webhook delivery as Shopify would send it; send it once, several times, or badly signed. */
    public record Delivery(String topic, byte[] body, Map<String, String> headers) {
        public String eventId() {
            return headers.get(ShopifyHeaders.EVENT_ID);
        }
    }

    /** An orders/create payload in Shopify's shape (64-bit id, string money); also served at orders/{id}.json. */
    public record Line(String sku, int quantity, String price) {
    }

    public ObjectNode newOrder(String email, String currency, Line... items) {
        long id = ids.getAndAdd(1 + random.nextInt(1000));
        ObjectNode order = CanonicalJson.mapper().createObjectNode();
        order.put("id", id).put("admin_graphql_api_id", "gid://shopify/Order/" + id)
                .put("email", email).put("created_at", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.ofHours(-4)).toString())
                .put("currency", currency).put("financial_status", "pending").putNull("fulfillment_status")
                .put("source_name", "web").putNull("location_id").put("name", "#" + (1000 + id % 1000));
        ArrayNode lines = order.putArray("line_items");
        java.math.BigDecimal total = java.math.BigDecimal.ZERO;
        for (int i = 0; i < items.length; i++) {
            Line item = items[i];
            lines.addObject().put("id", lineIds.incrementAndGet()).put("sku", item.sku()).put("variant_id", 40000000000L + i)
                    .put("product_id", 7000000000L + i).put("quantity", item.quantity()).put("price", item.price())
                    .put("title", item.sku());
            total = total.add(new java.math.BigDecimal(item.price()).multiply(java.math.BigDecimal.valueOf(item.quantity())));
        }
        order.put("total_price", total.toPlainString());
        order.putObject("customer").put("id", 115310627314723954L).put("email", email).putNull("phone");
        orders.put(id, order);
        return order;
    }

    public Delivery webhook(String topic, JsonNode payload) {
        return webhook(topic, payload, OffsetDateTime.now(clock));
    }

    /** A delivery with a given {@code X-Shopify-Triggered-At} (to stage out-of-order arrivals). */
    public Delivery webhook(String topic, JsonNode payload, OffsetDateTime triggeredAt) {
        byte[] body = CanonicalJson.write(payload).getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(ShopifyHeaders.TOPIC, topic);
        headers.put(ShopifyHeaders.SHOP_DOMAIN, shopDomain);
        headers.put(ShopifyHeaders.API_VERSION, "2025-10");
        headers.put(ShopifyHeaders.WEBHOOK_ID, UUID.randomUUID().toString());
        headers.put(ShopifyHeaders.EVENT_ID, UUID.randomUUID().toString());
        headers.put(ShopifyHeaders.TRIGGERED_AT, triggeredAt.toString());
        headers.put(ShopifyHeaders.HMAC, Signatures.hmacSha256Base64(webhookSecret, body));
        return new Delivery(topic, body, Map.copyOf(headers));
    }

    /** POSTs a delivery to the hub; returns the HTTP status. */
    public int send(String url, Delivery delivery) {
        return post(url, delivery.headers(), delivery.body());
    }

    /** POSTs a delivery signed with the wrong secret. */
    public int sendBadlySigned(String url, Delivery delivery) {
        Map<String, String> headers = new LinkedHashMap<>(delivery.headers());
        headers.put(ShopifyHeaders.HMAC, Signatures.hmacSha256Base64("not-the-" + webhookSecret, delivery.body()));
        return post(url, headers, delivery.body());
    }

    private int post(String url, Map<String, String> headers, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new IllegalStateException("webhook to " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
