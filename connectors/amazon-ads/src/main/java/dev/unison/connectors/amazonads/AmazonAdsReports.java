package dev.unison.connectors.amazonads;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.auth.ClientCredentials;
import dev.unison.connectors.kit.auth.CredentialsRefused;
import dev.unison.connectors.kit.http.RetryAfter;
import dev.unison.connectors.kit.pull.ReportJob;
import dev.unison.connectors.kit.pull.TryLater;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Amazon Ads API reporting version 3 for one profile ("Amazon Ads API: Reporting v3, Getting
 * started"): {@code POST /reporting/reports} with {@code Content-Type:
 * application/vnd.createasyncreportrequest.v3+json} creates a daily {@code spCampaigns} report grouped
 * by campaign in {@code GZIP_JSON}; {@code GET /reporting/reports/{reportId}} answers its
 * {@code status} (PENDING, PROCESSING, COMPLETED with a {@code url} to download, FAILED with a
 * {@code failureReason}); the url is a pre-signed download that expires ({@code urlExpiresAt}) and is
 * fetched without the API's headers. Every API call carries {@code Amazon-Advertising-API-ClientId},
 * {@code Authorization: Bearer} (a Login with Amazon access token) and {@code
 * Amazon-Advertising-API-Scope} (the profile).
 *
 * <p>A 425 answers a request identical to one being built, naming it ("The Request is a duplicate
 * of : {reportId}"): that report is used. A 429 (too eager) is {@link TryLater} with its
 * {@code Retry-After}. A 401 invalidates the token and the call is made once more with a new one; a
 * second 401 or a 403 means the credentials are refused ({@link CredentialsRefused}). An expired
 * download url answers 403 from the storage: an {@link IOException}, after which the next round
 * asks for the report's status again and gets a fresh url.
 */
final class AmazonAdsReports implements ReportJob.Api {

    /** The columns of a daily campaign row ("Reporting v3: Campaign reports", "Columns"): 14-day attribution, the seller default being 7. */
    static final List<String> COLUMNS = List.of("date", "campaignId", "campaignName", "campaignBudgetCurrencyCode", "impressions",
            "clicks", "cost", "purchases14d", "unitsSoldClicks14d", "sales14d");
    static final String CREATE_CONTENT_TYPE = "application/vnd.createasyncreportrequest.v3+json";
    private static final Pattern DUPLICATE = Pattern.compile("duplicate of\\s*:\\s*([A-Za-z0-9-]+)");

    private final HttpClient http;
    private final ClientCredentials tokens;
    private final AmazonAdsSettings settings;
    private final String connectionId;
    private final Clock clock;

    AmazonAdsReports(HttpClient http, ClientCredentials tokens, AmazonAdsSettings settings, String connectionId, Clock clock) {
        this.http = http;
        this.tokens = tokens;
        this.settings = settings;
        this.connectionId = connectionId;
        this.clock = clock;
    }

    @Override
    public String create(LocalDate from, LocalDate to) throws Exception {
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        body.put("name", "unison " + connectionId + " spCampaigns " + from + ".." + to);
        body.put("startDate", from.toString()).put("endDate", to.toString());
        ObjectNode configuration = body.putObject("configuration");
        configuration.put("adProduct", "SPONSORED_PRODUCTS").putArray("groupBy").add("campaign");
        COLUMNS.forEach(configuration.putArray("columns")::add);
        configuration.put("reportTypeId", "spCampaigns").put("timeUnit", "DAILY").put("format", "GZIP_JSON");
        HttpResponse<String> response = call("create report", HttpRequest.newBuilder(URI.create(settings.apiUrl() + "/reporting/reports"))
                .header("Content-Type", CREATE_CONTENT_TYPE).POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        if (response.statusCode() == 425) {
            Matcher existing = DUPLICATE.matcher(response.body());
            if (existing.find()) {
                return existing.group(1); // the same report is being built: poll that one
            }
            throw new TryLater("a duplicate report request was refused without naming the report (" + abbreviated(response) + ")",
                    retryAfter(response));
        }
        JsonNode answer = json(response, "create report");
        if (!answer.path("reportId").isTextual()) {
            throw new IOException("create report answered without a reportId: " + abbreviated(response));
        }
        return answer.get("reportId").asText();
    }

    @Override
    public ReportJob.Status status(String reportId) throws Exception {
        HttpResponse<String> response = call("report status",
                HttpRequest.newBuilder(URI.create(settings.apiUrl() + "/reporting/reports/" + reportId)).GET());
        JsonNode answer = json(response, "report status");
        return switch (answer.path("status").asText()) {
            case "COMPLETED" -> new ReportJob.Status(ReportJob.Phase.COMPLETED, answer.path("url").asText(), null);
            case "FAILED" -> new ReportJob.Status(ReportJob.Phase.FAILED, null, answer.path("failureReason").asText("no reason given"));
            case "PENDING", "PROCESSING" -> new ReportJob.Status(ReportJob.Phase.PENDING, null, null);
            default -> throw new IOException("report " + reportId + " has an unknown status: " + abbreviated(response));
        };
    }

    @Override
    public InputStream download(String url) throws Exception {
        // a pre-signed storage url: no API headers (they would be refused by the storage's own signature check)
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).GET()
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            response.body().close();
            throw new IOException("report download answered " + response.statusCode()
                    + (response.statusCode() == 403 ? " (the url expired: the next round asks for a fresh one)" : ""));
        }
        return response.body();
    }

    /** A call with the API's headers; one new token after a 401, then refused credentials. */
    private HttpResponse<String> call(String what, HttpRequest.Builder request) throws Exception {
        for (int attempt = 1;; attempt++) {
            String token = tokens.accessToken();
            HttpResponse<String> response = http.send(request.copy().timeout(Duration.ofSeconds(60))
                    .header("Amazon-Advertising-API-ClientId", settings.clientId()).header("Authorization", "Bearer " + token)
                    .header("Amazon-Advertising-API-Scope", settings.profileId()).header("Accept", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status == 401 && attempt == 1) {
                tokens.invalidate(token);
                continue;
            }
            if (status == 401 || status == 403) {
                throw new CredentialsRefused(what + " answered " + status + " with a fresh token: " + abbreviated(response));
            }
            if (status == 429) {
                throw new TryLater(what + " answered 429 (too many requests)", retryAfter(response));
            }
            if (status >= 500) {
                throw new IOException(what + " answered " + status + ": " + abbreviated(response));
            }
            return response;
        }
    }

    private JsonNode json(HttpResponse<String> response, String what) throws IOException {
        if (response.statusCode() != 200) {
            throw new IOException(what + " answered " + response.statusCode() + ": " + abbreviated(response));
        }
        return CanonicalJson.mapper().readTree(response.body());
    }

    private Optional<Duration> retryAfter(HttpResponse<?> response) {
        return RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock);
    }

    private static String abbreviated(HttpResponse<String> response) {
        String body = response.body() == null ? "" : response.body();
        return body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }
}
