package dev.unison.connectors.criteo.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.kit.simulator.SimResponse;
import dev.unison.connectors.kit.simulator.RequestHold;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Criteo Retail Media API as the connector uses it, enforcing its contract:
 *
 * <ul>
 *   <li>{@code POST /oauth2/token}: the client credentials grant with {@code client_id} and
 *       {@code client_secret} in the form ("Authorization requests"); a wrong client (or one refused
 *       with {@link #refuse}) is {@code 401 {"error":"invalid_client"}}; tokens live
 *       {@link #tokenLifetime} (900 s, as Criteo's);</li>
 *   <li>{@code POST /{version}/retail-media/reports/campaigns}: a bearer token it issued and that has
 *       not expired (else 401); the JSON:API body {@code {"data":{"type":"RetailMediaReportRequest",
 *       "attributes":{...}}}} checked: 1 to 50 ids, dates {@code YYYY-MM-DD}, end not before start,
 *       at most 100 days, and every enum (reportType, windows, salesChannel, format, dimensions,
 *       metrics); a violation is {@code 400} with a JSON:API {@code errors} array;</li>
 *   <li>{@code GET /{version}/retail-media/reports/{id}/status}: {@code pending} for the first
 *       {@link #pollsBeforeSuccess} polls, then {@code success} (the rows are taken then); a poll
 *       of one report sooner than {@link #minPollInterval} after the last is {@code 429} with
 *       {@code Retry-After}; {@code expired} once the output's lifetime ({@link #outputLifetime},
 *       "at least one hour") is over;</li>
 *   <li>{@code GET /{version}/retail-media/reports/{id}/output}: the rows in the format asked for
 *       ({@code json-newline}: one JSON object a line; {@code json}: an array; others: an array as
 *       well, which the simulator does not model further); a report not ready or expired is an
 *       error with a JSON:API {@code errors} array.</li>
 * </ul>
 *
 * Data: campaign days ({@link #addCampaignDay}) with spend, impressions, clicks and attributed
 * orders, units and sales per sales channel; attributed transactions ({@link #addTransaction}).
 * Amounts are written as JSON numbers exactly as given (e.g. {@code 12.345678}), so a reader that
 * goes through a double shows.
 */
public final class CriteoRetailMediaSimulator extends SimulatorServer {

    public static final String CLIENT_ID = "criteo-sim-client";
    public static final String CLIENT_SECRET = "criteo-sim-secret";

    static final Set<String> REPORT_TYPES = Set.of("summary", "pageType", "keyword", "productCategory", "product",
            "attributedTransactions", "environment", "servedCategory");
    static final Set<String> CLICK_WINDOWS = Set.of("none", "7D", "14D", "30D");
    static final Set<String> VIEW_WINDOWS = Set.of("none", "1D", "7D", "14D", "30D");
    static final Set<String> SALES_CHANNELS = Set.of("all", "offline", "online");
    static final Set<String> FORMATS = Set.of("json", "json-compact", "json-newline", "csv");
    static final Set<String> DIMENSIONS = Set.of("date", "hour", "accountId", "accountName", "campaignId", "campaignName",
            "campaignTypeName", "lineItemId", "lineItemName", "retailerId", "retailerName", "salesChannel", "environment");
    static final Set<String> METRICS = Set.of("impressions", "clicks", "spend", "attributedSales", "attributedUnits",
            "attributedOrders", "ctr", "cpc", "cpo", "cpm", "roas");

    /** One sales channel's attributed figures of a campaign day. */
    public record Attributed(long orders, long units, String sales) {
        public static final Attributed NONE = new Attributed(0, 0, "0");
    }

    public record CampaignDay(String campaignId, LocalDate day, long impressions, long clicks, String spend, Attributed offline,
            Attributed online) {
    }

    public record Transaction(String transactionId, String campaignId, String lineItemId, Instant at, String engagement,
            String salesChannel, String attributionWindow, String sales, long units) {
    }

    private static final class Report {
        final String id;
        final JsonNode attributes;
        final Instant createdAt;
        final AtomicInteger polls = new AtomicInteger();
        volatile Instant lastPoll;
        volatile String status = "pending";
        volatile byte[] output;
        volatile int rowCount;
        volatile Instant expiresAt;

        Report(String id, JsonNode attributes, Instant createdAt) {
            this.id = id;
            this.attributes = attributes;
            this.createdAt = createdAt;
        }
    }

    private final Map<String, CampaignDay> days = new TreeMap<>();
    private final List<Transaction> transactions = new ArrayList<>();
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Map<String, Report> reports = new ConcurrentHashMap<>();
    private volatile boolean refusing;
    private volatile int pollsBeforeSuccess = 2;
    private volatile Duration minPollInterval = Duration.ZERO;
    private volatile Duration tokenLifetime = Duration.ofSeconds(900);
    private volatile Duration outputLifetime = Duration.ofHours(1);
    private volatile boolean failNext;
    private final RequestHold hold = new RequestHold();

    public CriteoRetailMediaSimulator(int port) {
        this(port, Clock.systemUTC());
    }

    public CriteoRetailMediaSimulator(int port, Clock clock) {
        super("criteo-retail-media", port, clock);
        String reports = "/(?<version>[0-9]{4}-[0-9]{2}|preview)/retail-media/reports";
        route("POST", "/oauth2/token", this::token);
        route("POST", reports + "/campaigns", this::create);
        route("GET", reports + "/(?<id>[A-Za-z0-9-]+)/status", this::status);
        route("GET", reports + "/(?<id>[A-Za-z0-9-]+)/output", this::output);
    }

    // ---- what tests set and add ------------------------------------------------------------

    /** Status polls a report answers {@code pending} before {@code success} (0: at once). */
    public CriteoRetailMediaSimulator pollsBeforeSuccess(int polls) {
        this.pollsBeforeSuccess = polls;
        return this;
    }

    /** The shortest interval between two status polls of one report; sooner is 429 with Retry-After (zero: no limit). */
    public CriteoRetailMediaSimulator minPollInterval(Duration interval) {
        this.minPollInterval = interval;
        return this;
    }

    public CriteoRetailMediaSimulator tokenLifetime(Duration lifetime) {
        this.tokenLifetime = lifetime;
        return this;
    }

    /** How long a finished report's output is kept before its status is {@code expired}. */
    public CriteoRetailMediaSimulator outputLifetime(Duration lifetime) {
        this.outputLifetime = lifetime;
        return this;
    }

    /** The next report to finish ends in {@code failure}. */
    public void failNextReport() {
        failNext = true;
    }

    /** Adds (or replaces: a restatement) a campaign day. */
    public synchronized void addCampaignDay(CampaignDay day) {
        days.put(day.day() + "/" + day.campaignId(), day);
    }

    /** A campaign day whose attributed sales were all online or all offline is {@link Attributed#NONE} on the other side. */
    public synchronized void addCampaignDay(String campaignId, LocalDate day, long impressions, long clicks, String spend,
            Attributed offline, Attributed online) {
        addCampaignDay(new CampaignDay(campaignId, day, impressions, clicks, spend, offline, online));
    }

    public synchronized int campaignDays() {
        return days.size();
    }

    public synchronized void addTransaction(Transaction transaction) {
        transactions.add(transaction);
    }

    /** From now on the client is refused: the token endpoint answers 401 and every issued token is void. */
    public void refuse(boolean refuse) {
        refusing = refuse;
        if (refuse) {
            tokens.clear();
        }
    }

    /** Every issued token expires now (as a token Criteo voids before its expires_in): the next data call is 401. */
    public void expireTokens() {
        tokens.clear();
    }

    /** Holds the next data call (create, status, output) in flight (the pull TCK). */
    public RequestHold hold() {
        return hold;
    }

    @Override
    public void close() {
        hold.release();
        super.close();
    }

    // ---- routes -------------------------------------------------------------------------

    private SimResponse token(SimRequest request) {
        Map<String, String> form = form(request.bodyText());
        if (!"client_credentials".equals(form.get("grant_type"))) {
            return SimResponse.json(400, "{\"error\":\"unsupported_grant_type\"}");
        }
        if (refusing || !CLIENT_ID.equals(form.get("client_id")) || !CLIENT_SECRET.equals(form.get("client_secret"))) {
            return SimResponse.json(401, "{\"error\":\"invalid_client\"}");
        }
        String token = UUID.randomUUID().toString();
        tokens.put(token, clock.instant().plus(tokenLifetime));
        return SimResponse.json(200, CanonicalJson.mapper().createObjectNode().put("access_token", token)
                .put("token_type", "Bearer").put("expires_in", tokenLifetime.toSeconds()).toString());
    }

    private SimResponse create(SimRequest request) {
        SimResponse denied = authorize(request);
        if (denied != null) {
            return denied;
        }
        hold.pass();
        JsonNode body;
        try {
            body = CanonicalJson.mapper().readTree(request.body());
        } catch (Exception e) {
            return errors(400, List.of(error("invalid-json", "The body is not JSON", e.getMessage(), "")));
        }
        List<ObjectNode> problems = validate(body);
        if (!problems.isEmpty()) {
            return errors(400, problems);
        }
        Report report = new Report(UUID.randomUUID().toString().replace("-", "").substring(0, 24),
                body.path("data").path("attributes").deepCopy(), clock.instant());
        reports.put(report.id, report);
        return SimResponse.json(200, envelope(report).toString());
    }

    private SimResponse status(SimRequest request) {
        SimResponse denied = authorize(request);
        if (denied != null) {
            return denied;
        }
        hold.pass();
        Report report = reports.get(request.pathParam("id"));
        if (report == null) {
            return errors(404, List.of(error("report-not-found", "Report not found", "no report " + request.pathParam("id"), "")));
        }
        Instant now = clock.instant();
        synchronized (report) {
            Instant last = report.lastPoll;
            if (!minPollInterval.isZero() && last != null && now.isBefore(last.plus(minPollInterval))) {
                long wait = Math.max(1, (long) Math.ceil(Duration.between(now, last.plus(minPollInterval)).toMillis() / 1000.0));
                return errors(429, List.of(error("too-many-requests", "Too many requests", "status polled too eagerly", "")))
                        .withHeader("Retry-After", Long.toString(wait));
            }
            report.lastPoll = now;
            if ("pending".equals(report.status) && report.polls.incrementAndGet() > pollsBeforeSuccess) {
                finish(report, now);
            }
            if ("success".equals(report.status) && !now.isBefore(report.expiresAt)) {
                report.status = "expired";
                report.output = null;
            }
        }
        return SimResponse.json(200, envelope(report).toString());
    }

    private SimResponse output(SimRequest request) {
        SimResponse denied = authorize(request);
        if (denied != null) {
            return denied;
        }
        hold.pass();
        Report report = reports.get(request.pathParam("id"));
        if (report == null) {
            return errors(404, List.of(error("report-not-found", "Report not found", "no report " + request.pathParam("id"), "")));
        }
        synchronized (report) {
            if ("success".equals(report.status) && !clock.instant().isBefore(report.expiresAt)) {
                report.status = "expired";
                report.output = null;
            }
            if (!"success".equals(report.status)) {
                return errors(400, List.of(error("report-" + report.status, "Report output not available",
                        "report " + report.id + " is " + report.status, "")));
            }
            String format = report.attributes.path("format").asText("json-compact");
            SimResponse response = new SimResponse(200, new LinkedHashMap<>(Map.of("Content-Type",
                    format.equals("json-newline") ? "application/x-ndjson" : "application/json")), report.output);
            return response;
        }
    }

    // ---- the report's content -------------------------------------------------------------

    private void finish(Report report, Instant now) {
        if (failNext) {
            failNext = false;
            report.status = "failure";
            return;
        }
        List<ObjectNode> rows = "attributedTransactions".equals(report.attributes.path("reportType").asText())
                ? transactionRows(report.attributes) : campaignRows(report.attributes);
        String format = report.attributes.path("format").asText("json-compact");
        StringBuilder out = new StringBuilder();
        if (format.equals("json-newline")) {
            rows.forEach(r -> out.append(r).append('\n'));
        } else {
            ArrayNode array = CanonicalJson.mapper().createArrayNode();
            rows.forEach(array::add);
            out.append(array);
        }
        report.output = out.toString().getBytes(StandardCharsets.UTF_8);
        report.rowCount = rows.size();
        report.status = "success";
        report.expiresAt = now.plus(outputLifetime);
    }

    private synchronized List<ObjectNode> campaignRows(JsonNode attributes) {
        Set<String> ids = ids(attributes);
        LocalDate from = LocalDate.parse(attributes.path("startDate").asText().substring(0, 10));
        LocalDate to = LocalDate.parse(attributes.path("endDate").asText().substring(0, 10));
        String channel = attributes.path("salesChannel").asText("all");
        List<String> dimensions = new ArrayList<>();
        attributes.path("dimensions").forEach(d -> dimensions.add(d.asText()));
        List<String> metrics = new ArrayList<>();
        attributes.path("metrics").forEach(m -> metrics.add(m.asText()));
        if (dimensions.isEmpty() && metrics.isEmpty()) {
            // the summary report's columns, as far as the simulator models them
            dimensions.addAll(List.of("date", "campaignId", "campaignName"));
            metrics.addAll(List.of("impressions", "clicks", "spend", "attributedOrders", "attributedUnits", "attributedSales"));
        }
        List<ObjectNode> rows = new ArrayList<>();
        for (CampaignDay day : days.values()) {
            if (!ids.contains(day.campaignId()) || day.day().isBefore(from) || day.day().isAfter(to)) {
                continue;
            }
            Attributed offline = day.offline();
            Attributed online = day.online();
            long orders = channel.equals("offline") ? offline.orders() : channel.equals("online") ? online.orders()
                    : offline.orders() + online.orders();
            long units = channel.equals("offline") ? offline.units() : channel.equals("online") ? online.units()
                    : offline.units() + online.units();
            BigDecimal sales = channel.equals("offline") ? new BigDecimal(offline.sales())
                    : channel.equals("online") ? new BigDecimal(online.sales())
                    : new BigDecimal(offline.sales()).add(new BigDecimal(online.sales()));
            ObjectNode row = CanonicalJson.mapper().createObjectNode();
            for (String d : dimensions) {
                switch (d) {
                    case "date" -> row.put("date", day.day().toString());
                    case "campaignId" -> row.put("campaignId", day.campaignId());
                    case "campaignName" -> row.put("campaignName", "Campaign " + day.campaignId());
                    case "salesChannel" -> row.put("salesChannel", channel);
                    default -> row.putNull(d);
                }
            }
            for (String m : metrics) {
                switch (m) {
                    case "impressions" -> row.put("impressions", day.impressions());
                    case "clicks" -> row.put("clicks", day.clicks());
                    case "spend" -> row.put("spend", new BigDecimal(day.spend()));
                    case "attributedOrders" -> row.put("attributedOrders", orders);
                    case "attributedUnits" -> row.put("attributedUnits", units);
                    case "attributedSales" -> row.put("attributedSales", sales);
                    default -> row.putNull(m);
                }
            }
            rows.add(row);
        }
        return rows;
    }

    private synchronized List<ObjectNode> transactionRows(JsonNode attributes) {
        Set<String> ids = ids(attributes);
        LocalDate from = LocalDate.parse(attributes.path("startDate").asText().substring(0, 10));
        LocalDate to = LocalDate.parse(attributes.path("endDate").asText().substring(0, 10));
        String channel = attributes.path("salesChannel").asText("all");
        List<ObjectNode> rows = new ArrayList<>();
        for (Transaction t : transactions) {
            LocalDate day = LocalDate.ofInstant(t.at(), ZoneOffset.UTC);
            if (!ids.contains(t.campaignId()) || day.isBefore(from) || day.isAfter(to)
                    || (!channel.equals("all") && !channel.equals(t.salesChannel()))) {
                continue;
            }
            rows.add(CanonicalJson.mapper().createObjectNode().put("transactionId", t.transactionId())
                    .put("campaignId", t.campaignId()).put("lineItemId", t.lineItemId())
                    .put("timestamp", t.at().truncatedTo(ChronoUnit.SECONDS).toString())
                    .put("advertisedEngagement", t.engagement()).put("salesChannel", t.salesChannel())
                    .put("attributionWindow", t.attributionWindow()).put("attributedSales", new BigDecimal(t.sales()))
                    .put("attributedUnits", t.units()));
        }
        return rows;
    }

    private static Set<String> ids(JsonNode attributes) {
        Set<String> ids = new java.util.HashSet<>();
        attributes.path("ids").forEach(i -> ids.add(i.asText()));
        if (attributes.hasNonNull("id")) {
            ids.add(attributes.get("id").asText());
        }
        return ids;
    }

    // ---- the contract ---------------------------------------------------------------------

    private List<ObjectNode> validate(JsonNode body) {
        List<ObjectNode> problems = new ArrayList<>();
        JsonNode data = body.path("data");
        if (!"RetailMediaReportRequest".equals(data.path("type").asText())) {
            problems.add(error("invalid-type", "Invalid resource type", "data.type must be RetailMediaReportRequest",
                    "/data/type"));
        }
        JsonNode a = data.path("attributes");
        if (!a.isObject()) {
            problems.add(error("missing-attributes", "Missing attributes", "data.attributes is required", "/data/attributes"));
            return problems;
        }
        int idCount = a.path("ids").isArray() ? a.path("ids").size() : 0;
        if (a.hasNonNull("id")) {
            idCount++;
        }
        if (idCount == 0 || idCount > 50) {
            problems.add(error("invalid-ids", "Invalid ids", "between 1 and 50 campaign ids, got " + idCount,
                    "/data/attributes/ids"));
        }
        LocalDate start = date(a, "startDate", problems);
        LocalDate end = date(a, "endDate", problems);
        if (start != null && end != null) {
            if (end.isBefore(start)) {
                problems.add(error("invalid-date-range", "Invalid date range", "endDate is before startDate",
                        "/data/attributes/endDate"));
            } else if (ChronoUnit.DAYS.between(start, end) + 1 > 100) {
                problems.add(error("date-range-too-long", "Date range too long", "a report covers at most 100 days, asked "
                        + (ChronoUnit.DAYS.between(start, end) + 1), "/data/attributes/endDate"));
            }
        }
        oneOf(a, "reportType", REPORT_TYPES, problems);
        oneOf(a, "clickAttributionWindow", CLICK_WINDOWS, problems);
        oneOf(a, "viewAttributionWindow", VIEW_WINDOWS, problems);
        oneOf(a, "salesChannel", SALES_CHANNELS, problems);
        oneOf(a, "format", FORMATS, problems);
        allOf(a, "dimensions", DIMENSIONS, problems);
        allOf(a, "metrics", METRICS, problems);
        if (a.hasNonNull("timezone") && !a.get("timezone").asText().equals("UTC")) {
            try {
                java.time.ZoneId.of(a.get("timezone").asText());
            } catch (java.time.DateTimeException e) {
                problems.add(error("invalid-timezone", "Invalid time zone", a.get("timezone").asText(), "/data/attributes/timezone"));
            }
        }
        return problems;
    }

    private static LocalDate date(JsonNode a, String field, List<ObjectNode> problems) {
        String text = a.path(field).asText("");
        try {
            if (!text.matches("[0-9]{4}-[0-9]{2}-[0-9]{2}(T.*)?")) {
                throw new DateTimeParseException("not a date", text, 0);
            }
            return LocalDate.parse(text.substring(0, 10));
        } catch (DateTimeParseException e) {
            problems.add(error("invalid-date", "Invalid " + field, field + " must be YYYY-MM-DD, got '" + text + "'",
                    "/data/attributes/" + field));
            return null;
        }
    }

    private static void oneOf(JsonNode a, String field, Set<String> allowed, List<ObjectNode> problems) {
        if (a.hasNonNull(field) && !allowed.contains(a.get(field).asText())) {
            problems.add(error("invalid-enum-value", "Invalid " + field, "'" + a.get(field).asText() + "' is not one of "
                    + new java.util.TreeSet<>(allowed), "/data/attributes/" + field));
        }
    }

    private static void allOf(JsonNode a, String field, Set<String> allowed, List<ObjectNode> problems) {
        for (JsonNode v : a.path(field)) {
            if (!allowed.contains(v.asText())) {
                problems.add(error("invalid-enum-value", "Invalid " + field, "'" + v.asText() + "' is not one of "
                        + new java.util.TreeSet<>(allowed), "/data/attributes/" + field));
            }
        }
    }

    private SimResponse authorize(SimRequest request) {
        String auth = request.header("Authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            return errors(401, List.of(error("authorization-missing", "Unauthorized", "a bearer token is required", "")));
        }
        Instant expires = tokens.get(auth.substring("Bearer ".length()));
        if (refusing || expires == null || !clock.instant().isBefore(expires)) {
            return errors(401, List.of(error("authorization-token-expired", "Unauthorized", "the token is unknown or expired", "")));
        }
        return null;
    }


    private ObjectNode envelope(Report report) {
        ObjectNode root = CanonicalJson.mapper().createObjectNode();
        ObjectNode data = root.putObject("data").put("type", "RetailMediaReportStatus").put("id", report.id);
        ObjectNode attributes = data.putObject("attributes").put("status", report.status)
                .put("createdAt", report.createdAt.toString());
        if (report.expiresAt != null) {
            attributes.put("expiresAt", report.expiresAt.toString());
        }
        byte[] output = report.output;
        if (output != null) {
            attributes.put("fileSizeBytes", output.length).put("rowCount", report.rowCount).put("md5CheckSum", md5(output));
        }
        attributes.put("message", "failure".equals(report.status) ? "the report could not be built" : "");
        return root;
    }

    private static ObjectNode error(String code, String title, String detail, String pointer) {
        ObjectNode e = CanonicalJson.mapper().createObjectNode().put("traceIdentifier", UUID.randomUUID().toString())
                .put("type", "validation").put("code", code).put("title", title).put("detail", detail);
        if (!pointer.isEmpty()) {
            e.putObject("source").put("pointer", pointer);
        }
        return e;
    }

    private static SimResponse errors(int status, List<ObjectNode> errors) {
        ObjectNode root = CanonicalJson.mapper().createObjectNode();
        ArrayNode list = root.putArray("errors");
        errors.forEach(list::add);
        return SimResponse.json(status, root.toString());
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
