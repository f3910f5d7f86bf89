package dev.unison.connectors.sfcc.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.kit.simulator.SimResponse;
import dev.unison.connectors.kit.simulator.SimulatorRejection;
import dev.unison.connectors.kit.simulator.RequestHold;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Salesforce B2C Commerce on its real paths, enforcing its contract:
 * <ul>
 * <li>Account Manager ("B2C Commerce API: Authorization for Admin APIs"): {@code POST
 *     /dwsso/oauth2/access_token}, {@code grant_type=client_credentials}, HTTP Basic client
 *     authentication, {@code scope} naming {@code SALESFORCE_COMMERCE_API:<tenant>}; tokens expire
 *     ({@code expires_in} 1799 by default); a wrong client is 401 {@code invalid_client};</li>
 * <li>Orders API: order search with {@code siteId}, {@code exportStatus}, {@code lastModifiedDateFrom},
 *     {@code sortBy=last_modified_date|creation_date}, paging {@code offset}/{@code limit} (at most 200), results
 *     {@code {limit, offset, total, data}}; get order; {@code PUT .../export-status} with
 *     {@code {"status"}};</li>
 * <li>Customers API: customer search of a customer list with a {@code rangeQuery} on
 *     {@code lastModified}, results {@code {limit, offset, total, hits}};</li>
 * <li>Omnichannel Inventory: availability-records batch update, at most 100 records, each
 *     {@code actionRequestId} applied once and its first result replayed;</li>
 * <li>rate limits ("B2C Commerce API: Rate limits"): per endpoint, per 60 s window (GET orders
 *     4000, PUT export-status 4000, ...), over the limit 429 with {@code Retry-After}; load shedding:
 *     {@link #load(int)} adds {@code sfdc_load} and {@code sfdc_load_status} (WARN from 80, THROTTLE
 *     from 90, when every third request is answered 503).</li>
 * </ul>
 * Tests add orders (with store-pickup shipments) and customers, hold a request, refuse
 * credentials, expire tokens, and may have a hook callout POSTed for every order created.
 */
public class SfccSimulator extends SimulatorServer {

    public static final String CLIENT_ID = "a1b2c3d4-e5f6-4a5b-8c7d-0123456789ab";
    public static final String CLIENT_SECRET = "sim-client-secret";
    public static final String ORGANIZATION = "f_ecom_zzte_053";
    public static final String TENANT = "zzte_053";
    public static final String SITE = "RefArch";
    public static final String CUSTOMER_LIST = "RefArch";
    public static final String TOKEN_PATH = "/dwsso/oauth2/access_token";

    /** One product item of an order added by a test. */
    public record Line(String productId, int quantity, String unitPrice) {
    }

    private final Map<String, ObjectNode> orders = new LinkedHashMap<>();
    private final Map<String, ObjectNode> customers = new LinkedHashMap<>();
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Map<String, Long> onHand = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> actionResults = new ConcurrentHashMap<>();
    private final Map<String, Integer> limits = new ConcurrentHashMap<>();
    private final Map<String, long[]> windows = new ConcurrentHashMap<>();
    private final AtomicInteger applied = new AtomicInteger();
    private final AtomicInteger replayed = new AtomicInteger();
    private final AtomicInteger tokensIssued = new AtomicInteger();
    private final AtomicInteger shed = new AtomicInteger();
    private final AtomicInteger nextOrderNo = new AtomicInteger(1000);
    private volatile Duration tokenLifetime = Duration.ofSeconds(1799);
    private volatile boolean refused;
    private volatile int load;
    private volatile String hookUrl;
    private final RequestHold hold = new RequestHold();
    private final AtomicInteger loadCounter = new AtomicInteger();
    private final AtomicInteger expireCountdown = new AtomicInteger(-1);
    private Instant lastStamp = Instant.EPOCH;

