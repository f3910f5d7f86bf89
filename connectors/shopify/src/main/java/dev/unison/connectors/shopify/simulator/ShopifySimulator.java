package dev.unison.connectors.shopify.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.http.Signatures;
import dev.unison.connectors.kit.simulator.RefillingBucket;
import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.kit.simulator.SimResponse;
import dev.unison.connectors.kit.simulator.SimulatorRejection;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.connectors.shopify.ShopifyHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
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

    /** The demo shop's location whose available quantities the hub sets. */
    public static final long DEFAULT_LOCATION_ID = 24826418L;
    /** The demo shop's retail store, where its Shopify POS takes orders (the demo maps it to STORE-7). */
    public static final long STORE_LOCATION_ID = 64213017L;
    public static final String API_VERSION_PATTERN = "(?<version>20[0-9]{2}-[0-9]{2})";
    static final String INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)";

    private final String shopDomain;
    private final String accessToken;
    private final String webhookSecret;
    private final RefillingBucket bucket;
    private final Map<Long, JsonNode> orders = new ConcurrentHashMap<>();
    private final Map<String, Long> inventoryLevels = new ConcurrentHashMap<>();
    /** The newest product's inventory item per sku (for the demo's GET /simulator/inventory/{sku}). */
    private final Map<String, Long> inventoryItemBySku = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(820982911946154508L);
    private final AtomicLong lineIds = new AtomicLong(866550311766439020L);
    private final Random random = new Random(7);

    public ShopifySimulator(int port, String shopDomain, String accessToken, String webhookSecret, Clock clock) {
        super("shopify", port, clock);
        this.shopDomain = shopDomain;
        this.accessToken = accessToken;
        this.webhookSecret = webhookSecret;
        this.bucket = new RefillingBucket(40, 2.0, clock);
        this.costBucket = new RefillingBucket(2000, 100, clock);
        this.locations.add(DEFAULT_LOCATION_ID);
        this.locations.add(STORE_LOCATION_ID);
        String admin = "/admin/api/" + API_VERSION_PATTERN;
        route("GET", admin + "/shop\\.json", rest(this::shop));
        route("GET", admin + "/orders/(?<id>[0-9]+)\\.json", rest(this::order));
        route("GET", admin + "/inventory_levels\\.json", rest(this::inventoryLevels));
        route("POST", admin + "/inventory_levels/set\\.json", rest(this::setInventoryLevel));
        route("POST", admin + "/graphql\\.json", this::graphql);
        // simulator control, not part of Shopify: create (or cancel) an order and send its webhook
        route("POST", "/simulator/orders", this::simulateOrder);
        route("POST", "/simulator/orders/(?<id>[0-9]+)/cancel", this::simulateCancel);
        route("POST", "/simulator/products", this::simulateProduct);
        route("POST", "/simulator/customers", this::simulateCustomer);
        route("GET", "/simulator/inventory/(?<sku>[^/]+)", this::simulatedQuantity);
    }

    private volatile String webhookTarget;

    // ---- GraphQL: inventorySetQuantities ------------------------------------------------------

    static final double MUTATION_COST = 10;
    private static final java.util.regex.Pattern IDEMPOTENT =
            java.util.regex.Pattern.compile("@idempotent\\(\\s*key\\s*:\\s*\"([^\"]+)\"\\s*\\)");
    private volatile RefillingBucket costBucket;
    private final java.util.Set<Long> locations = ConcurrentHashMap.newKeySet();
    private final java.util.Set<Long> inventoryItems = ConcurrentHashMap.newKeySet();
    private final Map<String, String[]> idempotencyKeys = new ConcurrentHashMap<>();
    private final AtomicLong throttled = new AtomicLong();
    private final AtomicLong mutationsApplied = new AtomicLong();
    private final AtomicLong quantitiesSet = new AtomicLong();

    /** Told of every available quantity the shop accepts (benchmarks time changes with it). */
    public interface QuantityListener {
        /** @param levelKey {@code <inventory item id>:<location id>} */
        void quantitySet(String levelKey, long quantity);
    }

    private volatile QuantityListener quantityListener;

    public void setQuantityListener(QuantityListener listener) {
        this.quantityListener = listener;
    }

    /** How often a GraphQL call was refused as THROTTLED (the client overdrew the cost bucket). */
    public long throttledCount() {
        return throttled.get();
    }

    public long mutationsApplied() {
        return mutationsApplied.get();
    }

    public long quantitiesSet() {
        return quantitiesSet.get();
    }

    /** Replaces the GraphQL cost limits (default: standard plan, 2000 points, 100/s restore). */
    public void setCostLimits(double maximumAvailable, double restoreRate) {
        this.costBucket = new RefillingBucket(maximumAvailable, restoreRate, clock);
    }

    public void addLocation(long locationId) {
        locations.add(locationId);
    }

    /**
     * A product with one variant per sku, each with its own inventory item (stocked at every
     * location); returns the products/update payload to send as a webhook.
     */
    public ObjectNode newProduct(String title, String... skus) {
        long productId = ids.getAndAdd(1 + random.nextInt(1000));
        ObjectNode product = CanonicalJson.mapper().createObjectNode();
        product.put("id", productId).put("title", title).put("status", "active")
                .put("updated_at", OffsetDateTime.now(clock).toString());
        ArrayNode variantList = product.putArray("variants");
        for (String sku : skus) {
            long variantId = lineIds.incrementAndGet();
            long inventoryItemId = 271878346596884015L + inventoryItems.size() * 7919L;
            inventoryItems.add(inventoryItemId);
            inventoryItemBySku.put(sku, inventoryItemId);
            variantList.addObject().put("id", variantId).put("product_id", productId).put("sku", sku).put("title", sku)
                    .put("price", "89.90").put("inventory_item_id", inventoryItemId).put("inventory_quantity", 0);
            ObjectNode stored = CanonicalJson.mapper().createObjectNode();
            stored.put("productId", productId).put("price", "89.90").putNull("compareAtPrice");
            variants.put(variantId, stored);
        }
        return product;
    }

    private SimResponse graphql(SimRequest request) {
        if (!accessToken.equals(request.header(ShopifyHeaders.ACCESS_TOKEN))) {
            return SimResponse.json(401, "{\"errors\":\"" + INVALID_TOKEN.replace("\"", "\\\"") + "\"}");
        }
        JsonNode body;
        try {
            body = CanonicalJson.parse(request.body());
        } catch (IllegalArgumentException e) {
            return SimResponse.json(400, "{\"errors\":[{\"message\":\"malformed JSON body\"}]}");
        }
        String query = body.path("query").asText("");
        boolean prices = query.contains("productVariantsBulkUpdate");
        if (!query.contains("inventorySetQuantities") && !prices) {
            return SimResponse.json(200, "{\"errors\":[{\"message\":\"this simulator implements the inventorySetQuantities and productVariantsBulkUpdate mutations only\"}]}");
        }
        if (!costBucket.tryTake(MUTATION_COST)) {
            throttled.incrementAndGet();
            ObjectNode out = CanonicalJson.mapper().createObjectNode();
            out.putArray("errors").addObject().put("message", "Throttled").putObject("extensions").put("code", "THROTTLED")
                    .put("documentation", "https://shopify.dev/api/usage/rate-limits");
            costExtension(out, 0);
            return SimResponse.json(200, CanonicalJson.write(out));
        }
        if (prices) {
            boolean partial = query.replaceAll("\\s", "").contains("allowPartialUpdates:true");
            return SimResponse.json(200, CanonicalJson.write(applyVariantPrices(body.path("variables"), partial)));
        }
        String version = request.pathParam("version");
        java.util.regex.Matcher idem = IDEMPOTENT.matcher(query);
        String key = idem.find() ? idem.group(1) : null;
        JsonNode input = body.path("variables").path("input");
        String fingerprint = CanonicalJson.write(input);
        if (key != null) {
            String[] seen = idempotencyKeys.get(key);
            if (seen != null) {
                if (!seen[0].equals(fingerprint)) {
                    return SimResponse.json(200, CanonicalJson.write(result(List.of(userError(
                            "IDEMPOTENCY_KEY_PARAMETER_MISMATCH", null,
                            "The same idempotency key cannot be used with different operation parameters.")), 10)));
                }
                return SimResponse.json(200, seen[1]); // replay: the first answer, nothing applied twice
            }
        } else if (version.compareTo("2026-04") >= 0) {
            return SimResponse.json(200, "{\"errors\":[{\"message\":\"inventorySetQuantities requires the @idempotent directive from 2026-04\"}]}");
        }
        String answer = CanonicalJson.write(applySetQuantities(input, version));
        if (key != null) {
            idempotencyKeys.put(key, new String[] {fingerprint, answer});
        }
        return SimResponse.json(200, answer);
    }

    private ObjectNode applySetQuantities(JsonNode input, String version) {
        List<ObjectNode> errors = new java.util.ArrayList<>();
        String name = input.path("name").asText();
        if (!name.equals("available") && !name.equals("on_hand")) {
            errors.add(userError("INVALID_NAME", List.of("input", "name"), "The quantity name must be either 'available' or 'on_hand'."));
        }
        if (input.path("reason").asText().isBlank()) {
            errors.add(userError("INVALID_REASON", List.of("input", "reason"), "The reason is required."));
        }
        boolean cas = version.compareTo("2026-01") >= 0;
        boolean ignoreCompare = input.path("ignoreCompareQuantity").asBoolean(false);
        JsonNode quantities = input.path("quantities");
        java.util.Map<String, Long> toApply = new java.util.LinkedHashMap<>();
        for (int i = 0; i < quantities.size(); i++) {
            JsonNode q = quantities.get(i);
            List<String> at = List.of("input", "quantities", String.valueOf(i));
            Long item = gidNumber(q.path("inventoryItemId").asText(), "InventoryItem");
            Long location = gidNumber(q.path("locationId").asText(), "Location");
            if (item == null || !inventoryItems.contains(item)) {
                errors.add(userError("INVALID_INVENTORY_ITEM", concat(at, "inventoryItemId"), "The specified inventory item could not be found."));
                continue;
            }
            if (location == null || !locations.contains(location)) {
                errors.add(userError("INVALID_LOCATION", concat(at, "locationId"), "The specified location could not be found."));
                continue;
            }
            if (!q.path("quantity").canConvertToLong()) {
                errors.add(userError("INVALID_QUANTITY_TOO_LOW", concat(at, "quantity"), "The quantity is required."));
                continue;
            }
            long quantity = q.get("quantity").asLong();
            if (quantity < 0 && name.equals("on_hand")) {
                errors.add(userError("INVALID_QUANTITY_NEGATIVE", concat(at, "quantity"), "The quantity can't be negative."));
                continue;
            }
            String levelKey = item + ":" + location;
            Long current = inventoryLevels.getOrDefault(levelKey, 0L);
            if (cas) {
                if (!q.has("changeFromQuantity")) {
                    errors.add(userError("CHANGE_FROM_QUANTITY_STALE", concat(at, "changeFromQuantity"),
                            "changeFromQuantity is required from 2026-01 (null skips the check)."));
                    continue;
                }
                if (!q.get("changeFromQuantity").isNull() && q.get("changeFromQuantity").asLong() != current) {
                    errors.add(userError("CHANGE_FROM_QUANTITY_STALE", concat(at, "changeFromQuantity"),
                            "The changeFromQuantity value does not match persisted value."));
                    continue;
                }
            } else if (!ignoreCompare) {
                if (!q.has("compareQuantity")) {
                    errors.add(userError("COMPARE_QUANTITY_REQUIRED", concat(at, "compareQuantity"),
                            "The compareQuantity argument must be given to each quantity or ignored using ignoreCompareQuantity."));
                    continue;
                }
                if (q.get("compareQuantity").asLong() != current) {
                    errors.add(userError("COMPARE_QUANTITY_STALE", concat(at, "compareQuantity"),
                            "The compareQuantity value does not match persisted value."));
                    continue;
                }
            }
            toApply.put(levelKey, quantity);
        }
        // all or nothing: with any user error nothing is set (inventoryAdjustmentGroup is null)
        if (errors.isEmpty()) {
            toApply.forEach(inventoryLevels::put);
            QuantityListener listener = quantityListener;
            if (listener != null) {
                toApply.forEach((key, quantity) -> listener.quantitySet(key, quantity));
            }
            mutationsApplied.incrementAndGet();
            quantitiesSet.addAndGet(toApply.size());
        }
        ObjectNode out = result(errors, MUTATION_COST);
        if (!errors.isEmpty()) {
            ((ObjectNode) out.get("data").get("inventorySetQuantities")).putNull("inventoryAdjustmentGroup");
        }
        return out;
    }

    /** variant id -> {productId, price, compareAtPrice}, as productVariantsBulkUpdate keeps them. */
    private final Map<Long, ObjectNode> variants = new ConcurrentHashMap<>();

    /** The price the shop holds for a variant, or null. */
    public String variantPrice(long variantId) {
        ObjectNode v = variants.get(variantId);
        return v == null ? null : v.path("price").asText(null);
    }

    public String variantCompareAtPrice(long variantId) {
        ObjectNode v = variants.get(variantId);
        return v == null || v.get("compareAtPrice").isNull() ? null : v.get("compareAtPrice").asText();
    }

    /**
     * {@code productVariantsBulkUpdate(productId, variants: [{id, price, compareAtPrice}], allowPartialUpdates)}:
     * the variants must belong to the product (MUST_BE_FOR_THIS_PRODUCT), prices be decimal
     * strings of zero or more (NEGATIVE_PRICE_VALUE, INVALID_INPUT); valid variants are updated
     * only when there is no error or partial updates are allowed.
     */
    private ObjectNode applyVariantPrices(JsonNode variables, boolean allowPartialUpdates) {
        List<ObjectNode> errors = new java.util.ArrayList<>();
        Map<ObjectNode, JsonNode> changes = new java.util.LinkedHashMap<>();
        Long productId = gidNumber(variables.path("productId").asText(), "Product");
        JsonNode input = variables.path("variants");
        if (productId == null || variants.values().stream().noneMatch(v -> v.get("productId").asLong() == productId)) {
            errors.add(userError("PRODUCT_DOES_NOT_EXIST", List.of("productId"), "Product does not exist"));
        } else {
            for (int i = 0; i < input.size(); i++) {
                JsonNode v = input.get(i);
                List<String> at = List.of("variants", String.valueOf(i));
                Long variantId = gidNumber(v.path("id").asText(), "ProductVariant");
                ObjectNode stored = variantId == null ? null : variants.get(variantId);
                if (stored == null || stored.get("productId").asLong() != productId) {
                    errors.add(userError("MUST_BE_FOR_THIS_PRODUCT", concat(at, "id"), "Input must be for this product."));
                    continue;
                }
                String price = v.path("price").asText(null);
                if (price != null && !price.matches("-?[0-9]+(\\.[0-9]+)?")) {
                    errors.add(userError("INVALID_INPUT", concat(at, "price"), "Price is not a decimal."));
                    continue;
                }
                if (price != null && price.startsWith("-")) {
                    errors.add(userError("NEGATIVE_PRICE_VALUE", concat(at, "price"), "Price cannot take a negative value."));
                    continue;
                }
                changes.put(stored, v);
            }
        }
        // without allowPartialUpdates (default false) one bad variant means no variant changes
        if (errors.isEmpty() || allowPartialUpdates) {
            changes.forEach((stored, v) -> {
                if (v.hasNonNull("price")) {
                    stored.put("price", v.get("price").asText());
                }
                if (v.has("compareAtPrice")) {
                    stored.set("compareAtPrice", v.get("compareAtPrice"));
                }
            });
        }
        ObjectNode out = CanonicalJson.mapper().createObjectNode();
        ArrayNode userErrors = out.putObject("data").putObject("productVariantsBulkUpdate").putArray("userErrors");
        errors.forEach(userErrors::add);
        costExtension(out, MUTATION_COST);
        return out;
    }

    private ObjectNode result(List<ObjectNode> userErrors, double cost) {
        ObjectNode out = CanonicalJson.mapper().createObjectNode();
        ObjectNode payload = out.putObject("data").putObject("inventorySetQuantities");
        payload.putObject("inventoryAdjustmentGroup").put("reason", "correction");
        ArrayNode errors = payload.putArray("userErrors");
        userErrors.forEach(errors::add);
        costExtension(out, cost);
        return out;
    }

    private void costExtension(ObjectNode out, double actualCost) {
        ObjectNode cost = out.putObject("extensions").putObject("cost");
        cost.put("requestedQueryCost", MUTATION_COST).put("actualQueryCost", actualCost);
        cost.putObject("throttleStatus").put("maximumAvailable", costBucket.capacity())
                .put("currentlyAvailable", Math.floor(costBucket.available())).put("restoreRate", costBucket.refillPerSecond());
    }

    private static ObjectNode userError(String code, List<String> field, String message) {
        ObjectNode e = CanonicalJson.mapper().createObjectNode();
        e.put("code", code);
        if (field == null) {
            e.putNull("field");
        } else {
            field.forEach(e.putArray("field")::add);
        }
        e.put("message", message);
        return e;
    }

    private static List<String> concat(List<String> path, String last) {
        List<String> out = new java.util.ArrayList<>(path);
        out.add(last);
        return out;
    }

    private static Long gidNumber(String gid, String type) {
        String prefix = "gid://shopify/" + type + "/";
        if (!gid.startsWith(prefix)) {
            return null;
        }
        try {
            return Long.parseLong(gid.substring(prefix.length()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Where {@code POST /simulator/orders} sends its webhook (the hub's /webhooks/shopify/{connectionId}). */
    public void setWebhookTarget(String url) {
        this.webhookTarget = url;
    }

    /**
     * {@code POST /simulator/orders {"email": "...", "currency": "USD", "lines": [{"sku", "quantity", "price"}]}}:
     * creates the order, sends a correctly signed orders/create webhook to the webhook target and
     * answers with the order id and the hub's HTTP status.
     */
    /**
     * {@code POST /simulator/products {"title": "...", "skus": ["..."]}}: creates the product and
     * sends a signed products/update webhook (which teaches the hub each sku's inventory item).
     */
    private SimResponse simulateProduct(SimRequest request) {
        if (webhookTarget == null) {
            throw new SimulatorRejection(SimResponse.json(409, "{\"errors\":\"no webhook target configured\"}"));
        }
        JsonNode in = demoBody(request);
        java.util.List<String> skus = new java.util.ArrayList<>();
        in.path("skus").forEach(s -> skus.add(s.asText()));
        if (skus.isEmpty()) {
            throw new SimulatorRejection(SimResponse.json(422, "{\"errors\":{\"skus\":\"at least one sku\"}}"));
        }
        ObjectNode product = newProduct(in.path("title").asText("Demo product"), skus.toArray(String[]::new));
        int status = send(webhookTarget, webhook("products/update", product));
        ObjectNode out = CanonicalJson.mapper().createObjectNode();
        out.put("productId", product.get("id").asText()).put("webhookStatus", status);
        return SimResponse.json(200, CanonicalJson.write(out));
    }

    /** {@code GET /simulator/inventory/{sku}}: the available quantity at the default location (demo visibility). */
    private SimResponse simulatedQuantity(SimRequest request) {
        String sku = request.pathParam("sku");
        Long item = inventoryItemBySku.get(sku);
        if (item != null) {
            Long available = available(item, DEFAULT_LOCATION_ID);
            ObjectNode out = CanonicalJson.mapper().createObjectNode();
            out.put("sku", sku).put("locationId", DEFAULT_LOCATION_ID);
            if (available == null) {
                out.putNull("available");
            } else {
                out.put("available", available);
            }
            return SimResponse.json(200, CanonicalJson.write(out));
        }
        return SimResponse.json(404, "{\"errors\":\"no product has sku " + sku.replace("\"", "") + "\"}");
    }

    private static JsonNode demoBody(SimRequest request) {
        try {
            return CanonicalJson.parse(request.body());
        } catch (IllegalArgumentException e) {
            throw new SimulatorRejection(SimResponse.json(400, "{\"errors\":\"malformed JSON\"}"));
        }
    }

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
        if ("pos".equals(in.path("sourceName").asText())) {
            // a sale at the shop's Shopify POS: source_name pos and the store's location_id
            order.put("source_name", "pos").put("location_id", in.path("locationId").asLong(STORE_LOCATION_ID));
        }
        int status = send(webhookTarget, webhook("orders/create", order));
        ObjectNode out = CanonicalJson.mapper().createObjectNode();
        out.put("orderId", order.get("id").asText()).put("webhookStatus", status).put("webhookTarget", webhookTarget);
        return SimResponse.json(200, CanonicalJson.write(out));
    }

    /**
     * {@code POST /simulator/orders/{id}/cancel}: cancels the order ({@link #cancelOrder}) and sends
     * its signed orders/cancelled webhook.
     */
    private SimResponse simulateCancel(SimRequest request) {
        if (webhookTarget == null) {
            throw new SimulatorRejection(SimResponse.json(409, "{\"errors\":\"no webhook target configured\"}"));
        }
        long id = Long.parseLong(request.pathParam("id"));
        if (!orders.containsKey(id)) {
            return SimResponse.json(404, "{\"errors\":\"Not Found\"}");
        }
        int status = send(webhookTarget, webhook("orders/cancelled", cancelOrder(id)));
        return SimResponse.json(200, "{\"orderId\":\"" + id + "\",\"webhookStatus\":" + status + "}");
    }

    /**
     * {@code POST /simulator/customers {"email": "...", "phone"?: "+1..."}}: creates a customer (the
     * customers/create sample's fields) and sends a signed customers/create webhook.
     */
    private SimResponse simulateCustomer(SimRequest request) {
        if (webhookTarget == null) {
            throw new SimulatorRejection(SimResponse.json(409, "{\"errors\":\"no webhook target configured\"}"));
        }
        JsonNode in = demoBody(request);
        ObjectNode customer = CanonicalJson.mapper().createObjectNode();
        String now = java.time.OffsetDateTime.now(clock).withNano(0).toString();
        customer.put("id", ids.incrementAndGet()).put("email", in.path("email").asText(null)).put("phone", in.path("phone").asText(null))
                .put("first_name", in.path("firstName").asText(null)).put("last_name", in.path("lastName").asText(null))
                .put("state", "enabled").put("verified_email", true).put("currency", "USD").put("created_at", now)
                .put("updated_at", now);
        int status = send(webhookTarget, webhook("customers/create", customer));
        return SimResponse.json(200, "{\"customerId\":" + customer.get("id").asLong() + ",\"webhookStatus\":" + status + "}");
    }

    // ---- REST -------------------------------------------------------------------------------

    private Handler rest(Handler handler) {
        return request -> {
            if (!accessToken.equals(request.header(ShopifyHeaders.ACCESS_TOKEN))) {
                return SimResponse.json(401, "{\"errors\":\"" + INVALID_TOKEN.replace("\"", "\\\"") + "\"}");
            }
            int size = (int) bucket.capacity();
            if (!bucket.tryTake(1)) {
                // Retry-After in Shopify's form ("2.0"): when one request fits again, at least one leak step
                String retryAfter = String.format(java.util.Locale.ROOT, "%.1f",
                        Math.max(bucket.secondsUntil(1), 1 / bucket.refillPerSecond()));
                return SimResponse.json(429, "{\"errors\":\"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.\"}")
                        .withHeader("Retry-After", retryAfter)
                        .withHeader(ShopifyHeaders.CALL_LIMIT, size + "/" + size);
            }
            int used = (int) Math.ceil(size - bucket.available());
            return handler.apply(request).withHeader(ShopifyHeaders.CALL_LIMIT, used + "/" + size);
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
    /** Sets a level as a merchant would in the Shopify admin (no webhook is sent; send one with {@link #webhook}). */
    public void setAvailable(long inventoryItemId, long locationId, long available) {
        inventoryLevels.put(inventoryItemId + ":" + locationId, available);
    }

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
        // a new order's updated_at is its created_at; every change moves it on (Shopify REST Admin API, Order)
        order.put("updated_at", order.get("created_at").asText());
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

    /** An order taken at the shop's Shopify POS in the store at {@code locationId} ({@code source_name: pos}). */
    public ObjectNode newPosOrder(long locationId, String email, String currency, Line... items) {
        ObjectNode order = newOrder(email, currency, items);
        order.put("source_name", "pos").put("location_id", locationId);
        return order;
    }

    /**
     * Cancels a stored order as the Shopify admin would: {@code cancelled_at}, {@code cancel_reason}
     * and a later {@code updated_at}; returns the new state (the orders/cancelled payload).
     */
    public ObjectNode cancelOrder(long orderId) {
        ObjectNode order = ((ObjectNode) orders.get(orderId)).deepCopy();
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.ofHours(-4));
        order.put("cancelled_at", now.toString()).put("cancel_reason", "customer")
                .put("updated_at", later(order.path("updated_at").asText(null), now).toString());
        orders.put(orderId, order);
        return order;
    }

    /** Now, or a second after {@code previous} when the clock has not moved past it: updated_at only grows. */
    private static OffsetDateTime later(String previous, OffsetDateTime now) {
        if (previous == null) {
            return now;
        }
        OffsetDateTime before = OffsetDateTime.parse(previous);
        return now.isAfter(before) ? now : before.plusSeconds(1);
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
        return postWebhook(url, headers, body);
    }
}
