package dev.unison.connectors.amazonads.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.simulator.RefillingBucket;
import dev.unison.connectors.kit.simulator.RequestHold;
import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.kit.simulator.SimResponse;
import dev.unison.connectors.kit.simulator.SimulatorRejection;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * Login with Amazon and the Amazon Ads API as far as the connector uses them, on their real paths,
 * enforcing their contracts:
 * <ul>
 * <li>{@code POST /auth/o2/token}: the refresh-token grant with the client in the form ("Login with
 *     Amazon: access token requests"); a wrong client is 401 {@code invalid_client}, a wrong or revoked
 *     refresh token 400 {@code invalid_grant}; tokens expire ({@link #tokenLifetime}).</li>
 * <li>Reporting v3: {@code POST /reporting/reports} (the v3 content type, a 31-day range at most,
 *     nothing older than the 95-day retention, {@code spCampaigns} with known columns, {@code
 *     GZIP_JSON}), 425 naming the report when the same request is being built; {@code GET
 *     /reporting/reports/{id}} moving PENDING, PROCESSING, COMPLETED after a number of polls, 429 with
 *     {@code Retry-After} for a report polled again too soon; the url of a completed report is a
 *     pre-signed download that expires (403 "Request has expired") and refuses an {@code
 *     Authorization} header, as the storage it stands for does.</li>
 * <li>Conversions API: {@code POST /events/v1} with {@code Amazon-Ads-AccountId}, at most
 *     {@link #MAX_EVENTS} events, paced by a token bucket (429 with {@code Retry-After}), each event
 *     validated on its own and answered in a 207 multi-status by its 1-based index; an event is
 *     counted once per {@code clientDedupeId}.</li>
 * </ul>
 * Every API call needs {@code Amazon-Advertising-API-ClientId} and a live bearer token (401
 * otherwise); reporting also the profile in {@code Amazon-Advertising-API-Scope}.
 */
public final class AmazonAdsSimulator extends SimulatorServer {

    public static final String CLIENT_ID = "amzn1.application-oa2-client.demo";
    public static final String CLIENT_SECRET = "amazon-demo-client-secret";
    public static final String REFRESH_TOKEN = "Atzr|amazon-demo-refresh-token";
    public static final String PROFILE_ID = "3284019243175960";
    public static final String ACCOUNT_ID = "amzn1.ads-account.g.demo";
    public static final int MAX_EVENTS = 1000;
    public static final String CREATE_CONTENT_TYPE = "application/vnd.createasyncreportrequest.v3+json";
    static final Set<String> COLUMNS = Set.of("date", "campaignId", "campaignName", "campaignBudgetCurrencyCode",
            "campaignStatus", "impressions", "clicks", "cost", "purchases1d", "purchases7d", "purchases14d", "purchases30d",
            "unitsSoldClicks1d", "unitsSoldClicks7d", "unitsSoldClicks14d", "unitsSoldClicks30d", "sales1d", "sales7d", "sales14d",
            "sales30d");
    static final Set<String> EVENT_TYPES = Set.of("ADD_TO_SHOPPING_CART", "APPLICATION", "CHECKOUT", "CONTACT", "LEAD",
            "OFF_AMAZON_PURCHASES", "MOBILE_APP_FIRST_START", "PAGE_VIEW", "SEARCH", "SIGN_UP", "SUBSCRIBE", "OTHER");
    static final Set<String> ACTION_SOURCES = Set.of("ANDROID", "FIRE_TV", "IOS", "OFFLINE", "WEBSITE");
    static final Set<String> MATCH_KEY_TYPES = Set.of("EMAIL", "PHONE", "FIRST_NAME", "LAST_NAME", "ADDRESS", "CITY", "STATE",
            "POSTAL", "MAID", "RAMP_ID", "MATCH_ID");
    private static final Pattern SHA256_HEX = Pattern.compile("^[0-9a-f]{64}$");

    /** One campaign's day as the reports give it. */
    public record CampaignDay(LocalDate date, String campaignId, String campaignName, String currency, long impressions, long clicks,
            BigDecimal cost, long purchases14d, long units14d, BigDecimal sales14d) {
    }

    private static final class Report {
        final String id;
        final String request;
        final LocalDate from;
        final LocalDate to;
        int polls;
        String status = "PENDING";
        Instant lastPolled = Instant.MIN;
        Instant createdAt;
        byte[] file;
        JsonNode columns;

        Report(String id, String request, LocalDate from, LocalDate to) {
            this.id = id;
            this.request = request;
            this.from = from;
            this.to = to;
        }
    }

    private final Map<String, CampaignDay> days = new TreeMap<>();
    private final Map<String, Report> reports = new LinkedHashMap<>();
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Map<String, JsonNode> conversions = new ConcurrentHashMap<>();
    /** The accepted clientDedupeIds alone, when {@link #keepConversionEvents} is off (a benchmark's million sales). */
    private final Set<String> conversionIds = ConcurrentHashMap.newKeySet();
    private volatile boolean keepConversionEvents = true;
    private final AtomicInteger duplicateConversions = new AtomicInteger();
    private final AtomicInteger eventRequests = new AtomicInteger();
    private final AtomicInteger throttledEventRequests = new AtomicInteger();
    private final AtomicInteger tokensIssued = new AtomicInteger();
    private final AtomicInteger reportsFailing = new AtomicInteger();
    private final List<Integer> failingEvents = new ArrayList<>();
    private final RefillingBucket eventsBucket;
    private volatile boolean credentialsRefused;
    private volatile Duration tokenLifetime = Duration.ofHours(1);
    private volatile int pollsUntilDone = 2;
    private volatile Duration buildTime = Duration.ZERO;
    private volatile Duration minPollInterval = Duration.ofSeconds(2);
    private volatile Duration urlLifetime = Duration.ofHours(1);
    private final RequestHold hold = new RequestHold();

    public AmazonAdsSimulator(int port, Clock clock) {
        this(port, clock, 10);
    }

    /** @param eventRequestsPerSecond the Conversions API's pace for this account (burst the same) */
    public AmazonAdsSimulator(int port, Clock clock, int eventRequestsPerSecond) {
        super("amazon-ads", port, clock);
        this.eventsBucket = new RefillingBucket(eventRequestsPerSecond, eventRequestsPerSecond, clock);
        route("POST", "/auth/o2/token", this::token);
        route("POST", "/reporting/reports", this::createReport);
        route("GET", "/reporting/reports/(?<id>[A-Za-z0-9-]+)", this::reportStatus);
        route("GET", "/report-files/(?<id>[A-Za-z0-9-]+)\\.json\\.gz", this::download);
        route("POST", "/events/v1", this::events);
    }

    // ---- what tests and the demo change ---------------------------------------------------------

    public synchronized AmazonAdsSimulator addCampaignDay(CampaignDay day) {
        days.put(day.campaignId() + "/" + day.date(), day);
        return this;
    }

    /** Campaign days held, for tests that add records after a given number. */
    public synchronized int campaignDays() {
        return days.size();
    }

    public void tokenLifetime(Duration lifetime) {
        this.tokenLifetime = lifetime;
    }

    /** Every token issued so far stops working now (as after their expiry). */
    public void expireTokens() {
        tokens.replaceAll((t, until) -> Instant.MIN);
    }

    public int tokensIssued() {
        return tokensIssued.get();
    }

    public void refuseCredentials(boolean refused) {
        this.credentialsRefused = refused;
        if (refused) {
            tokens.clear();
        }
    }

    /** Status polls a report needs before it is COMPLETED (the first answers PENDING, then PROCESSING). */
    public void pollsUntilDone(int polls) {
        this.pollsUntilDone = polls;
    }

    /**
     * How long a report takes to build, at the least (Amazon: minutes, up to three hours); a report
     * is COMPLETED once both this time has passed and it was polled {@link #pollsUntilDone} times.
     * Zero by default, so tests compress it to polls alone.
     */
    public void buildTime(Duration time) {
        this.buildTime = time;
    }

    /** How soon the same report may be polled again without a 429. */
    public void minPollInterval(Duration interval) {
        this.minPollInterval = interval;
    }

    public void urlLifetime(Duration lifetime) {
        this.urlLifetime = lifetime;
    }

    /** The next {@code count} reports to complete fail instead. */
    public void failReports(int count) {
        reportsFailing.set(count);
    }

    /** The next events API request answers these 1-based event positions with {@code status} instead of accepting them. */
    public synchronized void failEvents(int status, int... positions) {
        for (int p : positions) {
            failingEvents.add(p);
            failingEvents.add(status);
        }
    }

    /** Holds the next reporting or download request in flight (the pull TCK). */
    public RequestHold hold() {
        return hold;
    }

    public synchronized List<String> reportRanges() {
        return reports.values().stream().map(r -> r.from + "/" + r.to).toList();
    }

    /** Accepted conversion events by clientDedupeId. */
    public Map<String, JsonNode> conversions() {
        return Map.copyOf(conversions);
    }

    /**
     * With {@code false}, only the accepted events' clientDedupeIds are kept, not the events:
     * {@link #conversions()} stays empty, {@link #conversionCount()} and the duplicate count still
     * hold (a million events as JSON trees would take gigabytes). Set it before the first event.
     */
    public AmazonAdsSimulator keepConversionEvents(boolean keep) {
        this.keepConversionEvents = keep;
        return this;
    }

    /** How many distinct events were accepted, without copying them. */
    public int conversionCount() {
        return keepConversionEvents ? conversions.size() : conversionIds.size();
    }

    public int duplicateConversions() {
        return duplicateConversions.get();
    }

    /** Events API requests past authentication that the bucket let through (throttled ones not counted). */
    public int eventRequests() {
        return eventRequests.get();
    }

    /** Events API requests answered 429 by the bucket. */
    public int throttledEventRequests() {
        return throttledEventRequests.get();
    }

    // ---- Login with Amazon ----------------------------------------------------------------------

    private SimResponse token(SimRequest request) {
        Map<String, String> form = form(request.bodyText());
        if (!"refresh_token".equals(form.get("grant_type"))) {
            return SimResponse.json(400, "{\"error\":\"unsupported_grant_type\",\"error_description\":\"grant_type must be refresh_token\"}");
        }
        if (credentialsRefused || !CLIENT_ID.equals(form.get("client_id")) || !CLIENT_SECRET.equals(form.get("client_secret"))) {
            return SimResponse.json(401, "{\"error\":\"invalid_client\",\"error_description\":\"Client authentication failed\"}");
        }
        if (!REFRESH_TOKEN.equals(form.get("refresh_token"))) {
            return SimResponse.json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"The request has an invalid grant parameter : refresh_token\"}");
        }
        String token = "Atza|" + UUID.randomUUID();
        tokens.put(token, clock.instant().plus(tokenLifetime));
        tokensIssued.incrementAndGet();
        return SimResponse.json(200, "{\"access_token\":\"" + token + "\",\"refresh_token\":\"" + REFRESH_TOKEN
                + "\",\"token_type\":\"bearer\",\"expires_in\":" + tokenLifetime.toSeconds() + "}");
    }

    private void requireApiAuth(SimRequest request) {
        if (!CLIENT_ID.equals(request.header("Amazon-Advertising-API-ClientId"))) {
            throw new SimulatorRejection(SimResponse.json(401, "{\"code\":\"UNAUTHORIZED\",\"details\":\"Amazon-Advertising-API-ClientId is missing or unknown\"}"));
        }
        String auth = request.header("Authorization");
        Instant until = auth == null || !auth.startsWith("Bearer ") ? null : tokens.get(auth.substring(7));
        if (credentialsRefused || until == null || !clock.instant().isBefore(until)) {
            throw new SimulatorRejection(SimResponse.json(401, "{\"code\":\"UNAUTHORIZED\",\"details\":\"Not authorized to access this advertiser\"}"));
        }
    }

    private void requireProfile(SimRequest request) {
        if (!PROFILE_ID.equals(request.header("Amazon-Advertising-API-Scope"))) {
            throw new SimulatorRejection(SimResponse.json(403, "{\"code\":\"UNAUTHORIZED\",\"details\":\"Amazon-Advertising-API-Scope is not a profile this token may use\"}"));
        }
    }

    // ---- reporting v3 ---------------------------------------------------------------------------

    private SimResponse createReport(SimRequest request) {
        hold.pass();
        requireApiAuth(request);
        requireProfile(request);
        String type = request.header("Content-Type");
        if (type == null || !type.startsWith(CREATE_CONTENT_TYPE)) {
            return SimResponse.json(415, "{\"code\":\"415\",\"detail\":\"Content-Type must be " + CREATE_CONTENT_TYPE + "\"}");
        }
        JsonNode body;
        try {
            body = CanonicalJson.mapper().readTree(request.bodyText());
        } catch (IOException e) {
            return bad("the body is not JSON");
        }
        LocalDate from;
        LocalDate to;
        try {
            from = LocalDate.parse(body.path("startDate").asText());
            to = LocalDate.parse(body.path("endDate").asText());
        } catch (DateTimeParseException e) {
            return bad("startDate and endDate must be YYYY-MM-DD");
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (to.isBefore(from) || ChronoUnit.DAYS.between(from, to) + 1 > 31) {
            return bad("the date range of spCampaigns is 31 days at most");
        }
        if (from.isBefore(today.minusDays(95))) {
            return bad("spCampaigns data is kept for 95 days: startDate " + from + " is too early");
        }
        JsonNode configuration = body.path("configuration");
        if (!"spCampaigns".equals(configuration.path("reportTypeId").asText())
                || !"SPONSORED_PRODUCTS".equals(configuration.path("adProduct").asText())) {
            return bad("configuration: reportTypeId spCampaigns with adProduct SPONSORED_PRODUCTS is what this simulator serves");
        }
        if (!Set.of("DAILY", "SUMMARY").contains(configuration.path("timeUnit").asText())
                || !"GZIP_JSON".equals(configuration.path("format").asText())) {
            return bad("configuration: timeUnit DAILY or SUMMARY, format GZIP_JSON");
        }
        if (!configuration.path("columns").isArray() || configuration.path("columns").isEmpty()) {
            return bad("configuration: columns are required");
        }
        for (JsonNode column : configuration.path("columns")) {
            if (!COLUMNS.contains(column.asText())) {
                return bad("configuration: unknown column " + column.asText());
            }
        }
        String identity = body.path("startDate").asText() + body.path("endDate").asText() + configuration;
        synchronized (this) {
            for (Report r : reports.values()) {
                if (r.request.equals(identity) && !r.status.equals("COMPLETED") && !r.status.equals("FAILED")) {
                    return SimResponse.json(425, "{\"code\":\"425\",\"detail\":\"The Request is a duplicate of : " + r.id + "\"}");
                }
            }
            Report report = new Report(UUID.randomUUID().toString(), identity, from, to);
            report.createdAt = clock.instant();
            reports.put(report.id, report);
            report.columns = configuration.path("columns");
            return SimResponse.json(200, view(report).toString());
        }
    }

    private SimResponse reportStatus(SimRequest request) {
        hold.pass();
        requireApiAuth(request);
        requireProfile(request);
        synchronized (this) {
            Report report = reports.get(request.pathParam("id"));
            if (report == null) {
                return SimResponse.json(404, "{\"code\":\"404\",\"detail\":\"Report not found\"}");
            }
            Instant now = clock.instant();
            Duration since = Duration.between(report.lastPolled, now.isBefore(report.lastPolled) ? report.lastPolled : now);
            if (report.lastPolled != Instant.MIN && since.compareTo(minPollInterval) < 0) {
                long wait = Math.max(1, minPollInterval.minus(since).toSeconds());
                return SimResponse.json(429, "{\"code\":\"429\",\"detail\":\"Too Many Requests\"}").withHeader("Retry-After",
                        Long.toString(wait));
            }
            report.lastPolled = now;
            if (report.status.equals("PENDING") || report.status.equals("PROCESSING")) {
                report.polls++;
                if (report.polls > pollsUntilDone && !now.isBefore(report.createdAt.plus(buildTime))) {
                    if (reportsFailing.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        report.status = "FAILED";
                    } else {
                        report.status = "COMPLETED";
                        report.file = build(report);
                    }
                } else {
                    report.status = report.polls == 1 ? "PENDING" : "PROCESSING";
                }
            }
            return SimResponse.json(200, view(report).toString());
        }
    }

    private ObjectNode view(Report report) {
        ObjectNode view = CanonicalJson.mapper().createObjectNode();
        view.put("reportId", report.id).put("status", report.status).put("startDate", report.from.toString())
                .put("endDate", report.to.toString());
        if (report.status.equals("COMPLETED")) {
            Instant expires = clock.instant().plus(urlLifetime);
            // each status answer signs a fresh url, as a pre-signed storage url is
            view.put("url", baseUrl() + "/report-files/" + report.id + ".json.gz?X-Amz-Expires=" + expires.toEpochMilli())
                    .put("urlExpiresAt", expires.toString()).put("fileSize", report.file.length);
        } else {
            view.putNull("url").putNull("urlExpiresAt");
        }
        if (report.status.equals("FAILED")) {
            view.put("failureReason", "Report generation failed due to an internal error");
        }
        return view;
    }

    private byte[] build(Report report) {
        ArrayNode rows = CanonicalJson.mapper().createArrayNode();
        for (CampaignDay day : days.values()) {
            if (!day.date().isBefore(report.from) && !day.date().isAfter(report.to)) {
                ObjectNode row = rows.addObject();
                for (JsonNode column : report.columns) {
                    switch (column.asText()) {
                        case "date" -> row.put("date", day.date().toString());
                        case "campaignId" -> row.put("campaignId", day.campaignId());
                        case "campaignName" -> row.put("campaignName", day.campaignName());
                        case "campaignBudgetCurrencyCode" -> row.put("campaignBudgetCurrencyCode", day.currency());
                        case "impressions" -> row.put("impressions", day.impressions());
                        case "clicks" -> row.put("clicks", day.clicks());
                        case "cost" -> row.put("cost", day.cost());
                        case "purchases14d" -> row.put("purchases14d", day.purchases14d());
                        case "unitsSoldClicks14d" -> row.put("unitsSoldClicks14d", day.units14d());
                        case "sales14d" -> row.put("sales14d", day.sales14d());
                        default -> row.putNull(column.asText());
                    }
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(rows.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private SimResponse download(SimRequest request) {
        hold.pass();
        if (request.header("Authorization") != null) {
            return xml(400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                    + "Signature query string parameter or the Authorization header should be specified");
        }
        String expires = request.queryParam("X-Amz-Expires");
        if (expires == null || !clock.instant().isBefore(Instant.ofEpochMilli(Long.parseLong(expires)))) {
            return xml(403, "AccessDenied", "Request has expired");
        }
        Report report;
        synchronized (this) {
            report = reports.get(request.pathParam("id"));
        }
        if (report == null || report.file == null) {
            return xml(404, "NoSuchKey", "The specified key does not exist.");
        }
        return new SimResponse(200, Map.of("Content-Type", "application/x-gzip"), report.file);
    }

    private static SimResponse xml(int status, String code, String message) {
        return new SimResponse(status, Map.of("Content-Type", "application/xml"), ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<Error><Code>" + code + "</Code><Message>" + message + "</Message></Error>").getBytes(StandardCharsets.UTF_8));
    }

    private static SimResponse bad(String detail) {
        return SimResponse.json(400, CanonicalJson.mapper().createObjectNode().put("code", "400").put("detail", detail).toString());
    }

    // ---- Conversions API ------------------------------------------------------------------------

    private SimResponse events(SimRequest request) {
        requireApiAuth(request);
        if (!ACCOUNT_ID.equals(request.header("Amazon-Ads-AccountId"))) {
            return SimResponse.json(403, "{\"code\":\"FORBIDDEN\",\"message\":\"Amazon-Ads-AccountId is missing or not accessible\"}");
        }
        if (!eventsBucket.tryTake(1)) {
            throttledEventRequests.incrementAndGet();
            return SimResponse.json(429, "{\"code\":\"TOO_MANY_REQUESTS\",\"message\":\"Rate exceeded\"}")
                    .withHeader("Retry-After", Long.toString(Math.max(1, (long) Math.ceil(eventsBucket.secondsUntil(1)))));
        }
        eventRequests.incrementAndGet();
        JsonNode body;
        try {
            body = CanonicalJson.mapper().readTree(request.bodyText());
        } catch (IOException e) {
            return SimResponse.json(400, "{\"code\":\"BAD_REQUEST\",\"message\":\"the body is not JSON\"}");
        }
        JsonNode events = body.path("eventData");
        if (!events.isArray() || events.isEmpty() || events.size() > MAX_EVENTS) {
            return SimResponse.json(400, "{\"code\":\"BAD_REQUEST\",\"message\":\"eventData must hold 1 to " + MAX_EVENTS + " events\"}");
        }
        if (!"SERVER_TO_SERVER".equals(body.path("ingestionMethod").asText())) {
            return SimResponse.json(400, "{\"code\":\"BAD_REQUEST\",\"message\":\"ingestionMethod must be SERVER_TO_SERVER\"}");
        }
        Map<Integer, Integer> failing = new HashMap<>();
        synchronized (this) {
            for (int i = 0; i + 1 < failingEvents.size(); i += 2) {
                failing.put(failingEvents.get(i), failingEvents.get(i + 1));
            }
            failingEvents.clear();
        }
        ObjectNode answer = CanonicalJson.mapper().createObjectNode();
        ArrayNode success = answer.putArray("success");
        ArrayNode error = answer.putArray("error");
        for (int i = 0; i < events.size(); i++) {
            int index = i + 1;
            JsonNode event = events.get(i);
            String problem = failing.containsKey(index) ? "INTERNAL_ERROR" : invalid(event);
            if (problem != null) {
                ObjectNode e = error.addObject();
                e.put("index", index).put("httpStatusCode", Integer.toString(failing.getOrDefault(index, 400)));
                e.putArray("subErrors").addObject().put("errorCode", failing.containsKey(index) ? "INTERNAL_ERROR" : "INVALID_PARAMETER")
                        .put("errorMessage", failing.containsKey(index) ? "Internal error, retry later" : problem);
                continue;
            }
            String dedupeId = event.get("clientDedupeId").asText();
            boolean fresh = keepConversionEvents ? conversions.putIfAbsent(dedupeId, event) == null : conversionIds.add(dedupeId);
            if (!fresh) {
                duplicateConversions.incrementAndGet();
            }
            success.addObject().put("index", index).set("event", event);
        }
        return SimResponse.json(207, answer.toString());
    }

    /** What is wrong with one event, or null. */
    private static String invalid(JsonNode event) {
        for (String field : List.of("name", "eventType", "eventActionSource", "countryCode", "timestamp")) {
            if (!event.path(field).isTextual() || event.path(field).asText().isBlank()) {
                return field + " is required";
            }
        }
        if (!EVENT_TYPES.contains(event.get("eventType").asText())) {
            return "eventType " + event.get("eventType").asText() + " is not one of " + EVENT_TYPES;
        }
        if (!ACTION_SOURCES.contains(event.get("eventActionSource").asText())) {
            return "eventActionSource " + event.get("eventActionSource").asText() + " is not one of " + ACTION_SOURCES;
        }
        if (!event.get("countryCode").asText().matches("^[A-Z]{2}$")) {
            return "countryCode must be ISO 3166-1 alpha-2";
        }
        try {
            Instant.parse(event.get("timestamp").asText());
        } catch (DateTimeParseException e) {
            return "timestamp must be ISO 8601";
        }
        if (!event.path("clientDedupeId").isTextual()) {
            return "clientDedupeId is required to count an event once";
        }
        if (event.has("value") && (!event.get("value").isNumber() || event.get("value").decimalValue().signum() < 0)) {
            return "value must be a non-negative number";
        }
        if (event.has("value") && !event.path("currencyCode").asText().matches("^[A-Z]{3}$")) {
            return "currencyCode is required with value";
        }
        JsonNode keys = event.path("matchKeys");
        if (!keys.isArray() || keys.isEmpty() || keys.size() > 11) {
            return "matchKeys must hold 1 to 11 keys";
        }
        for (JsonNode key : keys) {
            String type = key.path("type").asText();
            if (!MATCH_KEY_TYPES.contains(type)) {
                return "matchKeys: unknown type " + type;
            }
            if (!key.path("values").isArray() || key.path("values").size() != 1) {
                return "matchKeys: values must hold exactly one value";
            }
            if (Set.of("EMAIL", "PHONE").contains(type) && !SHA256_HEX.matcher(key.path("values").get(0).asText()).matches()) {
                return "matchKeys: " + type + " must be SHA-256 hex of the normalized value";
            }
        }
        return null;
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