    public SfccSimulator(int port, Clock clock) {
        super("sfcc", port, clock);
        // "B2C Commerce API: Rate limits": per endpoint per 60 s
        limits.put("GET /orders", 4000);
        limits.put("PATCH /orders", 2400);
        limits.put("PUT /status", 2400);
        limits.put("PUT /export-status", 4000);
        limits.put("POST /customer-search", 4000);
        limits.put("POST /batch-update", 4000);
        route("POST", TOKEN_PATH, this::token);
        String orgs = "/checkout/orders/v1/organizations/(?<org>[A-Za-z0-9_]+)/orders";
        route("GET", orgs, r -> data(r, "GET /orders", this::searchOrders));
        route("GET", orgs + "/(?<orderNo>[^/]+)", r -> data(r, "GET /orders", this::getOrder));
        route("PUT", orgs + "/(?<orderNo>[^/]+)/export-status", r -> data(r, "PUT /export-status", this::exportStatus));
        route("POST", "/customer/customers/v1/organizations/(?<org>[A-Za-z0-9_]+)/customer-lists/(?<list>[^/]+)/customer-search",
                r -> data(r, "POST /customer-search", this::searchCustomers));
        route("POST", "/inventory/availability/v1/organizations/(?<org>[A-Za-z0-9_]+)/availability-records/actions/batch-update",
                r -> data(r, "POST /batch-update", this::batchUpdate));
        // demo control (not SFCC's API; no token): what a shopper or Business Manager would do
        route("POST", "/simulator/orders", this::simulateOrder);
        route("POST", "/simulator/customers", this::simulateCustomer);
        route("GET", "/simulator/orders/(?<orderNo>[^/]+)", this::simulatedOrder);
        route("GET", "/simulator/inventory/(?<sku>[^/]+)", this::simulatedOnHand);
    }

    // ---- demo control ----

    /** {@code {"email", "phone", "customerNo", "pickupStore", "lines": [{"sku", "quantity", "price"}]}}: a ready order. */
    private SimResponse simulateOrder(SimRequest request) {
        JsonNode in = demoBody(request);
        List<Line> lines = new ArrayList<>();
        in.path("lines").forEach(l -> lines.add(new Line(l.path("sku").asText(), l.path("quantity").asInt(1),
                l.path("price").asText("0.00"))));
        if (lines.isEmpty() || !in.hasNonNull("email")) {
            return SimResponse.json(422, "{\"errors\":\"an email and at least one line\"}");
        }
        String orderNo = addOrder(in.get("email").asText(), in.path("phone").asText(null), in.path("customerNo").asText(null),
                in.path("pickupStore").asText(null), lines);
        return SimResponse.json(200, "{\"orderNo\":\"" + orderNo + "\",\"exportStatus\":\"ready\"}");
    }

    /** {@code {"customerNo", "email", "phoneMobile"}}: a customer of the customer list added or changed. */
    private SimResponse simulateCustomer(SimRequest request) {
        JsonNode in = demoBody(request);
        if (!in.hasNonNull("customerNo") || !in.hasNonNull("email")) {
            return SimResponse.json(422, "{\"errors\":\"customerNo and email\"}");
        }
        putCustomer(in.get("customerNo").asText(), in.get("email").asText(), in.path("phoneMobile").asText(null));
        return SimResponse.json(200, "{\"customerNo\":\"" + in.get("customerNo").asText().replace("\"", "") + "\"}");
    }

    private synchronized SimResponse simulatedOrder(SimRequest request) {
        ObjectNode o = orders.get(request.pathParam("orderNo"));
        return o == null ? SimResponse.json(404, "{\"errors\":\"no such order\"}") : SimResponse.json(200, CanonicalJson.write(o));
    }

    /** OCI's on-hand of a sku at every location the hub wrote it to. */
    private SimResponse simulatedOnHand(SimRequest request) {
        String sku = request.pathParam("sku");
        ObjectNode out = CanonicalJson.mapper().createObjectNode().put("sku", sku);
        ObjectNode at = out.putObject("onHand");
        onHand.forEach((key, quantity) -> {
            int slash = key.lastIndexOf('/' + sku);
            if (slash > 0 && slash + 1 + sku.length() == key.length()) {
                at.put(key.substring(0, slash), quantity);
            }
        });
        return SimResponse.json(at.isEmpty() ? 404 : 200, CanonicalJson.write(out));
    }

    private static JsonNode demoBody(SimRequest request) {
        try {
            return CanonicalJson.parse(request.body());
        } catch (IllegalArgumentException e) {
            throw new SimulatorRejection(SimResponse.json(400, "{\"errors\":\"malformed JSON\"}"));
        }
    }

    // ---- knobs for tests ----

    /** From now on the token endpoint answers 401 invalid_client and every issued token is refused (or no longer). */
    public void refuseCredentials(boolean refuse) {
        this.refused = refuse;
        if (refuse) {
            tokens.clear();
        }
    }

