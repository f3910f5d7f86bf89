package dev.unison.connectors.tiktok.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.simulator.RefillingBucket;
import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.kit.simulator.SimResponse;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A TikTok Shop Open API (202309) on TikTok's real paths, so that third-party TikTok Shop clients
 * work against it unchanged (base URL aside). It checks every request the way the platform does:
 * {@code app_key}, a {@code timestamp} within five minutes, the {@code x-tts-access-token} header
 * (and that the token has not expired or been revoked), {@code shop_cipher} on shop-scoped calls,
 * and {@code sign} recomputed by its own, independent implementation of the algorithm (not the
 * connector's). Refusals use TikTok's envelope {@code {code, message, request_id, data}} with
 * HTTP 401; the numeric codes are the simulator's own, since TikTok publishes no authoritative
 * list we could check.
 *
 * <p>Served:
 * <ul>
 * <li>{@code GET /authorization/202309/shops} (Get Authorized Shops; signed, not shop-scoped);</li>
 * <li>{@code GET /product/202309/products/{id}} (Get Product: skus with id and seller_sku);</li>
 * <li>{@code POST /product/202309/products/{id}/inventory/update} (absolute quantity per sku and
 *     warehouse; unknown skus or warehouses and negative quantities are reported per sku inside a
 *     200 / code 0 answer, {@code data.errors[]}, as TikTok's "Update Inventory" sample response shows);</li>
 * <li>{@code GET /order/202309/orders?ids=} (Get Order Detail: string money, Unix-second times,
 *     one line item per unit);</li>
 * <li>{@code GET /api/v2/token/refresh} (auth API; unsigned; app_key, app_secret, refresh_token,
 *     grant_type=refresh_token).</li>
 * </ul>
 * Rate limit (the simulator's own; TikTok publishes no per-app number we could verify): a bucket
 * of {@value #RATE_LIMIT_BURST} requests per app, refilled at {@value #RATE_LIMIT_PER_SECOND}/s;
 * over it: HTTP 429 with code {@value #RATE_LIMITED} and {@code Retry-After}.
 * Webhooks: {@link #webhook} builds a signed notification ({@code Authorization} = hex
 * HMAC-SHA256 of app_key + body), {@link #send} / {@link #sendBadlySigned} deliver it.
 */
public class TikTokShopSimulator extends SimulatorServer {

    public static final int INVALID_SIGN = 36009004;
    public static final int EXPIRED_TIMESTAMP = 36009003;
    public static final int MISSING_TOKEN = 36009001;
    public static final int UNKNOWN_APP = 36009002;
    public static final int WRONG_SHOP = 36009005;
    public static final int EXPIRED_TOKEN = 36009006;
    public static final int RATE_LIMITED = 36009429;
    public static final int NOT_FOUND = 36009404;
    public static final int INVALID_REFRESH_TOKEN = 36004002;
    /** Per-sku inventory errors, as in the sample response of TikTok Shop Partner Center's "Update Inventory". */
    public static final int BATCH_UPDATE_INVENTORY_ERROR = 12052990;
    public static final int SKU_OR_WAREHOUSE_ERROR = 12052003;
    public static final int RATE_LIMIT_BURST = 50;
    public static final int RATE_LIMIT_PER_SECOND = 50;
    public static final String DEFAULT_WAREHOUSE_ID = "7068517275539719942";
    public static final String SHOP_ID = "7495611106826340000";

    private final String appKey;
    private final String appSecret;
    private final String shopCipher;
    private final RefillingBucket rateLimit;
    private final AtomicLong ids = new AtomicLong(1729380000000000000L);
    private final Map<String, ObjectNode> products = new ConcurrentHashMap<>();
    /** sku id -> warehouse id -> quantity */
    private final Map<String, Map<String, Long>> inventory = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> orders = new ConcurrentHashMap<>();
    private final List<String> warehouses = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(DEFAULT_WAREHOUSE_ID));
    private volatile String accessToken;
    private volatile String refreshToken;
    private volatile long accessTokenExpiresAt;
    private volatile boolean revoked;
    private volatile boolean rotateRefreshTokens;
    private final AtomicLong inventoryCalls = new AtomicLong();

    public TikTokShopSimulator(int port, String appKey, String appSecret, String accessToken, String shopCipher,
            Clock clock) {
        this(port, appKey, appSecret, accessToken, "refresh-" + accessToken, shopCipher, clock);
    }

    public TikTokShopSimulator(int port, String appKey, String appSecret, String accessToken, String refreshToken,
            String shopCipher, Clock clock) {
        super("tiktok-shop", port, clock);
        this.appKey = appKey;
        this.appSecret = appSecret;
        this.accessToken = accessToken;
        this.refreshToken = refreshToken;
        this.shopCipher = shopCipher;
        this.accessTokenExpiresAt = clock.instant().plus(Duration.ofDays(7)).getEpochSecond();
        this.rateLimit = new RefillingBucket(RATE_LIMIT_BURST, RATE_LIMIT_PER_SECOND, clock);
        route("GET", "/authorization/202309/shops", verified(false, r -> ok(shops())));
        route("GET", "/product/202309/products/(?<product>[0-9]+)", verified(true, this::getProduct));
        route("POST", "/product/202309/products/(?<product>[0-9]+)/inventory/update", verified(true, this::updateInventory));
        route("GET", "/order/202309/orders", verified(true, this::getOrders));
        route("GET", "/api/v2/token/refresh", this::refreshToken);
        route("POST", "/simulator/products", this::simulateProduct);
        route("POST", "/simulator/orders", this::simulateOrder);
        route("GET", "/simulator/inventory/(?<sku>[^/]+)", this::simulatedQuantity);
    }

    private volatile String webhookTarget;

    /** Where the demo controls ({@code /simulator/*}) send notifications (the hub's /webhooks/tiktok-shop/{id}). */
    public void setWebhookTarget(String url) {
        this.webhookTarget = url;
    }

    /** {@code POST /simulator/products {"title", "skus": [...]}}: creates it, sends a signed type-15 notification. */
    private SimResponse simulateProduct(SimRequest request) {
        JsonNode in = demoBody(request);
        List<String> skus = new ArrayList<>();
        in.path("skus").forEach(sku -> skus.add(sku.asText()));
        if (skus.isEmpty()) {
            return SimResponse.json(422, "{\"errors\":{\"skus\":\"at least one seller sku\"}}");
        }
        ObjectNode product = newProduct(in.path("title").asText("Demo product"), skus.toArray(String[]::new));
        ObjectNode out = CanonicalJson.mapper().createObjectNode();
        out.put("productId", product.get("id").asText()).put("webhookStatus", send(webhookTarget, productChange(product)));
        return SimResponse.json(200, CanonicalJson.write(out));
    }

    /**
     * {@code POST /simulator/orders {"status": "AWAITING_SHIPMENT", "lines": [{"sku", "quantity", "price"}],
     * "buyerEmail"?, "recipientPhone"?}} (the last two replace the masked values):
     * creates the order, sends a signed ORDER_STATUS_CHANGE notification (the hub then fetches it).
     */
    private SimResponse simulateOrder(SimRequest request) {
        JsonNode in = demoBody(request);
        List<Line> lines = new ArrayList<>();
        in.path("lines").forEach(l -> lines.add(new Line(l.path("sku").asText(), l.path("quantity").asInt(1),
                l.path("price").asText("0.00"))));
        if (lines.isEmpty()) {
            return SimResponse.json(422, "{\"errors\":{\"lines\":\"at least one line\"}}");
        }
        ObjectNode order = newOrder(in.path("status").asText("AWAITING_SHIPMENT"), lines.toArray(Line[]::new));
        // demo only: a seller with access to unmasked buyer data
        if (in.hasNonNull("buyerEmail")) {
            order.put("buyer_email", in.get("buyerEmail").asText());
        }
        if (in.hasNonNull("recipientPhone")) {
            ((ObjectNode) order.get("recipient_address")).put("phone_number", in.get("recipientPhone").asText());
        }
        ObjectNode out = CanonicalJson.mapper().createObjectNode();
        out.put("orderId", order.get("id").asText()).put("webhookStatus", send(webhookTarget, orderStatusChange(order)));
        return SimResponse.json(200, CanonicalJson.write(out));
    }

    private SimResponse simulatedQuantity(SimRequest request) {
        Long quantity = available(request.pathParam("sku"), DEFAULT_WAREHOUSE_ID);
        if (quantity == null) {
            return SimResponse.json(404, "{\"errors\":\"no product has this seller sku\"}");
        }
        return SimResponse.json(200, "{\"sku\":\"" + request.pathParam("sku").replace("\"", "") + "\",\"warehouseId\":\""
                + DEFAULT_WAREHOUSE_ID + "\",\"quantity\":" + quantity + "}");
    }

    private JsonNode demoBody(SimRequest request) {
        if (webhookTarget == null) {
            throw new dev.unison.connectors.kit.simulator.SimulatorRejection(
                    SimResponse.json(409, "{\"errors\":\"no webhook target configured\"}"));
        }
        try {
            return CanonicalJson.parse(request.body());
        } catch (IllegalArgumentException e) {
            throw new dev.unison.connectors.kit.simulator.SimulatorRejection(
                    SimResponse.json(400, "{\"errors\":\"malformed JSON\"}"));
        }
    }

    private Handler verified(boolean shopScoped, Handler handler) {
        return request -> {
            if (!rateLimit.tryTake(1)) {
                return envelope(RATE_LIMITED, "Too many requests: the app's rate limit is " + RATE_LIMIT_PER_SECOND + "/s", "{}")
                        .withStatus(429).withHeader("Retry-After", String.valueOf(
                                Math.max(1, (long) Math.ceil(rateLimit.secondsUntil(1)))));
            }
            String refusal = refusal(request, shopScoped);
            return refusal == null ? handler.apply(request) : error(refusal);
        };
    }

    /** Why the platform would refuse this request, or null when it is properly signed. */
    public String refusal(SimRequest request, boolean shopScoped) {
        List<String[]> params = new ArrayList<>();
        if (request.query() != null) {
            for (String pair : request.query().split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.add(new String[] {k, v});
            }
        }
        Map<String, String> byName = new java.util.HashMap<>();
        params.forEach(p -> byName.put(p[0], p[1]));
        if (request.header("x-tts-access-token") == null || request.header("x-tts-access-token").isEmpty()) {
            return MISSING_TOKEN + " missing x-tts-access-token";
        }
        if (revoked) {
            return MISSING_TOKEN + " the seller has revoked this app's authorization";
        }
        if (!accessToken.equals(request.header("x-tts-access-token"))) {
            return MISSING_TOKEN + " invalid access token";
        }
        if (clock.instant().getEpochSecond() >= accessTokenExpiresAt) {
            return EXPIRED_TOKEN + " access token expired";
        }
        if (!appKey.equals(byName.get("app_key"))) {
            return UNKNOWN_APP + " unknown app_key";
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(byName.getOrDefault("timestamp", ""));
        } catch (NumberFormatException e) {
            return EXPIRED_TIMESTAMP + " timestamp missing or not Unix seconds";
        }
        if (Math.abs(clock.instant().getEpochSecond() - timestamp) > 300) {
            return EXPIRED_TIMESTAMP + " timestamp is more than 5 minutes off";
        }
        if (shopScoped && !shopCipher.equals(byName.get("shop_cipher"))) {
            return WRONG_SHOP + " shop_cipher missing or not this shop's";
        }
        String expected = expectedSign(request.method(), request.path(), params, request.bodyText());
        if (!expected.equals(byName.get("sign"))) {
            return INVALID_SIGN + " invalid sign";
        }
        return null;
    }

    /** An independent implementation of TikTok's signing, to check the connector's against. */
    String expectedSign(String method, String path, List<String[]> params, String body) {
        List<String[]> signed = new ArrayList<>();
        for (String[] p : params) {
            if (!p[0].equals("sign") && !p[0].equals("access_token") && !p[1].isEmpty()) {
                signed.add(p);
            }
        }
        signed.sort((a, b) -> a[0].compareTo(b[0]));
        String joined = String.join("", signed.stream().map(p -> p[0] + p[1]).toList());
        return hmacHex(appSecret, appSecret + path + joined + (method.equals("GET") ? "" : body) + appSecret);
    }

    private static SimResponse error(String refusal) {
        int space = refusal.indexOf(' ');
        return envelope(Integer.parseInt(refusal.substring(0, space)), refusal.substring(space + 1), "{}")
                .withStatus(401);
    }

    static SimResponse envelope(int code, String message, String dataJson) {
        return SimResponse.json(200, "{\"code\":" + code + ",\"message\":\"" + message.replace("\"", "'")
                + "\",\"request_id\":\"" + UUID.randomUUID() + "\",\"data\":" + dataJson + "}");
    }

    private static SimResponse ok(JsonNode data) {
        return envelope(0, "Success", CanonicalJson.write(data));
    }

    private static SimResponse notFound(String what) {
        return envelope(NOT_FOUND, what + " not found", "{}").withStatus(404);
    }

    private JsonNode shops() {
        ObjectNode data = CanonicalJson.mapper().createObjectNode();
        data.putArray("shops").addObject().put("id", SHOP_ID).put("name", "Unison demo TikTok shop").put("region", "US")
                .put("seller_type", "LOCAL").put("cipher", shopCipher).put("code", "USLCDEMO01");
        return data;
    }

    private SimResponse getProduct(SimRequest request) {
        ObjectNode product = products.get(request.pathParam("product"));
        return product == null ? notFound("product " + request.pathParam("product")) : ok(product);
    }

    /** Absolute quantities per sku and warehouse; what cannot apply is reported per sku inside code 0. */
    private SimResponse updateInventory(SimRequest request) {
        ObjectNode product = products.get(request.pathParam("product"));
        if (product == null) {
            return notFound("product " + request.pathParam("product"));
        }
        JsonNode body;
        try {
            body = CanonicalJson.parse(request.body());
        } catch (IllegalArgumentException e) {
            return envelope(36009400, "invalid JSON body", "{}").withStatus(400);
        }
        if (!body.path("skus").isArray() || body.path("skus").isEmpty()) {
            return envelope(36009400, "skus: required non-empty array", "{}").withStatus(400);
        }
        inventoryCalls.incrementAndGet();
        Map<String, String> productSkus = new LinkedHashMap<>();
        product.path("skus").forEach(sku -> productSkus.put(sku.get("id").asText(), sku.get("seller_sku").asText()));
        ArrayNode errors = CanonicalJson.mapper().createArrayNode();
        for (JsonNode sku : body.get("skus")) {
            String skuId = sku.path("id").asText();
            List<ObjectNode> extra = new ArrayList<>();
            if (!productSkus.containsKey(skuId)) {
                extra.add(extraError("sku " + skuId + " does not belong to product " + request.pathParam("product"), null));
            } else {
                for (JsonNode entry : sku.path("inventory")) {
                    String warehouse = entry.path("warehouse_id").asText();
                    if (!warehouses.contains(warehouse)) {
                        extra.add(extraError("warehouse does not exist or is not this shop's", warehouse));
                    } else if (!entry.path("quantity").isIntegralNumber() || entry.path("quantity").asLong() < 0) {
                        extra.add(extraError("quantity must be an integer >= 0", warehouse));
                    }
                }
            }
            if (!extra.isEmpty()) {
                ObjectNode error = errors.addObject();
                error.put("code", BATCH_UPDATE_INVENTORY_ERROR).put("message", "batch update inventory error");
                ObjectNode detail = error.putObject("detail");
                detail.put("sku_id", skuId);
                detail.putArray("extra_errors").addAll(extra);
                continue;
            }
            for (JsonNode entry : sku.path("inventory")) {
                inventory.computeIfAbsent(skuId, k -> new ConcurrentHashMap<>())
                        .put(entry.get("warehouse_id").asText(), entry.get("quantity").asLong());
            }
        }
        ObjectNode data = CanonicalJson.mapper().createObjectNode();
        if (!errors.isEmpty()) {
            data.set("errors", errors);
        }
        return ok(data);
    }

    private static ObjectNode extraError(String message, String warehouse) {
        ObjectNode e = CanonicalJson.mapper().createObjectNode().put("code", SKU_OR_WAREHOUSE_ERROR).put("message", message);
        if (warehouse != null) {
            e.put("warehouse_id", warehouse);
        }
        return e;
    }

    private SimResponse getOrders(SimRequest request) {
        String ids = request.queryParam("ids");
        if (ids == null || ids.isBlank()) {
            return envelope(36009400, "ids: required", "{}").withStatus(400);
        }
        ObjectNode data = CanonicalJson.mapper().createObjectNode();
        ArrayNode list = data.putArray("orders");
        for (String id : ids.split(",")) {
            ObjectNode order = orders.get(id.trim());
            if (order != null) {
                list.add(order);
            }
        }
        return ok(data);
    }

    /**
     * The auth API's refresh: unsigned; a new access token valid 7 days (the old one stops working).
     * The answer carries a {@code refresh_token}; TikTok Shop Partner Center, "Authorization overview",
     * tells clients to keep the one returned. With {@link #rotateRefreshTokens} the simulator issues a
     * new one each time and refuses the previous one, so a client that forgets what it was given
     * (e.g. across a restart) is locked out, as with a provider that rotates.
     */
    private SimResponse refreshToken(SimRequest request) {
        if (!appKey.equals(request.queryParam("app_key")) || !appSecret.equals(request.queryParam("app_secret"))) {
            return envelope(UNKNOWN_APP, "invalid app_key or app_secret", "{}");
        }
        if (revoked || !"refresh_token".equals(request.queryParam("grant_type"))
                || !refreshToken.equals(request.queryParam("refresh_token"))) {
            return envelope(INVALID_REFRESH_TOKEN, "invalid or revoked refresh token", "{}");
        }
        accessToken = "TTP_" + UUID.randomUUID().toString().replace("-", "");
        if (rotateRefreshTokens) {
            refreshToken = "TTR_" + UUID.randomUUID().toString().replace("-", "");
        }
        accessTokenExpiresAt = clock.instant().plus(Duration.ofDays(7)).getEpochSecond();
        ObjectNode data = CanonicalJson.mapper().createObjectNode();
        data.put("access_token", accessToken).put("access_token_expire_in", accessTokenExpiresAt)
                .put("refresh_token", refreshToken)
                .put("refresh_token_expire_in", clock.instant().plus(Duration.ofDays(365)).getEpochSecond())
                .put("open_id", "sim-open-id").put("seller_name", "Unison demo TikTok shop").put("seller_base_region", "US");
        return ok(data);
    }

    // ---- controls for tests and demos ----

    /** The access token lapses now (calls are refused until the client refreshes it). */
    public void expireAccessToken() {
        accessTokenExpiresAt = clock.instant().getEpochSecond();
    }

    /** The seller revokes the app: every call and every refresh is refused from now on. */
    public void revokeAuthorization() {
        revoked = true;
    }

    /** The seller authorises the app again: new tokens, the earlier ones stay refused. */
    public void reauthorize(String newAccessToken, String newRefreshToken) {
        accessToken = newAccessToken;
        refreshToken = newRefreshToken;
        accessTokenExpiresAt = clock.instant().plus(Duration.ofDays(7)).getEpochSecond();
        revoked = false;
    }

    /** Whether each refresh issues a new refresh token and invalidates the previous one (off by default). */
    public void rotateRefreshTokens(boolean rotate) {
        rotateRefreshTokens = rotate;
    }

    public String currentRefreshToken() {
        return refreshToken;
    }

    public String currentAccessToken() {
        return accessToken;
    }

    public long inventoryCalls() {
        return inventoryCalls.get();
    }

    /** A product with one sku per seller sku (quantity 0 in the default warehouse); returns Get Product's data. */
    public ObjectNode newProduct(String title, String... sellerSkus) {
        String productId = String.valueOf(ids.incrementAndGet());
        ObjectNode product = CanonicalJson.mapper().createObjectNode();
        product.put("id", productId).put("title", title).put("status", "ACTIVATE");
        ArrayNode skus = product.putArray("skus");
        for (String sellerSku : sellerSkus) {
            String skuId = String.valueOf(ids.incrementAndGet());
            skus.addObject().put("id", skuId).put("seller_sku", sellerSku)
                    .putArray("inventory").addObject().put("warehouse_id", DEFAULT_WAREHOUSE_ID).put("quantity", 0);
            inventory.computeIfAbsent(skuId, k -> new ConcurrentHashMap<>()).put(DEFAULT_WAREHOUSE_ID, 0L);
        }
        products.put(productId, product);
        return product;
    }

    /** The quantity of a seller sku in a warehouse, or null when unknown. */
    public Long available(String sellerSku, String warehouseId) {
        for (ObjectNode product : products.values()) {
            for (JsonNode sku : product.path("skus")) {
                if (sellerSku.equals(sku.path("seller_sku").asText())) {
                    Map<String, Long> byWarehouse = inventory.get(sku.get("id").asText());
                    return byWarehouse == null ? null : byWarehouse.get(warehouseId);
                }
            }
        }
        return null;
    }

    public record Line(String sellerSku, int quantity, String salePrice) {
    }

    /**
     * An order as Get Order Detail returns it (status e.g. UNPAID, AWAITING_SHIPMENT, CANCELLED):
     * one line item per unit, money as strings, Unix-second times, a masked relay buyer email and a
     * masked recipient phone. The returned node is the stored one: a test may edit it before the
     * notification (e.g. an unmasked buyer email).
     */
    public ObjectNode newOrder(String status, Line... lines) {
        String orderId = String.valueOf(ids.incrementAndGet());
        long now = clock.instant().getEpochSecond();
        ObjectNode order = CanonicalJson.mapper().createObjectNode();
        order.put("id", orderId).put("status", status).put("create_time", now).put("update_time", now)
                .put("user_id", "7021436810468230477").put("buyer_email", "v" + orderId.substring(10) + "@scs2.tiktok.com")
                .put("fulfillment_type", "FULFILLMENT_BY_SELLER").put("warehouse_id", DEFAULT_WAREHOUSE_ID);
        // masked as TikTok masks buyer PII for most sellers; a test may replace it with an unmasked value
        order.putObject("recipient_address").put("name", "J*** D***").put("phone_number", "(+1)415*****00")
                .put("postal_code", "94107").put("region_code", "US");
        if (!"UNPAID".equals(status)) {
            order.put("paid_time", now);
        }
        ArrayNode items = order.putArray("line_items");
        java.math.BigDecimal total = java.math.BigDecimal.ZERO;
        for (Line line : lines) {
            String skuId = skuIdOf(line.sellerSku());
            for (int unit = 0; unit < line.quantity(); unit++) {
                items.addObject().put("id", String.valueOf(ids.incrementAndGet())).put("sku_id", skuId)
                        .put("seller_sku", line.sellerSku()).put("product_name", line.sellerSku())
                        .put("sale_price", line.salePrice()).put("original_price", line.salePrice()).put("currency", "USD")
                        .put("display_status", status);
                total = total.add(new java.math.BigDecimal(line.salePrice()));
            }
        }
        order.putObject("payment").put("currency", "USD").put("sub_total", total.toPlainString())
                .put("total_amount", total.toPlainString()).put("tax", "0").put("shipping_fee", "0");
        orders.put(orderId, order);
        return order;
    }

    /** Changes a stored order's status (e.g. to AWAITING_SHIPMENT once paid, CANCELLED). */
    public void setOrderStatus(String orderId, String status) {
        ObjectNode order = orders.get(orderId);
        order.put("status", status).put("update_time", clock.instant().getEpochSecond());
        order.get("line_items").forEach(item -> ((ObjectNode) item).put("display_status", status));
    }

    private String skuIdOf(String sellerSku) {
        for (ObjectNode product : products.values()) {
            for (JsonNode sku : product.path("skus")) {
                if (sellerSku.equals(sku.path("seller_sku").asText())) {
                    return sku.get("id").asText();
                }
            }
        }
        return String.valueOf(ids.incrementAndGet()); // a sku the shop does not list (e.g. removed since)
    }

    /** A notification as TikTok pushes it, signed: {@code Authorization} = hex HMAC-SHA256(app_key + body). */
    public record Delivery(int type, byte[] body, String authorization) {
    }

    public Delivery webhook(int type, JsonNode data) {
        ObjectNode envelope = CanonicalJson.mapper().createObjectNode();
        envelope.put("type", type).put("tts_notification_id", String.valueOf(ids.incrementAndGet()))
                .put("shop_id", SHOP_ID).put("timestamp", clock.instant().getEpochSecond()).set("data", data);
        byte[] body = CanonicalJson.write(envelope).getBytes(StandardCharsets.UTF_8);
        return new Delivery(type, body, hmacHex(appSecret, appKey + new String(body, StandardCharsets.UTF_8)));
    }

    /**
     * A SELLER_DEAUTHORIZATION (type 6) notification: the seller removed the app from the shop
     * (TikTok Shop Partner Center, "Webhooks: Seller deauthorization"). Revokes the tokens too.
     */
    public Delivery sellerDeauthorization() {
        revokeAuthorization();
        ObjectNode data = CanonicalJson.mapper().createObjectNode();
        data.put("update_time", clock.instant().getEpochSecond());
        return webhook(6, data);
    }

    /** An ORDER_STATUS_CHANGE (type 1) notification for a stored order. */
    public Delivery orderStatusChange(JsonNode order) {
        ObjectNode data = CanonicalJson.mapper().createObjectNode();
        data.put("order_id", order.get("id").asText()).put("order_status", order.get("status").asText())
                .put("is_on_hold_order", false).put("update_time", order.get("update_time").asLong());
        return webhook(1, data);
    }

    /** A PRODUCT_INFORMATION_CHANGE (type 15) notification for a stored product. */
    public Delivery productChange(JsonNode product) {
        ObjectNode data = CanonicalJson.mapper().createObjectNode();
        data.put("product_id", product.get("id").asText()).put("status", "ACTIVATE")
                .put("update_time", clock.instant().getEpochSecond());
        return webhook(15, data);
    }

    public int send(String url, Delivery delivery) {
        return postWebhook(url, Map.of("Authorization", delivery.authorization()), delivery.body());
    }

    /** Delivers with a signature made with the wrong secret. */
    public int sendBadlySigned(String url, Delivery delivery) {
        return postWebhook(url, Map.of("Authorization", hmacHex("not-the-" + appSecret,
                appKey + new String(delivery.body(), StandardCharsets.UTF_8))), delivery.body());
    }

    private static String hmacHex(String key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
