package dev.unison.connectors.kit.pull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.spi.InboundDelivery;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

/**
 * An asynchronous report as retail media APIs offer them (Amazon Ads reporting v3, Criteo's
 * campaign reports): create a report for a date range, poll its status until it is completed,
 * download the result (gzip, JSON array or JSON lines) and stream it into deliveries, one per
 * row. A {@link Poller.Source}: its state lives in the stream's cursor ({@code {"phase":
 * "pending", "reportId": ..., "from": ..., "to": ...}}), committed with each page, so a restart
 * keeps polling the report it created instead of asking for it again. Ranges follow each other
 * day by day up to yesterday, at most {@code maxDays} at a time (Amazon's 31-day limit), starting
 * at {@code firstDay} (a backfill); a report still being built is asked about again at the next
 * round; a failed report is asked for again (after three failures in a row, an hour later); a
 * 429 or 425 answer's {@code Retry-After} becomes
 * the {@link Poller}'s pause when the API throws {@link TryLater}.
 *
 * <p>Networks restate recent days: Amazon's attributed purchases and sales columns count
 * conversions up to 14 days after the click, Criteo finalises a day by its 120th hour. With a
 * {@link Restatement} the job, once caught up, asks for the trailing days again every so often; a
 * row whose content changed has a new key (the connector's {@code rowKey} includes it) and is
 * stored as a new delivery, an unchanged one is a duplicate the inbox ignores.
 */
public final class ReportJob implements Poller.Source {

    /** What the report API answers to a status request. */
    public enum Phase { PENDING, COMPLETED, FAILED }

    public record Status(Phase phase, String downloadUrl, String failure) {
    }

    /**
     * Once caught up, the last {@code days} complete days are asked for again every {@code every}.
     * {@link #NONE}: a day is asked for once.
     */
    public record Restatement(int days, Duration every) {
        public static final Restatement NONE = new Restatement(0, Duration.ofDays(1));

        public Restatement {
            if (days < 0) {
                throw new IllegalArgumentException("restated days cannot be negative, got " + days);
            }
            if (every == null || every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("a restatement needs a positive interval, got " + every);
            }
        }
    }

    /** The report API of one system (its HTTP calls, its answers in these terms). */
    public interface Api {
        /** Creates the report of these days (both included) and returns its id; a duplicate request answers the existing id. */
        String create(LocalDate from, LocalDate to) throws Exception;

        Status status(String reportId) throws Exception;

        /** The raw result (as downloaded: gzip or not). */
        InputStream download(String url) throws Exception;
    }

    private static final int FAILURES_BEFORE_A_PAUSE = 3;
    private static final Duration PAUSE_AFTER_FAILURES = Duration.ofHours(1);

    private final String connectionId;
    private final String connector;
    private final String messageType;
    private final Api api;
    private final LocalDate firstDay;
    private final int maxDays;
    private final Function<JsonNode, String> rowKey;
    private final Restatement restatement;
    private final Clock clock;
    /** Days the API keeps (0: no limit); older days can no longer be asked for. */
    private int retentionDays;

    /**
     * @param rowKey the dedupe key of a row (e.g. report type + campaign + day): a report asked
     *               for again yields the same keys, so no row is stored twice
     */
    public ReportJob(String connectionId, String connector, String messageType, Api api, LocalDate firstDay, int maxDays,
            Function<JsonNode, String> rowKey, Clock clock) {
        this(connectionId, connector, messageType, api, firstDay, maxDays, rowKey, Restatement.NONE, clock);
    }

    /** @param restatement which recent days are asked for again once caught up, and how often */
    public ReportJob(String connectionId, String connector, String messageType, Api api, LocalDate firstDay, int maxDays,
            Function<JsonNode, String> rowKey, Restatement restatement, Clock clock) {
        if (maxDays < 1) {
            throw new IllegalArgumentException("maxDays must be at least 1, got " + maxDays);
        }
        this.connectionId = connectionId;
        this.connector = connector;
        this.messageType = messageType;
        this.api = api;
        this.firstDay = firstDay;
        this.maxDays = maxDays;
        this.rowKey = rowKey;
        this.restatement = restatement;
        this.clock = clock;
    }

