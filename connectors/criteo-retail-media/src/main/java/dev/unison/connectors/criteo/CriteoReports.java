package dev.unison.connectors.criteo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.pull.ReportJob;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The two report streams of a connection as {@link ReportJob.Api}s.
 *
 * <p><b>Campaign days</b> ({@link #campaigns}): Criteo's campaign report filters on one sales
 * channel at a time ({@code salesChannel: all | offline | online}, "Filter on specific sales
 * channel"). It also offers {@code salesChannel} as a dimension, but how the media metrics
 * (impressions, clicks, spend: not a sale, so not of a channel) are spread over a channel dimension
 * is not documented; the filter's meaning is. So one range is three reports, created together:
 * {@code all} for spend, impressions, clicks and the attributed totals, {@code offline} and
 * {@code online} for the attributed sales of each channel; each with dimensions {@code date,
 * campaignId} and metrics {@code impressions, clicks, spend, attributedOrders, attributedUnits,
 * attributedSales} (the column names of the campaign report's dimension and metric enums,
 * criteo-api-java-sdk {@code AsyncCampaignsReport}), so the row shape is the one asked for, not
 * whatever a report type defaults to. The id the {@link ReportJob} keeps in its cursor is the three
 * ids joined ({@code all,offline,online}); it is complete when all three are, failed when one failed
 * or expired; its output is one merged row per campaign and day, with {@code salesOffline} and
 * {@code salesOnline} added, amounts as decimal text.
 *
 * <p><b>Attributed transactions</b> ({@link #transactions}): one report of {@code reportType:
 * attributedTransactions}, rows passed through as Criteo writes them.
 *
 * <p>Both ask for {@code json-newline} in UTC with the connection's click and view windows.
 */
final class CriteoReports {

    static final List<String> DIMENSIONS = List.of("date", "campaignId");
    static final List<String> METRICS = List.of("impressions", "clicks", "spend", "attributedOrders", "attributedUnits",
            "attributedSales");
    private static final List<String> CHANNELS = List.of("all", "offline", "online");

    private CriteoReports() {
    }

    static ReportJob.Api campaigns(CriteoApi api, CriteoSettings settings) {
        return new ReportJob.Api() {
            /** Reports already created for a range whose other channels are not yet (a 429 came between). */
            private final java.util.Map<String, List<String>> started = new java.util.concurrent.ConcurrentHashMap<>();

            @Override
            public String create(LocalDate from, LocalDate to) throws Exception {
                // a 429 on the second or third create: the ones created are kept and only the missing ones
                // are asked for next time, never the whole range again (each create spends the rate limit);
                // after a restart the kept ones are forgotten, and Criteo drops them with its cache
                String range = from + "/" + to;
                List<String> ids = started.computeIfAbsent(range, r -> new java.util.concurrent.CopyOnWriteArrayList<>());
                for (String channel : CHANNELS.subList(ids.size(), CHANNELS.size())) {
                    ObjectNode attributes = request(settings, from, to, "summary", channel);
                    DIMENSIONS.forEach(attributes.withArray("dimensions")::add);
                    METRICS.forEach(attributes.withArray("metrics")::add);
                    ids.add(api.createCampaignReport(attributes));
                }
                started.remove(range);
                return String.join(",", ids);
            }

            @Override
            public ReportJob.Status status(String reportId) throws Exception {
                for (String id : reportId.split(",")) {
                    ReportJob.Status one = single(api, id);
                    if (one.phase() != ReportJob.Phase.COMPLETED) {
                        return one; // pending or failed: no need to ask about the others now
                    }
                }
                return new ReportJob.Status(ReportJob.Phase.COMPLETED, reportId, null);
            }

            @Override
            public InputStream download(String url) throws Exception {
                String[] ids = url.split(",");
                if (ids.length != CHANNELS.size()) {
                    throw new IllegalStateException("a campaign-day report is three reports (all, offline, online), got " + url);
                }
                List<List<JsonNode>> channels = new ArrayList<>();
                for (String id : ids) {
                    channels.add(lines(api.output(id)));
                }
                return new ByteArrayInputStream(merge(channels.get(0), channels.get(1), channels.get(2))
                        .getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    static ReportJob.Api transactions(CriteoApi api, CriteoSettings settings) {
        return new ReportJob.Api() {
            @Override
            public String create(LocalDate from, LocalDate to) throws Exception {
                return api.createCampaignReport(request(settings, from, to, "attributedTransactions", "all"));
            }

            @Override
            public ReportJob.Status status(String reportId) throws Exception {
                return single(api, reportId);
            }

            @Override
            public InputStream download(String url) throws Exception {
                return api.output(url);
            }
        };
    }

    static ObjectNode request(CriteoSettings settings, LocalDate from, LocalDate to, String reportType, String channel) {
        ObjectNode attributes = CanonicalJson.mapper().createObjectNode();
        ArrayNode ids = attributes.putArray("ids");
        settings.campaignIds().forEach(ids::add);
        attributes.put("startDate", from.toString()).put("endDate", to.toString()).put("timezone", "UTC")
                .put("reportType", reportType).put("clickAttributionWindow", settings.clickWindow())
                .put("viewAttributionWindow", settings.viewWindow()).put("salesChannel", channel).put("format", "json-newline");
        return attributes;
    }

    private static ReportJob.Status single(CriteoApi api, String id) throws Exception {
        CriteoApi.ReportStatus status = api.status(id);
        return switch (status.status()) {
            case "success" -> new ReportJob.Status(ReportJob.Phase.COMPLETED, id, null);
            case "pending" -> new ReportJob.Status(ReportJob.Phase.PENDING, null, null);
            // an output is kept at least an hour, then expired: the range is asked for again
            case "expired" -> new ReportJob.Status(ReportJob.Phase.FAILED, null, "report " + id + " expired before its output was read");
            default -> new ReportJob.Status(ReportJob.Phase.FAILED, null, "report " + id + " status " + status.status()
                    + (status.message().isEmpty() ? "" : ": " + status.message()));
        };
    }

    /** The JSON lines of one report (blank lines skipped), gzip or not. */
    static List<JsonNode> lines(InputStream raw) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        java.io.BufferedInputStream buffered = new java.io.BufferedInputStream(raw);
        buffered.mark(2);
        boolean gzip = buffered.read() == 0x1f && buffered.read() == 0x8b; // RFC 1952 magic
        buffered.reset();
        InputStream body = gzip ? new java.util.zip.GZIPInputStream(buffered) : buffered;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    rows.add(CanonicalJson.mapper().readTree(line)); // decimals stay BigDecimal (CanonicalJson)
                }
            }
        }
        return rows;
    }

    /**
     * One row per campaign and day (ordered by both, so an unchanged report merges to the same
     * text): the {@code all} report's metrics, the channels' attributed sales as {@code salesOffline}
     * and {@code salesOnline} (zero when the channel has no row), amounts as decimal text. The three
     * reports are built one after another, so while Criteo still restates a day they may disagree
     * (a row may be missing from one, or its channel sales not add up to the total): the all-channels
     * report decides which rows there are, and a row that changes at the next restatement is a new
     * delivery, so the newest figures win once the day is final.
     */
    static String merge(List<JsonNode> all, List<JsonNode> offline, List<JsonNode> online) throws IOException {
        Map<String, ObjectNode> merged = new TreeMap<>();
        for (JsonNode row : all) {
            ObjectNode out = blank(row, merged);
            out.put("impressions", count(row, "impressions")).put("clicks", count(row, "clicks"))
                    .put("spend", CriteoRows.decimal(row, "spend").toPlainString())
                    .put("attributedOrders", count(row, "attributedOrders")).put("attributedUnits", count(row, "attributedUnits"))
                    .put("attributedSales", CriteoRows.decimal(row, "attributedSales").toPlainString());
        }
        for (JsonNode row : offline) {
            blank(row, merged).put("salesOffline", CriteoRows.decimal(row, "attributedSales").toPlainString());
        }
        for (JsonNode row : online) {
            blank(row, merged).put("salesOnline", CriteoRows.decimal(row, "attributedSales").toPlainString());
        }
        StringBuilder lines = new StringBuilder();
        for (ObjectNode row : merged.values()) {
            if (!row.has("spend")) {
                // a channel row without its row in the report of all channels: the channel report was built
                // after the day changed, the other before; the all-channels report decides which campaign days
                // there are, and the next restatement brings this one whole
                continue;
            }
            row.putIfAbsent("salesOffline", row.textNode("0"));
            row.putIfAbsent("salesOnline", row.textNode("0"));
            lines.append(row).append('\n');
        }
        return lines.toString();
    }

    private static ObjectNode blank(JsonNode row, Map<String, ObjectNode> merged) throws IOException {
        String campaign = row.path("campaignId").asText("");
        String day = row.path("date").asText("");
        if (campaign.isEmpty() || day.isEmpty()) {
            throw new IOException("a campaign report row without campaignId or date: " + row);
        }
        // Criteo writes the date column as a date; keep its day (a timestamp's date part, in the report's UTC)
        String date = day.length() > 10 ? day.substring(0, 10) : day;
        return merged.computeIfAbsent(date + "/" + campaign, k -> CanonicalJson.mapper().createObjectNode()
                .put("campaignId", campaign).put("date", date));
    }

    private static long count(JsonNode row, String field) {
        BigDecimal value = CriteoRows.decimal(row, field);
        return value.longValueExact();
    }
}