    /** How long new tokens live. */
    public void tokenLifetime(Duration lifetime) {
        this.tokenLifetime = lifetime;
    }

    /** Every token issued so far lapses now (the next data call with one is answered 401). */
    public void expireTokens() {
        tokens.replaceAll((token, expiry) -> Instant.EPOCH);
    }

    /** Tokens lapse after {@code dataRequests} more data requests have been answered: expiry in the middle of a poll. */
    public void expireTokensAfter(int dataRequests) {
        expireCountdown.set(dataRequests);
    }

    public int tokensIssued() {
        return tokensIssued.get();
    }

    /** The realm's load in percent: from 80 answers say WARN, from 90 THROTTLE and every third request is shed (503). */
    public void load(int percent) {
        this.load = percent;
    }

    /** Requests shed with 503 so far. */
    public int shed() {
        return shed.get();
    }

    /** The limit of one endpoint per 60 s window, e.g. {@code "POST /batch-update"}. */
    public void limit(String endpoint, int perMinute) {
        limits.put(endpoint, perMinute);
    }

    /** POSTs {@code {"event": "order.created", "orderNo", "siteId"}} to {@code url} for every order added (a hook callout). */
    public void hookCallout(String url) {
        this.hookUrl = url;
    }

    /** Holds the next data request in flight (the pull TCK). */
    public RequestHold hold() {
        return hold;
    }

    // ---- data for tests ----

    /** Adds a ready order of a guest or registered customer (customerNo may be null); pickupStore null: shipped. */
    public String addOrder(String email, String customerNo, String pickupStore, Line... lines) {
        return addOrder(email, "+1 415 555 0100", customerNo, pickupStore, List.of(lines));
    }

    /**
     * Adds a ready order whose billing address has {@code phone} (null: none); customerNo null: a
     * guest; pickupStore null: shipped, else a store-pickup shipment at that store ({@code c_fromStoreId}).
     */
    public synchronized String addOrder(String email, String phone, String customerNo, String pickupStore, List<Line> lines) {
        String orderNo = String.format("%08d", nextOrderNo.incrementAndGet());
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        Instant now = stamp();
        o.put("orderNo", orderNo).put("siteId", SITE).put("status", "new").put("exportStatus", "ready")
                .put("channelType", "storefront").put("currency", "USD").put("paymentStatus", "not_paid")
                .put("shippingStatus", "not_shipped").put("confirmationStatus", "confirmed")
                .put("creationDate", now.toString()).put("placeDate", now.toString()).put("lastModified", now.toString())
                .put("taxation", "gross");
        ObjectNode info = o.putObject("customerInfo").put("customerId", "ab" + orderNo).put("customerName", "Jane Doe")
                .put("email", email).put("guest", customerNo == null);
        if (customerNo != null) {
            info.put("customerNo", customerNo);
        }
        ObjectNode billing = o.putObject("billingAddress").put("firstName", "Jane").put("lastName", "Doe").put("countryCode", "US");
        if (phone != null) {
            billing.put("phone", phone);
        }
        ArrayNode items = o.putArray("productItems");
        BigDecimal total = BigDecimal.ZERO;
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            BigDecimal price = new BigDecimal(line.unitPrice()).multiply(BigDecimal.valueOf(line.quantity()));
            total = total.add(price);
            items.addObject().put("itemId", "it" + orderNo + i).put("productId", line.productId())
                    .put("productName", "Product " + line.productId()).put("quantity", line.quantity())
                    .put("basePrice", new BigDecimal(line.unitPrice())).put("grossPrice", price).put("netPrice", price)
                    .put("tax", BigDecimal.ZERO).put("taxRate", BigDecimal.ZERO).put("priceAfterItemDiscount", price)
                    .put("priceAfterOrderDiscount", price).put("position", i + 1).put("shipmentId", "me");
        }
        ObjectNode shipment = o.putArray("shipments").addObject().put("shipmentId", "me").put("shipmentNo", orderNo + "-1");
        if (pickupStore != null) {
            shipment.putObject("shippingMethod").put("id", "005").put("c_storePickupEnabled", true);
            shipment.put("c_fromStoreId", pickupStore);
        } else {
            shipment.putObject("shippingMethod").put("id", "001");
            shipment.putObject("shippingAddress").put("firstName", "Jane").put("lastName", "Doe").put("city", "Boston");
        }
        o.put("productSubTotal", total).put("productTotal", total).put("orderTotal", total);
        orders.put(orderNo, o);
        if (hookUrl != null) {
            String url = hookUrl;
            byte[] callout = ("{\"event\":\"order.created\",\"orderNo\":\"" + orderNo + "\",\"siteId\":\"" + SITE + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            Thread sender = new Thread(() -> {
                try {
                    postWebhook(url, Map.of(), callout);
                } catch (RuntimeException unreachable) {
                    // a hook callout is best effort, as SFCC's own
                }
            }, "sfcc-hook-callout");
            sender.setDaemon(true);
            sender.start();
        }
        return orderNo;
    }

