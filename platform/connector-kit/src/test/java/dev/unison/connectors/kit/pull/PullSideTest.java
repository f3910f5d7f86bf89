package dev.unison.connectors.kit.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.auth.ClientCredentials;
import dev.unison.connectors.kit.auth.CredentialsRefused;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.config.Secret;
import dev.unison.connectors.kit.mapping.MappingLibrary;
import dev.unison.connectors.kit.simulator.ManualClock;
import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.kit.simulator.SimResponse;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.CoalescingQueue;
import dev.unison.connectors.kit.spi.ConnectionMetrics;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.CredentialStore;
import dev.unison.connectors.kit.spi.DeadLetterSink;
import dev.unison.connectors.kit.spi.ExternalRefs;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.spi.Inbox;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kit's pull side against a paged API that enforces what real ones do: a client-credentials
 * token endpoint (HTTP Basic client authentication, tokens that expire, a secret that can be
 * rotated) and an order search behind a bearer token, paged by a cursor.
 */
class PullSideTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-04T10:00:00Z"));
    private PagedOrdersApi api;
    private final MemoryInbox inbox = new MemoryInbox();
    private final Map<String, CheckResult> statuses = new LinkedHashMap<>();
    private final AtomicReference<String> configuredSecret = new AtomicReference<>("s3cret");
    private ClientCredentials tokens;

    @BeforeEach
    void start() throws IOException {
        api = new PagedOrdersApi(freePort(), clock);
        api.start();
        tokens = newTokens();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private ClientCredentials newTokens() {
        return new ClientCredentials(HttpClient.newHttpClient(), URI.create(api.baseUrl() + "/oauth2/token"), "hub",
                new Secret(configuredSecret.get()), "orders:read", ClientCredentials.Authentication.BASIC, clock, Duration.ofSeconds(5));
    }

    /** What a connector writes: one page from the cursor, one fresh token after a 401, refused for good after that. */
    private Poller.Page fetch(Optional<String> cursor) throws Exception {
        for (int attempt = 1;; attempt++) {
            String token = tokens.accessToken();
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api.baseUrl()
                    + "/orders?cursor=" + cursor.orElse("0"))).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401 && attempt == 1) {
                tokens.invalidate(token);
                continue;
            }
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                throw new CredentialsRefused("the order search answered " + response.statusCode());
            }
            if (response.statusCode() != 200) {
                throw new IOException("the order search answered " + response.statusCode());
            }
            JsonNode page = CanonicalJson.mapper().readTree(response.body());
            List<InboundDelivery> deliveries = new ArrayList<>();
            for (JsonNode order : page.get("orders")) {
                deliveries.add(new InboundDelivery("shop-1", "paged", "order", order.get("id").asText(), Map.of(),
                        order.toString().getBytes(StandardCharsets.UTF_8), clock.instant()));
            }
            return new Poller.Page(deliveries, page.get("next").asText(), page.get("more").asBoolean());
        }
    }

    private Poller poller() {
        return new Poller("shop-1", "orders", this::fetch, context(), clock, Duration.ofSeconds(5), Duration.ofMinutes(5),
                Duration.ofMinutes(10));
    }

    @Test
    void aRoundStoresEveryPageWithItsCursorUntilCaughtUpAndTheNextRoundOnlyWhatIsNew() {
        api.add(5);
        Poller poller = poller();

        Poller.Round first = poller.round();

        assertThat(first.outcome()).isEqualTo(Poller.Outcome.CAUGHT_UP);
        assertThat(first.stored()).isEqualTo(5);
        assertThat(inbox.keys).containsExactly("o1", "o2", "o3", "o4", "o5");
        assertThat(inbox.cursor("shop-1", "orders")).contains("5");
        assertThat(poller.round().stored()).as("nothing new").isZero();
        api.add(1);
        assertThat(poller.round().stored()).isEqualTo(1);
        assertThat(tokens.tokensFetched()).as("one token for all of it").isEqualTo(1);
    }

    @Test
    void aCrashBetweenAFetchAndItsCommitNeitherSkipsNorRepeatsAnOrderAndTheCursorSurvivesARestart() {
        api.add(5);
        inbox.failOnPage = 2; // the hub dies after fetching the second page, before committing it
        Poller.Round crashed = poller().round();
        assertThat(crashed.outcome()).isEqualTo(Poller.Outcome.FAILED);
        assertThat(inbox.keys).containsExactly("o1", "o2");
        assertThat(inbox.cursor("shop-1", "orders")).contains("2");

        // a new poller (a restarted hub) resumes from the committed cursor
        Poller restarted = poller();
        assertThat(restarted.round().outcome()).isEqualTo(Poller.Outcome.CAUGHT_UP);
        assertThat(inbox.keys).containsExactly("o1", "o2", "o3", "o4", "o5");
    }

    @Test
    void aFailingApiIsTriedAgainAfterGrowingPauses() {
        api.add(1);
        api.failures.set(2);
        Poller poller = poller();
        assertThat(poller.round().detail()).contains("503").contains("next try in PT5S");
        assertThat(poller.round().outcome()).as("within the pause: not called").isEqualTo(Poller.Outcome.SKIPPED);
        clock.advance(Duration.ofSeconds(5));
        assertThat(poller.round().detail()).contains("next try in PT10S");
        clock.advance(Duration.ofSeconds(10));
        assertThat(poller.round().outcome()).isEqualTo(Poller.Outcome.CAUGHT_UP);
        assertThat(inbox.keys).containsExactly("o1");
    }

    @Test
    void refusedCredentialsPauseTheStreamVisiblyAndNewCredentialsResumeIt() {
        api.add(2);
        api.rotateSecret("n3w-secret"); // the client secret was rotated in the system's console
        Poller poller = poller();

        Poller.Round refused = poller.round();
        assertThat(refused.outcome()).isEqualTo(Poller.Outcome.PAUSED);
        assertThat(statuses.get("shop-1").ok()).isFalse();
        assertThat(statuses.get("shop-1").detail()).contains("paused").contains("refused client hub (401 invalid_client)");
        int calls = api.received().size();
        clock.advance(Duration.ofMinutes(5));
        assertThat(poller.round().outcome()).isEqualTo(Poller.Outcome.PAUSED);
        assertThat(api.received()).as("a paused stream does not hammer the API").hasSize(calls);

        configuredSecret.set("n3w-secret"); // the operator stores the new secret
        tokens = newTokens();
        clock.advance(Duration.ofMinutes(5));
        assertThat(poller.round().outcome()).isEqualTo(Poller.Outcome.CAUGHT_UP);
        assertThat(poller.paused()).isFalse();
        assertThat(statuses.get("shop-1")).isEqualTo(CheckResult.ok("polling orders resumed"));
        assertThat(inbox.keys).containsExactly("o1", "o2");
    }

    @Test
    void aTokenIsReusedUntilShortlyBeforeItExpiresAndRenewedAfterTheApiRefusesIt() throws Exception {
        String first = tokens.accessToken();
        clock.advance(Duration.ofSeconds(3000)); // of 3,600: still well inside its life
        assertThat(tokens.accessToken()).isEqualTo(first);
        clock.advance(Duration.ofSeconds(250)); // the last tenth of its life: renewed before it can lapse mid-call
        String second = tokens.accessToken();
        assertThat(second).isNotEqualTo(first);

        api.add(1);
        api.revokeTokens(); // e.g. the system restarted and forgot its tokens
        assertThat(fetch(Optional.empty()).deliveries()).as("one fresh token after the 401").hasSize(1);
        assertThat(tokens.tokensFetched()).isEqualTo(3);
    }

    @Test
    void theTokenEndpointSeesTheClientAsRfc6749SaysAndItsOtherFailuresAreRetryable() throws Exception {
        tokens.accessToken();
        SimRequest request = api.received().get(0);
        assertThat(request.header("Authorization")).isEqualTo("Basic " + Base64.getEncoder()
                .encodeToString("hub:s3cret".getBytes(StandardCharsets.UTF_8)));
        assertThat(request.bodyText()).isEqualTo("grant_type=client_credentials&scope=orders%3Aread");

        api.failures.set(1);
        tokens.invalidate(tokens.accessToken());
        assertThatThrownBy(tokens::accessToken).isInstanceOf(IOException.class).hasMessageContaining("503");

        ClientCredentials inBody = new ClientCredentials(HttpClient.newHttpClient(), URI.create(api.baseUrl() + "/oauth2/token"),
                "hub", new Secret("s3cret"), null, ClientCredentials.Authentication.BODY, clock, Duration.ofSeconds(5));
        assertThat(inBody.accessToken()).isNotBlank();
        assertThat(api.received().get(api.received().size() - 1).bodyText())
                .isEqualTo("grant_type=client_credentials&client_id=hub&client_secret=s3cret");
    }

    // ---- asynchronous reports ------------------------------------------------------------------

    /** What a connector writes for an Amazon-Ads-style reporting API (create, status, download). */
    private ReportJob.Api reportApi(ReportingApi reports) {
        HttpClient http = HttpClient.newHttpClient();
        return new ReportJob.Api() {
            @Override
            public String create(java.time.LocalDate from, java.time.LocalDate to) throws Exception {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(reports.baseUrl() + "/reporting/reports"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"startDate\":\"" + from + "\",\"endDate\":\"" + to + "\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 425) { // a duplicate of a report being built: use that one
                    return r.body().replaceAll(".*duplicate of : ([A-Za-z0-9-]+).*", "$1");
                }
                return CanonicalJson.mapper().readTree(r.body()).get("reportId").asText();
            }

            @Override
            public ReportJob.Status status(String id) throws Exception {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(reports.baseUrl() + "/reporting/reports/" + id))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 429) {
                    throw new TryLater("status of report " + id + " answered 429", r.headers().firstValue("Retry-After")
                            .map(v -> Duration.ofSeconds(Long.parseLong(v))));
                }
                JsonNode body = CanonicalJson.mapper().readTree(r.body());
                return switch (body.get("status").asText()) {
                    case "COMPLETED" -> new ReportJob.Status(ReportJob.Phase.COMPLETED, body.get("url").asText(), null);
                    case "FAILED" -> new ReportJob.Status(ReportJob.Phase.FAILED, null, body.get("failureReason").asText());
                    default -> new ReportJob.Status(ReportJob.Phase.PENDING, null, null);
                };
            }

            @Override
            public java.io.InputStream download(String url) throws Exception {
                return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream()).body();
            }
        };
    }

    private Poller reportPoller(ReportingApi reports, java.time.LocalDate firstDay) {
        ReportJob job = new ReportJob("ads-1", "ads", "campaign-day", reportApi(reports), firstDay, 31,
                row -> row.get("campaignId").asText() + "/" + row.get("date").asText(), clock);
        return new Poller("ads-1", "campaign-report", job, context(), clock, Duration.ofSeconds(5), Duration.ofMinutes(5),
                Duration.ofMinutes(10));
    }

    @Test
    void aBackfillAsksForReportsOf31DaysAtMostPollsEachUntilCompletedAndStoresEveryRowOnce() throws IOException {
        try (ReportingApi reports = new ReportingApi(freePort(), clock, 2, true)) {
            reports.start();
            java.time.LocalDate firstDay = java.time.LocalDate.parse("2026-10-26"); // 39 days before yesterday (2026-12-03)
            Poller poller = reportPoller(reports, firstDay);

            assertThat(poller.round().detail()).as("created").contains("caught up");
            assertThat(reports.created).containsExactly("2026-10-26/2026-11-25");
            for (int i = 0; i < 2; i++) { // still being built
                clock.advance(Duration.ofSeconds(30));
                assertThat(poller.round().stored()).isZero();
            }
            clock.advance(Duration.ofSeconds(30));
            Poller.Round completed = poller.round();
            // its 31 days x 2 campaigns, then at once the next range is asked for
            assertThat(completed.stored()).isEqualTo(62);
            assertThat(reports.created).containsExactly("2026-10-26/2026-11-25", "2026-11-26/2026-12-03");
            // a restarted hub keeps polling the report it asked for, it does not ask again
            Poller restarted = reportPoller(reports, firstDay);
            for (int i = 0; i < 3; i++) {
                clock.advance(Duration.ofSeconds(30));
                restarted.round();
            }
            assertThat(reports.created).hasSize(2);
            assertThat(inbox.keys).hasSize(78).doesNotHaveDuplicates().contains("c1/2026-10-26", "c2/2026-12-03");
            assertThat(inbox.cursor("ads-1", "campaign-report").orElseThrow()).contains("\"phase\":\"done\"")
                    .contains("\"to\":\"2026-12-03\"");
            clock.advance(Duration.ofSeconds(30));
            assertThat(restarted.round().stored()).as("nothing complete to ask for until tomorrow").isZero();
            assertThat(reports.created).hasSize(2);
        }
    }

    @Test
    void onceCaughtUpTheTrailingDaysAreAskedForAgainAtTheRestatementIntervalAndUnchangedRowsAreNotStoredTwice() throws IOException {
        try (ReportingApi reports = new ReportingApi(freePort(), clock, 0, false)) {
            reports.start();
            java.time.LocalDate firstDay = java.time.LocalDate.parse("2026-11-24"); // ten days to yesterday (2026-12-03)
            ReportJob job = new ReportJob("ads-1", "ads", "campaign-day", reportApi(reports), firstDay, 31,
                    row -> row.get("campaignId").asText() + "/" + row.get("date").asText(),
                    new ReportJob.Restatement(3, Duration.ofHours(6)), clock);
            Poller poller = new Poller("ads-1", "campaign-report", job, context(), clock, Duration.ofSeconds(5),
                    Duration.ofMinutes(5), Duration.ofMinutes(10));
            poller.round(); // created
            clock.advance(Duration.ofSeconds(30));
            assertThat(poller.round().stored()).isEqualTo(20);
            for (int i = 0; i < 3; i++) {
                clock.advance(Duration.ofMinutes(30));
                poller.round();
            }
            assertThat(reports.receivedOn("POST", "/reporting/reports")).as("nothing asked again before 6 h").hasSize(1);

            clock.advance(Duration.ofHours(5));
            poller.round();
            assertThat(reports.receivedOn("POST", "/reporting/reports")).hasSize(2);
            assertThat(reports.receivedOn("POST", "/reporting/reports").get(1).bodyText())
                    .isEqualTo("{\"startDate\":\"2026-12-01\",\"endDate\":\"2026-12-03\"}");
            clock.advance(Duration.ofSeconds(30));
            poller.round();
            assertThat(inbox.keys).as("the same rows again are duplicates").hasSize(20).doesNotHaveDuplicates();
            assertThat(inbox.cursor("ads-1", "campaign-report").orElseThrow()).contains("\"phase\":\"done\"")
                    .contains("\"to\":\"2026-12-03\"").contains("\"reportedAt\":\"2026-12-04T16:");
        }
    }

    @Test
    void eagerPollingWaitsForRetryAfterAFailedReportIsAskedForAgainAndJsonLinesAreRead() throws IOException {
        try (ReportingApi reports = new ReportingApi(freePort(), clock, 1, false)) {
            reports.start();
            Poller poller = reportPoller(reports, java.time.LocalDate.parse("2026-12-03"));
            poller.round(); // created
            reports.failNext = true;
            clock.advance(Duration.ofSeconds(30));
            poller.round(); // still building
            clock.advance(Duration.ofSeconds(30));
            poller.round(); // failed: the range goes back to be asked for again
            assertThat(inbox.cursor("ads-1", "campaign-report").orElseThrow()).contains("\"failures\":1")
                    .contains("internal error");
            clock.advance(Duration.ofSeconds(30));
            poller.round();
            assertThat(reports.created).hasSize(2);

            clock.advance(Duration.ofSeconds(1));
            poller.round(); // still building
            Poller.Round limited = poller.round(); // asked again at once: 429
            assertThat(limited.outcome()).isEqualTo(Poller.Outcome.FAILED);
            assertThat(limited.detail()).contains("429").contains("Retry-After 60 s").contains("next try in PT1M"); // beats the 5 s backoff
            clock.advance(Duration.ofSeconds(30));
            assertThat(poller.round().outcome()).as("the API is not asked before its Retry-After").isEqualTo(Poller.Outcome.SKIPPED);
            clock.advance(Duration.ofSeconds(60));
            for (int i = 0; i < 3; i++) {
                clock.advance(Duration.ofSeconds(30));
                poller.round();
            }
            assertThat(inbox.keys).containsExactlyInAnyOrder("c1/2026-12-03", "c2/2026-12-03");
        }
    }

    @Test
    void aBrokenReportStoresNothingOfItAndARangeThatKeepsFailingIsAskedForAgainAnHourLater() throws IOException {
        try (ReportingApi reports = new ReportingApi(freePort(), clock, 0, true)) {
            reports.start();
            Poller poller = reportPoller(reports, java.time.LocalDate.parse("2026-12-03"));
            reports.brokenRow = true;
            poller.round(); // created
            clock.advance(Duration.ofSeconds(30));
            Poller.Round broken = poller.round();
            assertThat(broken.outcome()).isEqualTo(Poller.Outcome.FAILED);
            assertThat(broken.detail()).contains("report row 3 is not a JSON object");
            assertThat(inbox.keys).as("not the rows before the broken one either").isEmpty();
            assertThat(inbox.cursor("ads-1", "campaign-report").orElseThrow()).contains("pending");
            reports.brokenRow = false;

            reports.failReports.set(3);
            for (int i = 0; i < 6; i++) { // fetch the same (pending) report: failed; then twice more asked for and failed
                clock.advance(Duration.ofSeconds(30));
                poller.round();
            }
            assertThat(inbox.cursor("ads-1", "campaign-report").orElseThrow()).contains("\"failures\":3").contains("notBefore");
            int asked = reports.created.size();
            clock.advance(Duration.ofMinutes(30));
            poller.round();
            assertThat(reports.created).as("not again within the hour").hasSize(asked);
            clock.advance(Duration.ofMinutes(31));
            for (int i = 0; i < 3; i++) {
                poller.round();
                clock.advance(Duration.ofSeconds(30));
            }
            assertThat(reports.created).hasSize(asked + 1);
            assertThat(inbox.keys).containsExactlyInAnyOrder("c1/2026-12-03", "c2/2026-12-03");
        }
    }

    /**
     * An Amazon-Ads-style reporting API (Amazon Ads API "Reporting v3"): a report is built after a
     * few status requests, a duplicate request is answered 425 with the existing report's id, a
     * status request within 2 s of the last is answered 429 with Retry-After, the result is a gzip
     * JSON array (or JSON lines, plain) of one row per campaign and day.
     */
    static final class ReportingApi extends SimulatorServer {
        final List<String> created = new ArrayList<>();
        private final Map<String, String> ranges = new LinkedHashMap<>();
        private final Map<String, Integer> polls = new LinkedHashMap<>();
        private final Clock clock;
        private final int pollsUntilDone;
        private final boolean gzipArray;
        private Instant lastStatus = Instant.MIN;
        volatile boolean failNext;
        final AtomicInteger failReports = new AtomicInteger();
        volatile boolean brokenRow;

        ReportingApi(int port, Clock clock, int pollsUntilDone, boolean gzipArray) {
            super("reporting", port, clock);
            this.clock = clock;
            this.pollsUntilDone = pollsUntilDone;
            this.gzipArray = gzipArray;
            route("POST", "/reporting/reports", this::create);
            route("GET", "/reporting/reports/(?<id>[A-Za-z0-9-]+)", this::status);
            route("GET", "/download/(?<id>[A-Za-z0-9-]+)", this::download);
        }

        private synchronized SimResponse create(SimRequest request) {
            JsonNode body;
            try {
                body = CanonicalJson.mapper().readTree(request.bodyText());
            } catch (IOException e) {
                return SimResponse.json(400, "{\"code\":\"400\",\"detail\":\"not JSON\"}");
            }
            String range = body.get("startDate").asText() + "/" + body.get("endDate").asText();
            for (var e : ranges.entrySet()) {
                if (e.getValue().equals(range) && polls.get(e.getKey()) >= 0) {
                    return SimResponse.json(425, "{\"code\":\"425\",\"detail\":\"The Request is a duplicate of : " + e.getKey() + "\"}");
                }
            }
            String id = UUID.randomUUID().toString();
            ranges.put(id, range);
            polls.put(id, 0);
            created.add(range);
            return SimResponse.json(200, "{\"reportId\":\"" + id + "\",\"status\":\"PENDING\"}");
        }

        private synchronized SimResponse status(SimRequest request) {
            if (Duration.between(lastStatus, clock.instant()).compareTo(Duration.ofSeconds(2)) < 0) {
                return SimResponse.json(429, "{\"code\":\"429\",\"detail\":\"Too Many Requests\"}").withHeader("Retry-After", "60");
            }
            lastStatus = clock.instant();
            String id = request.pathParam("id");
            int n = polls.merge(id, 1, Integer::sum);
            if (n <= pollsUntilDone) {
                return SimResponse.json(200, "{\"reportId\":\"" + id + "\",\"status\":\"" + (n == 1 ? "PENDING" : "PROCESSING") + "\"}");
            }
            if (failNext || failReports.getAndUpdate(f -> Math.max(0, f - 1)) > 0) {
                failNext = false;
                polls.put(id, -1);
                return SimResponse.json(200, "{\"reportId\":\"" + id + "\",\"status\":\"FAILED\",\"failureReason\":\"internal error\"}");
            }
            return SimResponse.json(200, "{\"reportId\":\"" + id + "\",\"status\":\"COMPLETED\",\"url\":\"" + baseUrl()
                    + "/download/" + id + "\"}");
        }

        private synchronized SimResponse download(SimRequest request) {
            String[] range = ranges.get(request.pathParam("id")).split("/");
            StringBuilder rows = new StringBuilder();
            for (java.time.LocalDate d = java.time.LocalDate.parse(range[0]); !d.isAfter(java.time.LocalDate.parse(range[1]));
                    d = d.plusDays(1)) {
                for (String campaign : List.of("c1", "c2")) {
                    String row = "{\"campaignId\":\"" + campaign + "\",\"date\":\"" + d + "\",\"impressions\":1000,\"clicks\":12,"
                            + "\"cost\":\"4.80\"}";
                    rows.append(gzipArray ? (rows.length() == 0 ? "[" : ",") : "").append(row).append(gzipArray ? "" : "\n");
                }
            }
            if (!gzipArray) {
                return new SimResponse(200, Map.of("Content-Type", "application/x-ndjson"), rows.toString().getBytes(StandardCharsets.UTF_8));
            }
            rows.append(brokenRow ? ",42]" : "]");
            java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
            try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(zipped)) {
                gz.write(rows.toString().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return new SimResponse(200, Map.of("Content-Type", "application/octet-stream"), // a .json.gz file, as reports are downloaded
                    zipped.toByteArray());
        }
    }

    /** A paged order API behind client-credentials tokens, enforcing both. */
    static final class PagedOrdersApi extends SimulatorServer {
        private final List<ObjectNode> orders = new ArrayList<>();
        private final Map<String, Instant> validTokens = new LinkedHashMap<>();
        private final Clock clock;
        private volatile String secret = "s3cret";
        final AtomicInteger failures = new AtomicInteger();

        PagedOrdersApi(int port, Clock clock) {
            super("paged-orders", port, clock);
            this.clock = clock;
            route("POST", "/oauth2/token", this::token);
            route("GET", "/orders", this::orders);
        }

        synchronized void add(int count) {
            for (int i = 0; i < count; i++) {
                orders.add(CanonicalJson.mapper().createObjectNode().put("id", "o" + (orders.size() + 1)));
            }
        }

        void rotateSecret(String next) {
            secret = next;
        }

        synchronized void revokeTokens() {
            validTokens.clear();
        }

        private synchronized SimResponse token(SimRequest request) {
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return SimResponse.json(503, "{\"error\":\"temporarily_unavailable\"}");
            }
            String body = request.bodyText();
            boolean basic = ("Basic " + Base64.getEncoder().encodeToString(("hub:" + secret).getBytes(StandardCharsets.UTF_8)))
                    .equals(request.header("Authorization"));
            boolean inBody = body.contains("client_id=hub") && body.contains("client_secret=" + secret);
            if (!body.startsWith("grant_type=client_credentials")) {
                return SimResponse.json(400, "{\"error\":\"unsupported_grant_type\"}");
            }
            if (!basic && !inBody) {
                return SimResponse.json(401, "{\"error\":\"invalid_client\"}");
            }
            String token = UUID.randomUUID().toString();
            validTokens.put(token, clock.instant().plusSeconds(3600));
            return SimResponse.json(200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
        }

        private synchronized SimResponse orders(SimRequest request) {
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return SimResponse.json(503, "{\"error\":\"try later\"}");
            }
            String auth = request.header("Authorization");
            Instant expires = auth == null ? null : validTokens.get(auth.replace("Bearer ", ""));
            if (expires == null || !clock.instant().isBefore(expires)) {
                return SimResponse.json(401, "{\"error\":\"invalid_token\"}");
            }
            int from = Integer.parseInt(request.queryParam("cursor"));
            int to = Math.min(orders.size(), from + 2);
            ObjectNode page = CanonicalJson.mapper().createObjectNode();
            ArrayNode list = page.putArray("orders");
            orders.subList(from, to).forEach(list::add);
            return SimResponse.json(200, page.put("next", Integer.toString(to)).put("more", to < orders.size()).toString());
        }
    }

    /** The hub's inbox in memory, with a way to fail one page's commit (a crash before it). */
    static final class MemoryInbox implements Inbox {
        final List<String> keys = new ArrayList<>();
        final Map<String, String> cursors = new LinkedHashMap<>();
        int pages;
        int failOnPage = -1;

        @Override
        public Result accept(InboundDelivery delivery) {
            throw new UnsupportedOperationException("pull only");
        }

        @Override
        public synchronized Optional<String> cursor(String connectionId, String stream) {
            return Optional.ofNullable(cursors.get(connectionId + "/" + stream));
        }

        @Override
        public synchronized java.util.Set<String> stored(String connectionId, java.util.Collection<String> dedupeKeys) {
            return dedupeKeys.stream().filter(keys::contains).collect(java.util.stream.Collectors.toSet());
        }

        @Override
        public synchronized Optional<Integer> acceptPage(String connectionId, String stream, Optional<String> expected, String next,
                List<InboundDelivery> page) {
            if (++pages == failOnPage) {
                throw new IllegalStateException("the hub died before this page was committed");
            }
            if (!cursor(connectionId, stream).equals(expected)) {
                return Optional.empty();
            }
            cursors.put(connectionId + "/" + stream, next);
            int stored = 0;
            for (InboundDelivery d : page) {
                if (!keys.contains(d.dedupeKey())) {
                    keys.add(d.dedupeKey());
                    stored++;
                }
            }
            return Optional.of(stored);
        }
    }

    private ConnectorContext context() {
        return new ConnectorContext() {
            @Override
            public Optional<Connection> connection(String connectionId) {
                return Optional.empty();
            }

            @Override
            public List<Connection> connectionsOf(String connectorName) {
                return List.of();
            }

            @Override
            public MappingLibrary mappings() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Inbox inbox() {
                return inbox;
            }

            @Override
            public ExternalRefs refs() {
                throw new UnsupportedOperationException();
            }

            @Override
            public CoalescingQueue outboundQueue() {
                throw new UnsupportedOperationException();
            }

            @Override
            public DeadLetterSink deadLetters() {
                throw new UnsupportedOperationException();
            }

            @Override
            public ConnectionMetrics metrics() {
                return (connectionId, what, outcome, amount) -> { };
            }

            @Override
            public CredentialStore credentials() {
                return CredentialStore.inMemory(clock);
            }

            @Override
            public void reportStatus(String connectionId, CheckResult status) {
                statuses.put(connectionId, status);
            }
        };
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
