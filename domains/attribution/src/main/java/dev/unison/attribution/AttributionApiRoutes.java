package dev.unison.attribution;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.attribution.AttributionStore.CampaignSettings;
import dev.unison.attribution.AttributionStore.CreditRow;
import dev.unison.attribution.AttributionStore.NetworkSettings;
import dev.unison.attribution.AttributionStore.StoredOrder;
import dev.unison.identity.ProfileDirectory;
import dev.unison.platform.edge.ApiException;
import dev.unison.platform.edge.ApiRoutes;
import dev.unison.platform.edge.ApiSchemas;
import dev.unison.platform.edge.ApiSupport;
import dev.unison.platform.edge.Partners;
import dev.unison.platform.edge.Scope;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.model.rest.RestParamType;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The attribution part of the partner API: the ROAS report, an order's attribution explained, and
 * the settings (networks, campaigns, advertisers' readers, a full re-attribution).
 */
public class AttributionApiRoutes extends ApiRoutes {

    private final AttributionStore store;
    private final RoasReport report;
    private final AttributionEngine engine;
    private final AdFileIntake files;
    private final ProfileDirectory directory;
    private final Partners partners;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final int minShoppers;

    public AttributionApiRoutes(ApiSupport api, ApiSchemas schemas, AttributionStore store, RoasReport report,
            AttributionEngine engine, AdFileIntake files, ProfileDirectory directory, Partners partners, TransactionTemplate tx,
            Clock clock, int minShoppers) {
        super(api, schemas);
        this.files = files;
        this.store = store;
        this.report = report;
        this.engine = engine;
        this.directory = directory;
        this.partners = partners;
        this.tx = tx;
        this.clock = clock;
        this.minShoppers = minShoppers;
    }

    @Override
    public void configure() {
        jsonErrors();

        rest(BASE)
                .get("/attribution/campaigns").id("get-attribution-report")
                    .description("The ROAS report: per campaign (or day, or network) and currency, the spend the networks "
                            + "reported and the revenue the hub attributed to their exposures, online and in stores; ROAS "
                            + "online-only (what a measurement blind to stores reports) and connected. Revenue is net of "
                            + "refunds, counted on the day the order was placed; money is never added across currencies. "
                            + "A partner sees the campaigns of the advertisers it reads (partners:all: every campaign); rows "
                            + "backed by too few shoppers show no shopper-derived figure. Beside them, the networks' own "
                            + "attributed figures by their own windows (from their spend reports, or their attributed "
                            + "conversions when the spend carries none; never both, never added to the hub's) and roasNetwork; "
                            + "these are the networks' published aggregates and are not suppressed. Accept: text/csv for CSV.")
                    .param().name("from").type(RestParamType.query).description("first day, inclusive (YYYY-MM-DD, UTC)").endParam()
                    .param().name("to").type(RestParamType.query).description("last day, inclusive (YYYY-MM-DD, UTC)").endParam()
                    .param().name("network").type(RestParamType.query).description("only this network").endParam()
                    .param().name("campaign").type(RestParamType.query).description("only this campaign id").endParam()
                    .param().name("model").type(RestParamType.query)
                        .description("last_touch (default), first_touch or linear").endParam()
                    .param().name("groupBy").type(RestParamType.query).description("campaign (default), day or network").endParam()
                    .produces("application/json,text/csv")
                    .responseMessage().code(400).message("a malformed parameter, named").endResponseMessage()
                    .to("direct:get-attribution-report")
                .get("/attribution/network-conversions").id("get-network-conversions")
                    .description("The conversions the networks themselves attribute to their campaigns at transaction level "
                            + "(commerce.ad.conversion.attributed.v1, e.g. Criteo's attributed transactions): the network's "
                            + "claim by its own rule, beside the hub's attribution and never added to it; no shopper is named. "
                            + "Oldest first. A partner sees the campaigns of the advertisers it reads (partners:all: every "
                            + "campaign).")
                    .param().name("network").type(RestParamType.query).description("only this network").endParam()
                    .param().name("campaign").type(RestParamType.query).description("only this campaign id").endParam()
                    .param().name("from").type(RestParamType.query)
                        .description("first day of the conversion, inclusive (YYYY-MM-DD, UTC)").endParam()
                    .param().name("to").type(RestParamType.query)
                        .description("last day of the conversion, inclusive (YYYY-MM-DD, UTC)").endParam()
                    .param().name("limit").type(RestParamType.query)
                        .description("most conversions listed, 1-" + MAX_CONVERSIONS + " (default " + DEFAULT_CONVERSIONS + ")")
                        .endParam()
                    .produces("application/json")
                    .responseMessage().code(400).message("a malformed parameter, named").endResponseMessage()
                    .to("direct:get-network-conversions")
                .get("/attribution/orders/{orderId}").id("get-order-attribution")
                    .description("Which touch won an order under each model and why. Order-level: only for holders of "
                            + "partners:all (a brand reads aggregates, never single shoppers' orders)")
                    .param().name("orderId").type(RestParamType.path).description("the canonical order id").endParam()
                    .produces("application/json")
                    .responseMessage().code(404).message("no such order").endResponseMessage()
                    .to("direct:get-order-attribution")
                .get("/attribution/exposures").id("get-exposure-counts")
                    .description("How many exposures were received, and how many match a known shopper so far (an unmatched "
                            + "one is kept: it matches when its shopper's email, phone or device arrives)")
                    .param().name("network").type(RestParamType.query).description("only this network").endParam()
                    .param().name("campaign").type(RestParamType.query).description("only this campaign id").endParam()
                    .produces("application/json")
                    .to("direct:get-exposure-counts")
                .put("/attribution/networks/{network}").id("put-attribution-network")
                    .description("A network's settings {hashing, clickLookbackDays?, viewLookbackDays?}: how its hashed "
                            + "emails and phones are normalized (AMAZON, META, GOOGLE, TIKTOK, SNAP or X) and its default "
                            + "windows. Every profile with orders is attributed again.")
                    .param().name("network").type(RestParamType.path).description("network, e.g. criteo-retail-media").endParam()
                    .consumes("application/json").produces("application/json")
                    .to("direct:put-attribution-network")
                .put("/attribution/campaigns/{network}/{campaignId}").id("put-attribution-campaign")
                    .description("A campaign's settings {advertiserId?, name?, clickLookbackDays?, viewLookbackDays?}; unset "
                            + "windows follow the network's, then the hub's (14-day click, 1-day view). The orders its "
                            + "every order is credited again.")
                    .param().name("network").type(RestParamType.path).description("network").endParam()
                    .param().name("campaignId").type(RestParamType.path).description("campaign id").endParam()
                    .consumes("application/json").produces("application/json")
                    .to("direct:put-attribution-campaign")
                .put("/attribution/advertisers/{advertiserId}/readers").id("put-advertiser-readers")
                    .description("The partners that may read an advertiser's campaigns {partners: [partner id]}, replacing the list")
                    .param().name("advertiserId").type(RestParamType.path).description("advertiser id").endParam()
                    .consumes("application/json").produces("application/json")
                    .responseMessage().code(422).message("an unknown partner id").endResponseMessage()
                    .to("direct:put-advertiser-readers")
                .post("/attribution/files/{kind}").id("post-attribution-file")
                    .description("An exposure log or a spend report as a file (kind exposures or spend): text/csv with a header "
                            + "row, or JSON lines (application/x-ndjson, one canonical record per line); gzip-compressed or not. "
                            + "Each row becomes the event POST /api/v1/events would make of it (an exposure by network and "
                            + "exposure id, so a file sent again publishes nothing twice). The answer reports every rejected row "
                            + "by line with its reasons; the other rows are taken. Up to " + ApiSupport.MAX_BODY_BYTES
                            + " bytes as sent: larger files go to a drop folder (unison.attribution.feeds).")
                    .param().name("kind").type(RestParamType.path).description("exposures or spend").endParam()
                    .consumes("text/csv,application/x-ndjson").produces("application/json")
                    .responseMessage().code(200).message("read: accepted, duplicate and rejected rows, each rejection with its line")
                        .endResponseMessage()
                    .responseMessage().code(422).message("the file as a whole is unreadable (no header, missing or unknown "
                            + "columns, not UTF-8, broken gzip): nothing taken").endResponseMessage()
                    .to("direct:post-attribution-file")
                .post("/attribution/recompute").id("post-attribution-recompute")
                    .description("Credit every order again (after a change of rules); returns at once with the number of "
                            + "orders queued")
                    .produces("application/json")
                    .responseMessage().code(202).message("queued").endResponseMessage()
                    .to("direct:post-attribution-recompute");

        secured("get-attribution-report", AttributionScopes.ATTRIBUTION_READ, this::report);
        secured("get-network-conversions", AttributionScopes.ATTRIBUTION_READ, this::networkConversions);
        secured("get-order-attribution", AttributionScopes.ATTRIBUTION_READ, e -> {
            if (!ApiSupport.principal(e).has(Scope.ALL_PARTNERS)) {
                throw ApiException.forbidden("an order's attribution is shown to holders of partners:all only");
            }
            explain(e);
        });
        secured("get-exposure-counts", AttributionScopes.ATTRIBUTION_READ, e -> {
            Set<String> readable = readable(e);
            String network = text(e, "network");
            String campaign = text(e, "campaign");
            Map<String, CampaignSettings> campaigns = new HashMap<>();
            store.campaigns().forEach(c -> campaigns.put(c.network() + "\u0000" + c.campaignId(), c));
            long[] counts = new long[2];
            store.exposureCounts(network, campaign).forEach(c -> {
                CampaignSettings settings = campaigns.get(c.network() + "\u0000" + c.campaignId());
                if (readable == null || (settings != null && settings.advertiserId() != null
                        && readable.contains(settings.advertiserId()))) {
                    counts[0] += c.matched();
                    counts[1] += c.unmatched();
                }
            });
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("network", network);
            out.put("campaignId", campaign);
            out.put("received", counts[0] + counts[1]);
            out.put("matched", counts[0]);
            out.put("unmatched", counts[1]);
            ApiSupport.respond(e, 200, out);
        });
        validated("put-attribution-network", Scope.ADMIN, e -> {
            String network = network(e);
            JsonNode body = ApiSupport.jsonBody(e);
            NetworkSettings n = new NetworkSettings(network, body.get("hashing").asText(), intOrNull(body, "clickLookbackDays"),
                    intOrNull(body, "viewLookbackDays"), clock.instant());
            // another hashing can match other exposures: every shopper with orders is matched again
            int queued = tx.execute(s -> {
                store.putNetwork(n);
                List<String> profiles = directory.profilesWithTransactions();
                store.markProfiles(profiles);
                store.markAllOrders();
                return profiles.size();
            });
            engine.wakeUp();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("network", network);
            out.put("hashing", n.hashing());
            out.put("clickLookbackDays", n.clickLookbackDays());
            out.put("viewLookbackDays", n.viewLookbackDays());
            out.put("profilesQueued", queued);
            ApiSupport.respond(e, 200, out);
        });
        validated("put-attribution-campaign", Scope.ADMIN, e -> {
            String network = network(e);
            String campaignId = bounded(e, "campaignId", 128);
            JsonNode body = ApiSupport.jsonBody(e);
            CampaignSettings c = new CampaignSettings(network, campaignId, textOrNull(body, "advertiserId"),
                    textOrNull(body, "name"), intOrNull(body, "clickLookbackDays"), intOrNull(body, "viewLookbackDays"),
                    clock.instant());
            // other windows can move any order's credit: every order is credited again
            long queued = tx.execute(s -> {
                store.putCampaign(c);
                return store.markAllOrders();
            });
            engine.wakeUp();
            LookbackWindows w = engine.windowsOf(network, campaignId);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("network", network);
            out.put("campaignId", campaignId);
            out.put("advertiserId", c.advertiserId());
            out.put("name", c.name());
            out.put("window", window(w));
            out.put("ordersQueued", queued);
            ApiSupport.respond(e, 200, out);
        });
        validated("put-advertiser-readers", Scope.ADMIN, e -> {
            String advertiserId = bounded(e, "advertiserId", 128);
            List<String> ids = new ArrayList<>();
            ApiSupport.jsonBody(e).get("partners").forEach(p -> ids.add(p.asText()));
            List<String> unknown = ids.stream().filter(id -> partners.find(id).isEmpty()).toList();
            if (!unknown.isEmpty()) {
                throw ApiException.unprocessable("no partner with id " + String.join(", ", unknown));
            }
            tx.executeWithoutResult(s -> store.putReaders(advertiserId, ids));
            ApiSupport.respond(e, 200, Map.of("advertiserId", advertiserId, "partners", store.readers(advertiserId)));
        });
        secured("post-attribution-file", AttributionScopes.ATTRIBUTION_WRITE, e -> {
            AdFileParser.Kind kind;
            try {
                kind = AdFileParser.Kind.fromWireName(String.valueOf(e.getIn().getHeader("kind", String.class)));
            } catch (IllegalArgumentException bad) {
                throw ApiException.notFound(bad.getMessage());
            }
            String type = String.valueOf(e.getIn().getHeader(Exchange.CONTENT_TYPE, String.class)).toLowerCase(java.util.Locale.ROOT);
            AdFileParser.Format format;
            if (type.startsWith("text/csv")) {
                format = AdFileParser.Format.CSV;
            } else if (type.startsWith("application/x-ndjson") || type.startsWith("application/jsonl")) {
                format = AdFileParser.Format.JSON_LINES;
            } else {
                throw new ApiException(415, "unsupported_media_type", "send text/csv or application/x-ndjson (JSON lines)");
            }
            Long declared = e.getIn().getHeader(Exchange.CONTENT_LENGTH, Long.class);
            if (declared != null && declared > ApiSupport.MAX_BODY_BYTES) {
                throw new ApiException(413, "payload_too_large", "files are limited to " + ApiSupport.MAX_BODY_BYTES
                        + " bytes here (gzip them, or use a drop folder)");
            }
            byte[] body = e.getIn().getBody(byte[].class);
            if (body == null || body.length == 0) {
                throw ApiException.badRequest("the file is empty");
            }
            AdFileIntake.Report report;
            try {
                Partners.Principal caller = ApiSupport.principal(e);
                // like events: a partner reports its own network only (its name), an operator any
                report = files.ingest(AdFileIntake.Sender.partner(caller.partnerId(),
                        caller.has(Scope.ALL_PARTNERS) ? null : caller.name()), kind, format, new java.io.ByteArrayInputStream(body));
            } catch (AdFileParser.UnreadableFileException unreadable) {
                throw ApiException.unprocessable(unreadable.getMessage());
            }
            ApiSupport.respond(e, 200, fileReport(report));
        });
        secured("post-attribution-recompute", Scope.ADMIN, e -> {
            long queued = tx.execute(s -> store.markAllOrders());
            engine.wakeUp();
            ApiSupport.respond(e, 202, Map.of("ordersQueued", queued));
        });
    }

    private static final java.util.regex.Pattern NETWORK = java.util.regex.Pattern.compile("^[a-z0-9][a-z0-9._-]{0,63}$");

    /** The network path parameter, in the form exposures name it (lowercase letters, digits, . _ -). */
    private static String network(Exchange e) {
        String network = e.getIn().getHeader("network", String.class);
        if (network == null || !NETWORK.matcher(network).matches()) {
            throw ApiException.unprocessable("network must match " + NETWORK.pattern());
        }
        return network;
    }

    private static String bounded(Exchange e, String name, int max) {
        String v = e.getIn().getHeader(name, String.class);
        if (v == null || v.isEmpty() || v.length() > max) {
            throw ApiException.unprocessable(name + " must be 1-" + max + " characters");
        }
        return v;
    }

    /** A file's report as the API and the drop folder give it. */
    static Map<String, Object> fileReport(AdFileIntake.Report report) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", report.kind());
        out.put("lines", report.lines());
        out.put("accepted", report.accepted());
        out.put("duplicates", report.duplicates());
        out.put("rejected", report.rejected());
        List<Map<String, Object>> rejections = new ArrayList<>();
        report.rejections().forEach(r -> rejections.add(Map.of("line", r.line(), "reasons", r.reasons())));
        out.put("rejections", rejections);
        out.put("rejectionsTruncated", report.rejectionsTruncated());
        return out;
    }

    private static Integer intOrNull(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() ? null : v.asInt();
    }

    private static String textOrNull(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Map<String, Object> window(LookbackWindows w) {
        return w == null ? null : Map.of("clickLookbackDays", w.clickDays(), "viewLookbackDays", w.viewDays());
    }

    /** The advertisers the caller may read; null for all. */
    private Set<String> readable(Exchange e) {
        Partners.Principal caller = ApiSupport.principal(e);
        return caller.has(Scope.ALL_PARTNERS) ? null : new HashSet<>(store.advertisersReadableBy(caller.partnerId()));
    }


    private static String text(Exchange e, String name) {
        String v = e.getIn().getHeader(name, String.class);
        return v == null || v.isBlank() ? null : v;
    }

    private void report(Exchange e) {
        LocalDate from = ApiSupport.dateParameter(e, "from");
        LocalDate to = ApiSupport.dateParameter(e, "to");
        if (from != null && to != null && to.isBefore(from)) {
            throw ApiException.badRequest("'to' is before 'from'");
        }
        AttributionModel model;
        RoasReport.GroupBy groupBy;
        try {
            String m = text(e, "model");
            model = m == null ? AttributionModel.LAST_TOUCH : AttributionModel.fromWireName(m);
            String g = text(e, "groupBy");
            groupBy = g == null ? RoasReport.GroupBy.CAMPAIGN : RoasReport.GroupBy.fromWireName(g);
        } catch (IllegalArgumentException bad) {
            throw ApiException.badRequest(bad.getMessage());
        }
        boolean csv = String.valueOf(e.getIn().getHeader("Accept", String.class)).contains("text/csv");
        List<RoasReport.Row> rows = report.run(new RoasReport.Query(from, to, text(e, "network"), text(e, "campaign"), model,
                groupBy, readable(e)));
        if (csv) {
            respondCsv(e, rows);
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model.wireName());
        out.put("groupBy", groupBy.name().toLowerCase(java.util.Locale.ROOT));
        out.put("from", from == null ? null : from.toString());
        out.put("to", to == null ? null : to.toString());
        out.put("minShoppers", minShoppers);
        List<Map<String, Object>> list = new ArrayList<>();
        for (RoasReport.Row r : rows) {
            Map<String, Object> row = new LinkedHashMap<>();
            switch (groupBy) {
                case CAMPAIGN -> {
                    row.put("network", r.network());
                    row.put("campaignId", r.campaignId());
                    row.put("advertiserId", r.advertiserId());
                    row.put("window", window(r.windows()));
                }
                case NETWORK -> row.put("network", r.network());
                case DAY -> row.put("day", r.day().toString());
            }
            row.put("currency", r.currency());
            row.put("spend", plain(r.spend()));
            row.put("impressions", r.impressions());
            row.put("clicks", r.clicks());
            row.put("attributedOrders", r.attributedOrders());
            row.put("revenueOnline", plain(r.revenueOnline()));
            row.put("revenueInStore", plain(r.revenueInStore()));
            row.put("revenue", plain(r.revenue()));
            row.put("roasOnline", r.roasOnline());
            row.put("roasConnected", r.roasConnected());
            row.put("shoppers", r.shoppers());
            row.put("suppressed", r.suppressed());
            // the network's own figures: its published aggregates, shown even when the row is suppressed
            row.put("networkOrders", r.networkOrders());
            row.put("networkUnits", r.networkUnits());
            row.put("networkRevenue", plain(r.networkRevenue()));
            row.put("networkRevenueInStore", plain(r.networkRevenueInStore()));
            row.put("networkRevenueOnline", plain(r.networkRevenueOnline()));
            row.put("roasNetwork", r.roasNetwork());
            row.put("networkWindow", r.networkWindow());
            list.add(row);
        }
        out.put("rows", list);
        ApiSupport.respond(e, 200, out);
    }

    static final int DEFAULT_CONVERSIONS = 100;
    static final int MAX_CONVERSIONS = 1000;

    private void networkConversions(Exchange e) {
        LocalDate from = ApiSupport.dateParameter(e, "from");
        LocalDate to = ApiSupport.dateParameter(e, "to");
        if (from != null && to != null && to.isBefore(from)) {
            throw ApiException.badRequest("'to' is before 'from'");
        }
        String limitText = text(e, "limit");
        int limit = DEFAULT_CONVERSIONS;
        if (limitText != null) {
            if (!limitText.matches("[0-9]{1,4}") || Integer.parseInt(limitText) < 1 || Integer.parseInt(limitText) > MAX_CONVERSIONS) {
                throw ApiException.badRequest("limit must be an integer from 1 to " + MAX_CONVERSIONS + ", got '" + limitText + "'");
            }
            limit = Integer.parseInt(limitText);
        }
        Partners.Principal caller = ApiSupport.principal(e);
        String network = text(e, "network");
        String campaign = text(e, "campaign");
        // one more than asked: whether the list was cut
        List<AttributionStore.StoredConversion> found = store.conversions(network, campaign,
                from == null ? null : from.atStartOfDay(java.time.ZoneOffset.UTC).toInstant(),
                to == null ? null : to.plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant(),
                caller.has(Scope.ALL_PARTNERS) ? null : caller.partnerId(), limit + 1);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("network", network);
        out.put("campaignId", campaign);
        out.put("from", from == null ? null : from.toString());
        out.put("to", to == null ? null : to.toString());
        out.put("limit", limit);
        List<Map<String, Object>> list = new ArrayList<>();
        for (AttributionStore.StoredConversion c : found.subList(0, Math.min(limit, found.size()))) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("network", c.network());
            row.put("conversionId", c.conversionId());
            row.put("campaignId", c.campaignId());
            row.put("adId", c.adId());
            row.put("convertedAt", c.convertedAt().toString());
            row.put("touch", c.touch());
            row.put("windowDays", c.windowDays());
            row.put("channel", c.channel());
            row.put("currency", c.currency());
            row.put("sales", c.sales().setScale(Math.max(0, digits(c.currency())), RoundingMode.HALF_EVEN).toPlainString());
            row.put("units", c.units());
            row.put("reportedAt", c.reportedAt().toString());
            list.add(row);
        }
        out.put("conversions", list);
        out.put("truncated", found.size() > limit);
        ApiSupport.respond(e, 200, out);
    }

    private static int digits(String currency) {
        try {
            return java.util.Currency.getInstance(currency).getDefaultFractionDigits();
        } catch (IllegalArgumentException notIso) {
            return 2;
        }
    }

    private static String plain(BigDecimal v) {
        return v == null ? null : v.toPlainString();
    }

    private static void respondCsv(Exchange e, List<RoasReport.Row> rows) {
        StringBuilder csv = new StringBuilder("network,campaign_id,advertiser_id,day,currency,spend,impressions,clicks,"
                + "attributed_orders,revenue_online,revenue_in_store,revenue,roas_online,roas_connected,shoppers,suppressed,"
                + "click_lookback_days,view_lookback_days,network_orders,network_units,network_revenue,"
                + "network_revenue_in_store,network_revenue_online,roas_network,network_window\r\n");
        for (RoasReport.Row r : rows) {
            List<Object> cells = new ArrayList<>();
            cells.add(r.network());
            cells.add(r.campaignId());
            cells.add(r.advertiserId());
            cells.add(r.day());
            cells.add(r.currency());
            cells.add(plain(r.spend()));
            cells.add(r.impressions());
            cells.add(r.clicks());
            cells.add(r.attributedOrders());
            cells.add(plain(r.revenueOnline()));
            cells.add(plain(r.revenueInStore()));
            cells.add(plain(r.revenue()));
            cells.add(plain(r.roasOnline()));
            cells.add(plain(r.roasConnected()));
            cells.add(r.shoppers());
            cells.add(r.suppressed());
            cells.add(r.windows() == null ? null : r.windows().clickDays());
            cells.add(r.windows() == null ? null : r.windows().viewDays());
            cells.add(r.networkOrders());
            cells.add(r.networkUnits());
            cells.add(plain(r.networkRevenue()));
            cells.add(plain(r.networkRevenueInStore()));
            cells.add(plain(r.networkRevenueOnline()));
            cells.add(plain(r.roasNetwork()));
            cells.add(r.networkWindow());
            List<String> out = new ArrayList<>();
            for (Object c : cells) {
                out.add(csvCell(c));
            }
            csv.append(String.join(",", out)).append("\r\n");
        }
        org.apache.camel.Message m = e.getMessage();
        m.getHeaders().clear();
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        m.setHeader(Exchange.CONTENT_TYPE, "text/csv; charset=utf-8");
        m.setBody(csv.toString());
    }

    /** RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so a spreadsheet does not run it as a formula. */
    static String csvCell(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        if (!(value instanceof Number) && !s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0) {
            s = "'" + s;
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            s = "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    private void explain(Exchange e) {
        String orderId = e.getIn().getHeader("orderId", String.class);
        StoredOrder order = store.order(orderId).orElseThrow(() -> ApiException.notFound("no order " + orderId));
        BigDecimal refunded = store.refunded(orderId, order.currency());
        BigDecimal net = order.cancelled() ? BigDecimal.ZERO : order.total().subtract(refunded).max(BigDecimal.ZERO);
        Map<String, List<Map<String, Object>>> models = new LinkedHashMap<>();
        for (AttributionModel m : AttributionModel.values()) {
            models.put(m.wireName(), new ArrayList<>());
        }
        for (CreditRow c : store.creditsOfOrder(orderId)) {
            for (AttributionModel m : AttributionModel.values()) {
                if (!c.under(m)) {
                    continue;
                }
                int share = m == AttributionModel.LINEAR ? c.touches() : 1;
                Map<String, Object> credit = new LinkedHashMap<>();
                credit.put("network", c.network());
                credit.put("campaignId", c.campaignId());
                credit.put("kind", c.kind());
                credit.put("exposedAt", c.exposedAt().toString());
                credit.put("share", "1/" + share);
                credit.put("revenue", net.divide(BigDecimal.valueOf(share), 2, RoundingMode.HALF_EVEN).toPlainString());
                credit.put("reason", Attributor.reason(m, new Attributor.Touch(c.exposure(), c.network(), c.campaignId(),
                        dev.unison.canonical.model.ExposureKind.fromWireName(c.kind()), c.exposedAt()), share, c.clicks(), c.views(),
                        new LookbackWindows(c.clickDays(), c.viewDays()), order.placedAt()));
                models.get(m.wireName()).add(credit);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("orderId", orderId);
        out.put("channel", order.channel());
        out.put("placedIn", order.placedIn());
        out.put("placedAt", order.placedAt().toString());
        out.put("currency", order.currency());
        out.put("total", order.total().setScale(2, RoundingMode.HALF_EVEN).toPlainString());
        out.put("refunded", refunded.setScale(2, RoundingMode.HALF_EVEN).toPlainString());
        out.put("netRevenue", net.setScale(2, RoundingMode.HALF_EVEN).toPlainString());
        out.put("cancelled", order.cancelled());
        boolean attributed = models.values().stream().anyMatch(l -> !l.isEmpty());
        out.put("attributed", attributed);
        if (!attributed) {
            java.util.Optional<String> verdict = directory.profilesOfTransactions(List.of(orderId)).get(orderId);
            out.put("reason", verdict == null ? "the identity group has not handled this order yet"
                    : verdict.isEmpty() ? "no shopper is known for this order: none of its identifiers resolved"
                    : "no exposure of its shopper falls within a campaign's window before the order");
        }
        out.put("models", models);
        ApiSupport.respond(e, 200, out);
    }
}