    /** Adds {@code count} ready orders of one line each. */
    public List<String> addOrders(int count) {
        List<String> added = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            added.add(addOrder("shopper" + i + "@example.com", null, null, new Line("SKU-" + (i % 7), 1 + i % 3, "19.99")));
        }
        return added;
    }

    /** Changes an order as Business Manager or an OMS would (status, payment, shipping); modifies it. */
    public synchronized void changeOrder(String orderNo, String status, String paymentStatus, String shippingStatus) {
        ObjectNode o = orders.get(orderNo);
        o.put("status", status).put("paymentStatus", paymentStatus).put("shippingStatus", shippingStatus)
                .put("lastModified", stamp().toString());
    }

    /** Stores an order exactly as given (e.g. one that cannot be mapped). */
    public synchronized void putOrder(ObjectNode order) {
        orders.put(order.path("orderNo").asText(), order);
    }

    public synchronized String exportStatusOf(String orderNo) {
        return orders.get(orderNo).path("exportStatus").asText();
    }

    public synchronized ObjectNode order(String orderNo) {
        return orders.get(orderNo).deepCopy();
    }

    /** Adds or changes a customer of the customer list. */
    public synchronized void putCustomer(String customerNo, String email, String phoneMobile) {
        ObjectNode c = customers.computeIfAbsent(customerNo, no -> {
            ObjectNode n = CanonicalJson.mapper().createObjectNode();
            n.put("customerId", "cu" + no).put("customerNo", no).put("creationDate", stamp().toString());
            return n;
        });
        c.put("email", email).put("login", email).put("firstName", "Jane").put("lastName", "Doe")
                .put("lastModified", stamp().toString());
        if (phoneMobile != null) {
            c.put("phoneMobile", phoneMobile);
        }
    }

    /** OCI's on-hand of a sku at a location, or null. */
    public Long onHand(String location, String sku) {
        return onHand.get(location + "/" + sku);
    }

    /** Record updates applied, and replays of an actionRequestId answered with its first result. */
    public int appliedUpdates() {
        return applied.get();
    }

    public int replayedUpdates() {
        return replayed.get();
    }

    // ---- the contract ----

    private synchronized Instant stamp() {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        lastStamp = now.isAfter(lastStamp) ? now : lastStamp.plusMillis(1);
        return lastStamp;
    }

    private SimResponse token(SimRequest r) {
        String auth = r.header("Authorization");
        String expected = "Basic " + Base64.getEncoder().encodeToString((enc(CLIENT_ID) + ":" + enc(CLIENT_SECRET))
                .getBytes(StandardCharsets.UTF_8));
        if (refused || !expected.equals(auth)) {
            return SimResponse.json(401, "{\"error\":\"invalid_client\",\"error_description\":\"Client authentication failed\"}");
        }
        Map<String, String> form = form(r.bodyText());
        if (!"client_credentials".equals(form.get("grant_type"))) {
            return SimResponse.json(400, "{\"error\":\"unsupported_grant_type\"}");
        }
        String scope = form.getOrDefault("scope", "");
        if (!List.of(scope.split(" ")).contains("SALESFORCE_COMMERCE_API:" + TENANT)) {
            return SimResponse.json(400, "{\"error\":\"invalid_scope\",\"error_description\":\"scope must name SALESFORCE_COMMERCE_API:"
                    + TENANT + "\"}");
        }
        String token = "eyJ" + UUID.randomUUID().toString().replace("-", "");
        tokens.put(token, clock.instant().plus(tokenLifetime));
        tokensIssued.incrementAndGet();
        return SimResponse.json(200, "{\"access_token\":\"" + token + "\",\"scope\":\"" + scope + "\",\"token_type\":\"Bearer\","
                + "\"expires_in\":" + tokenLifetime.toSeconds() + "}");
    }

    private interface Endpoint {
        SimResponse answer(SimRequest r);
    }

    /** Auth, the endpoint's window, load shedding and holding, then the endpoint; load headers on the answer. */
    private SimResponse data(SimRequest r, String endpoint, Endpoint handler) {
        hold.pass();
        String auth = r.header("Authorization");
        Instant expiry = auth == null || !auth.startsWith("Bearer ") ? null : tokens.get(auth.substring(7));
        if (refused || expiry == null || !clock.instant().isBefore(expiry)) {
            return SimResponse.json(401, "{\"title\":\"Unauthorized\",\"type\":\"https://api.commercecloud.salesforce.com/"
                    + "documentation/error/v1/errors/unauthorized\",\"detail\":\"Your access token is invalid or expired\"}");
        }
        if (!ORGANIZATION.equals(r.pathParam("org"))) {
            return SimResponse.json(404, "{\"title\":\"Not Found\",\"detail\":\"unknown organization\"}");
        }
        long window = clock.millis() / 60_000;
        long[] count = windows.compute(endpoint, (k, w) -> w == null || w[0] != window ? new long[] {window, 1} : new long[] {window, w[1] + 1});
        if (count[1] > limits.getOrDefault(endpoint, Integer.MAX_VALUE)) {
            long retry = Math.max(1, (window + 1) * 60 - clock.millis() / 1000);
            return SimResponse.json(429, "{\"title\":\"Too Many Requests\",\"detail\":\"rate limit of " + endpoint + " exceeded\"}")
                    .withHeader("Retry-After", Long.toString(retry));
        }
        int percent = load;
        if (percent >= 90 && loadCounter.incrementAndGet() % 3 == 0) {
            shed.incrementAndGet();
            return loadHeaders(SimResponse.json(503, "{\"title\":\"Service Unavailable\",\"detail\":\"load shedding\"}"), percent)
                    .withHeader("Retry-After", "1");
        }
        if (expireCountdown.get() > 0 && expireCountdown.decrementAndGet() == 0) {
            expireTokens(); // this request still passes; the next one with the same token does not
        }
        SimResponse response;
        try {
            response = handler.answer(r);
        } catch (SimulatorRejection rejection) {
            response = rejection.response();
        }
        return loadHeaders(response, percent);
    }

    private static SimResponse loadHeaders(SimResponse response, int percent) {
        if (percent < 80) {
            return response;
        }
        return response.withHeader("sfdc_load", Integer.toString(percent)).withHeader("sfdc_load_status", percent >= 90 ? "THROTTLE" : "WARN");
    }

    private static SimulatorRejection badRequest(String detail) {
        return new SimulatorRejection(SimResponse.json(400, "{\"title\":\"Bad Request\",\"detail\":\"" + detail + "\"}"));
    }

    private static int param(SimRequest r, String name, int fallback, int max) {
        String value = r.queryParam(name);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < 0 || parsed > max) {
                throw badRequest(name + " must be between 0 and " + max);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw badRequest(name + " is not a number");
        }
    }

    private synchronized SimResponse searchOrders(SimRequest r) {
        if (!SITE.equals(r.queryParam("siteId"))) {
            throw badRequest("siteId must name a site of the organization");
        }
        int offset = param(r, "offset", 0, Integer.MAX_VALUE);
        int limit = param(r, "limit", 100, 200); // the Orders API: 1 to 200, default 100
        if (limit < 1) {
            throw badRequest("limit must be between 1 and 200");
        }
        for (String unknown : List.of("lastModifiedFrom", "lastModifiedTo", "creationFrom", "creationTo")) {
            if (r.queryParam(unknown) != null) {
                throw badRequest("unknown query parameter " + unknown);
            }
        }
        List<String> exportStatuses = list(r, "exportStatus", 3, List.of("not_exported", "exported", "ready", "failed"));
        List<String> statuses = list(r, "status", 2, List.of("created", "new", "completed", "cancelled", "failed"));
        Instant modifiedFrom = dateParam(r, "lastModifiedDateFrom");
        Instant modifiedTo = dateParam(r, "lastModifiedDateTo");
        Instant createdFrom = dateParam(r, "creationDateFrom");
        Instant createdTo = dateParam(r, "creationDateTo");
        Predicate<ObjectNode> filter = o -> (exportStatuses.isEmpty() || exportStatuses.contains(o.path("exportStatus").asText()))
                && (statuses.isEmpty() || statuses.contains(o.path("status").asText()))
                && within(o, "lastModified", modifiedFrom, modifiedTo) && within(o, "creationDate", createdFrom, createdTo);
        // sortBy creation_date (default) or last_modified_date, sortOrder desc (default) or asc
        String sortBy = r.queryParam("sortBy") == null ? "creation_date" : r.queryParam("sortBy");
        String sortOrder = r.queryParam("sortOrder") == null ? "desc" : r.queryParam("sortOrder");
        if (!List.of("creation_date", "last_modified_date").contains(sortBy)) {
            throw badRequest("sortBy must be creation_date or last_modified_date");
        }
        if (!List.of("asc", "desc").contains(sortOrder)) {
            throw badRequest("sortOrder must be asc or desc");
        }
        String field = sortBy.equals("last_modified_date") ? "lastModified" : "creationDate";
        Comparator<ObjectNode> order = Comparator.comparing((ObjectNode o) -> Instant.parse(o.path(field).asText()))
                .thenComparing(o -> o.path("orderNo").asText());
        if (sortOrder.equals("desc")) {
            order = order.reversed();
        }
        return page(orders.values().stream().filter(filter).sorted(order), offset, limit, "data", null);
    }

    /** A comma-separated filter of at most {@code max} of the allowed values; empty when absent. */
    private static List<String> list(SimRequest r, String name, int max, List<String> allowed) {
        String value = r.queryParam(name);
        if (value == null || value.isEmpty()) {
            return List.of();
        }
        List<String> values = List.of(value.split(","));
        if (values.size() > max || !allowed.containsAll(values)) {
            throw badRequest(name + " takes up to " + max + " of " + String.join(", ", allowed) + " (comma-separated)");
        }
        return values;
    }

    /** A date-only ({@code 2026-11-26}, the start of that day UTC) or a date-time; null when absent. */
    private static Instant dateParam(SimRequest r, String name) {
        String value = r.queryParam(name);
        if (value == null) {
            return null;
        }
        try {
            return value.length() == 10 ? java.time.LocalDate.parse(value).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()
                    : java.time.OffsetDateTime.parse(value).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw badRequest(name + " is not a date or date-time");
        }
    }

    private static boolean within(ObjectNode o, String field, Instant from, Instant to) {
        Instant at = Instant.parse(o.path(field).asText());
        return (from == null || !at.isBefore(from)) && (to == null || at.isBefore(to));
    }

    /** A page of results; {@code search} non-null: a search result's hits ({@code {data, relevance}}) with the query echoed. */
    private SimResponse page(Stream<ObjectNode> matching, int offset, int limit, String field, JsonNode search) {
        List<ObjectNode> all = matching.toList();
        ObjectNode result = CanonicalJson.mapper().createObjectNode();
        result.put("limit", limit).put("offset", offset).put("total", all.size());
        if (search != null) {
            result.set("query", search.path("query").deepCopy());
            if (search.has("sorts")) {
                result.set("sorts", search.get("sorts").deepCopy());
            }
        }
        ArrayNode data = result.putArray(field);
        all.stream().skip(offset).limit(limit).forEach(o -> {
            if (search == null) {
                data.add(o.deepCopy());
            } else {
                ObjectNode hit = data.addObject();
                hit.set("data", o.deepCopy());
                hit.put("relevance", 1.0);
            }
        });
        return SimResponse.json(200, CanonicalJson.write(result));
    }

    private synchronized SimResponse getOrder(SimRequest r) {
        ObjectNode o = orders.get(r.pathParam("orderNo"));
        if (o == null || !SITE.equals(r.queryParam("siteId"))) {
            return SimResponse.json(404, "{\"title\":\"Order Not Found\"}");
        }
        return SimResponse.json(200, CanonicalJson.write(o));
    }

    private synchronized SimResponse exportStatus(SimRequest r) {
        ObjectNode o = orders.get(r.pathParam("orderNo"));
        if (o == null || !SITE.equals(r.queryParam("siteId"))) {
            return SimResponse.json(404, "{\"title\":\"Order Not Found\"}");
        }
        String status = CanonicalJson.parse(r.body()).path("status").asText();
        if (!List.of("not_exported", "exported", "ready", "failed").contains(status)) {
            throw badRequest("status must be one of not_exported, exported, ready, failed");
        }
        o.put("exportStatus", status).put("lastModified", stamp().toString()); // a change of the order
        return new SimResponse(204, Map.of(), new byte[0]);
    }

    private synchronized SimResponse searchCustomers(SimRequest r) {
        if (!CUSTOMER_LIST.equals(r.pathParam("list"))) {
            return SimResponse.json(404, "{\"title\":\"Customer List Not Found\"}");
        }
        JsonNode search = CanonicalJson.parse(r.body());
        int offset = search.path("offset").asInt(0);
        int limit = search.path("limit").asInt(25);
        if (limit < 1 || limit > 200) {
            throw badRequest("limit must be between 1 and 200");
        }
        // the Customers API's search request: {query, sorts, offset, limit}; a range on lastModified is a
        // filteredQuery {query: {matchAllQuery: {}}, filter: {rangeFilter: {field, from, fromInclusive}}}
        JsonNode query = search.path("query");
        Instant from = Instant.EPOCH;
        boolean fromInclusive = true;
        if (query.has("filteredQuery")) {
            JsonNode range = query.path("filteredQuery").path("filter").path("rangeFilter");
            if (!"lastModified".equals(range.path("field").asText()) || !query.path("filteredQuery").path("query").has("matchAllQuery")) {
                throw badRequest("the simulator searches customers by a rangeFilter on lastModified over a matchAllQuery only");
            }
            if (range.hasNonNull("from")) {
                from = Instant.parse(range.get("from").asText());
            }
            fromInclusive = range.path("fromInclusive").asBoolean(true);
        } else if (!query.has("matchAllQuery")) {
            throw badRequest("query must be a matchAllQuery or a filteredQuery (the simulator's subset; got "
                    + (query.isObject() && query.size() > 0 ? query.fieldNames().next() : "none") + ")");
        }
        Instant start = from;
        boolean inclusive = fromInclusive;
        boolean ascending = true;
        for (JsonNode sort : search.path("sorts")) {
            if (!"lastModified".equals(sort.path("field").asText())) {
                throw badRequest("the simulator sorts customers by lastModified only");
            }
            ascending = !"desc".equals(sort.path("sortOrder").asText("asc"));
        }
        Comparator<ObjectNode> order = Comparator.comparing((ObjectNode c) -> Instant.parse(c.path("lastModified").asText()))
                .thenComparing(c -> c.path("customerNo").asText());
        return page(customers.values().stream()
                .filter(c -> {
                    Instant modified = Instant.parse(c.path("lastModified").asText());
                    return inclusive ? !modified.isBefore(start) : modified.isAfter(start);
                })
                .sorted(ascending ? order : order.reversed()), offset, limit, "hits", search);
    }

    private SimResponse batchUpdate(SimRequest r) {
        JsonNode records = CanonicalJson.parse(r.body()).path("records");
        if (!records.isArray() || records.isEmpty() || records.size() > 100) {
            throw badRequest("records must hold 1 to 100 availability records");
        }
        ObjectNode answer = CanonicalJson.mapper().createObjectNode();
        ArrayNode results = answer.putArray("records");
        for (JsonNode record : records) {
            for (String field : List.of("actionRequestId", "locationIdentifier", "stockKeepingUnit", "onHand")) {
                if (!record.hasNonNull(field)) {
                    throw badRequest("every record needs " + field);
                }
            }
        }
        for (JsonNode record : records) {
            String id = record.get("actionRequestId").asText();
            ObjectNode first = actionResults.get(id);
            if (first != null) {
                replayed.incrementAndGet(); // idempotent: the first result, nothing applied again
                results.add(first);
                continue;
            }
            onHand.put(record.get("locationIdentifier").asText() + "/" + record.get("stockKeepingUnit").asText(),
                    record.get("onHand").asLong());
            applied.incrementAndGet();
            ObjectNode result = CanonicalJson.mapper().createObjectNode().put("actionRequestId", id).put("success", true);
            actionResults.put(id, result);
            results.add(result);
        }
        return SimResponse.json(200, CanonicalJson.write(answer));
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static String enc(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