    /**
     * The API keeps only the last {@code days} days (Amazon's spCampaigns: 95): a range that would
     * start earlier (a hub stopped for months) starts at the oldest day still kept instead, and the
     * cursor records the days skipped ({@code skipped}) for operators, instead of asking for a range
     * the API refuses again and again.
     */
    public ReportJob withRetention(int days) {
        if (days < 1) {
            throw new IllegalArgumentException("retention must be at least one day, got " + days);
        }
        this.retentionDays = days;
        return this;
    }

    @Override
    public Poller.Page fetch(Optional<String> cursor) throws Exception {
        ObjectNode state = cursor.map(ReportJob::read).orElseGet(() -> CanonicalJson.mapper().createObjectNode()
                .put("phase", "done").put("to", firstDay.minusDays(1).toString()));
        LocalDate yesterday = LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC).minusDays(1);
        switch (state.path("phase").asText()) {
            case "done" -> {
                if (state.has("notBefore") && clock.instant().isBefore(Instant.parse(state.get("notBefore").asText()))) {
                    return new Poller.Page(List.of(), state.toString(), false);
                }
                LocalDate from = LocalDate.parse(state.get("to").asText()).plusDays(1);
                boolean restating = false;
                if (from.isAfter(yesterday)) {
                    if (!restatementDue(state, yesterday)) {
                        return new Poller.Page(List.of(), state.toString(), false); // nothing complete to ask for yet
                    }
                    // caught up: the trailing days again (a network restates them), never before the first day
                    LocalDate trailing = yesterday.minusDays(restatement.days() - 1L);
                    from = trailing.isBefore(firstDay) ? firstDay : trailing;
                    restating = true;
                }
                String skipped = state.path("skipped").asText(null);
                // a day of margin: the API counts its days in the account's time zone, this job in UTC
                LocalDate oldest = retentionDays == 0 ? null : yesterday.plusDays(2).minusDays(retentionDays);
                if (oldest != null && from.isBefore(oldest)) {
                    skipped = from + "/" + oldest.minusDays(1) + " (older than the API's " + retentionDays + "-day retention)";
                    from = oldest;
                }
                LocalDate to = from.plusDays(maxDays - 1L).isAfter(yesterday) ? yesterday : from.plusDays(maxDays - 1L);
                String id = api.create(from, to);
                ObjectNode pending = CanonicalJson.mapper().createObjectNode().put("phase", "pending").put("reportId", id)
                        .put("from", from.toString()).put("to", to.toString()).put("failures", state.path("failures").asInt(0));
                if (skipped != null) {
                    pending.put("skipped", skipped);
                }
                if (restating) {
                    pending.put("restating", true);
                }
                return new Poller.Page(List.of(), pending.toString(), false);
            }
            case "pending" -> {
                Status status = api.status(state.get("reportId").asText());
                return switch (status.phase()) {
                    case PENDING -> new Poller.Page(List.of(), state.toString(), false);
                    case FAILED -> {
                        // the range is asked for again at the next round (a report the API gave up on is
                        // usually a transient failure); the cursor keeps how often and why, for operators
                        ObjectNode retry = CanonicalJson.mapper().createObjectNode().put("phase", "done")
                                .put("to", LocalDate.parse(state.get("from").asText()).minusDays(1).toString())
                                .put("failures", state.path("failures").asInt(0) + 1)
                                .put("lastFailure", shortened("report " + state.get("reportId").asText() + ": " + status.failure()));
                        if (retry.get("failures").asInt() >= FAILURES_BEFORE_A_PAUSE) {
                            // the API keeps failing this range: ask again after a pause, not at every round
                            retry.put("notBefore", clock.instant().plus(PAUSE_AFTER_FAILURES).toString());
                        }
                        yield new Poller.Page(List.of(), retry.toString(), false);
                    }
                    case COMPLETED -> {
                        List<InboundDelivery> rows = rows(api.download(status.downloadUrl()), state);
                        ObjectNode done = CanonicalJson.mapper().createObjectNode().put("phase", "done")
                                .put("to", state.get("to").asText()).put("reportedAt", clock.instant().toString());
                        if (state.has("skipped")) {
                            done.put("skipped", state.get("skipped").asText()); // stays visible in the cursor
                        }
                        // more when later complete days are waiting (a backfill goes on at once)
                        yield new Poller.Page(rows, done.toString(), LocalDate.parse(state.get("to").asText()).isBefore(yesterday));
                    }
                };
            }
            default -> throw new IllegalStateException("unknown report state " + state);
        }
    }

    /** Restating is due when configured, the first day is complete, and the last report is older than the interval. */
    private boolean restatementDue(ObjectNode state, LocalDate yesterday) {
        if (restatement.days() == 0 || firstDay.isAfter(yesterday)) {
            return false;
        }
        String last = state.path("reportedAt").asText("");
        return last.isEmpty() || !clock.instant().isBefore(Instant.parse(last).plus(restatement.every()));
    }

    /** Rows of a JSON array or JSON lines document, gzip or not, read one at a time (never the whole document as a tree). */
    private List<InboundDelivery> rows(InputStream raw, ObjectNode state) throws IOException {
        List<InboundDelivery> out = new ArrayList<>();
        Instant now = clock.instant();
        try (InputStream in = gunzipped(raw)) {
            in.mark(1);
            int first = skipSpace(in);
            if (first == '[') {
                try (JsonParser parser = CanonicalJson.mapper().getFactory().createParser(in)) {
                    if (parser.nextToken() != JsonToken.START_ARRAY) {
                        throw new IOException("report is not a JSON array");
                    }
                    JsonToken token;
                    while ((token = parser.nextToken()) == JsonToken.START_OBJECT) {
                        out.add(delivery(CanonicalJson.mapper().readTree(parser), state, now));
                    }
                    if (token != JsonToken.END_ARRAY) {
                        // never take the rows before a broken one as the whole report
                        throw new IOException("report row " + (out.size() + 1) + " is not a JSON object (" + token + ")");
                    }
                }
            } else {
                BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (!line.isBlank()) {
                        out.add(delivery(CanonicalJson.mapper().readTree(line), state, now));
                    }
                }
            }
        }
        return out;
    }

    private InboundDelivery delivery(JsonNode row, ObjectNode state, Instant now) {
        return new InboundDelivery(connectionId, connector, messageType, rowKey.apply(row), Map.of("report-id",
                state.get("reportId").asText(), "report-range", state.get("from").asText() + "/" + state.get("to").asText()),
                row.toString().getBytes(StandardCharsets.UTF_8), now);
    }

    private static InputStream gunzipped(InputStream raw) throws IOException {
        java.io.BufferedInputStream in = new java.io.BufferedInputStream(raw);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        // RFC 1952: a gzip member starts with 0x1f 0x8b
        return b1 == 0x1f && b2 == 0x8b ? new java.io.BufferedInputStream(new GZIPInputStream(in)) : in;
    }

    private static int skipSpace(InputStream in) throws IOException {
        while (true) {
            in.mark(1);
            int c = in.read();
            if (c == -1 || !Character.isWhitespace(c)) {
                in.reset();
                return c;
            }
        }
    }

    /** The cursor is kept in a column of 2,000 characters: a long failure text must not stop the stream. */
    private static String shortened(String text) {
        return text == null || text.length() <= 500 ? text : text.substring(0, 497) + "...";
    }

    private static ObjectNode read(String cursor) {
        try {
            return (ObjectNode) CanonicalJson.mapper().readTree(cursor);
        } catch (IOException | ClassCastException e) {
            throw new IllegalStateException("report cursor is not a report state: " + cursor, e);
        }
    }
}
