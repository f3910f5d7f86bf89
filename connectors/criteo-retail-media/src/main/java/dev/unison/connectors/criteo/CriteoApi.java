package dev.unison.connectors.criteo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.auth.ClientCredentials;
import dev.unison.connectors.kit.auth.CredentialsRefused;
import dev.unison.connectors.kit.config.Secret;
import dev.unison.connectors.kit.http.RetryAfter;
import dev.unison.connectors.kit.pull.TryLater;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;

/**
 * The Criteo Retail Media API calls the connector makes, with the connection's OAuth 2.0
 * client-credentials tokens:
 *
 * <ul>
 *   <li>{@code POST /oauth2/token}, form {@code grant_type=client_credentials&client_id=..&client_secret=..}
 *       (Criteo developer portal, "Authorization requests" / "Client credentials"; the criteo-api-java-sdk
 *       README); tokens live about 15 minutes ({@code expires_in: 900}) and are renewed before they lapse
 *       ({@link ClientCredentials});</li>
 *   <li>{@code POST /{version}/retail-media/reports/campaigns} with a JSON:API body
 *       {@code {"data":{"type":"RetailMediaReportRequest","attributes":{...}}}}, answered with the report's id
 *       ({@code data.id}) and {@code status: pending};</li>
 *   <li>{@code GET /{version}/retail-media/reports/{reportId}/status}: {@code data.attributes.status} is
 *       {@code pending}, {@code success}, {@code failure} or {@code expired}, with {@code message},
 *       {@code rowCount}, {@code expiresAt};</li>
 *   <li>{@code GET /{version}/retail-media/reports/{reportId}/output}: the report, bearer token required,
 *       kept at least an hour, then {@code expired}</li>
 * </ul>
 * (developers.criteo.com/retail-media/docs/reports, "Async reports"; the API reference of
 * {@code /reports/{reportId}/status}; criteo-api-python-sdk {@code retailmedia_2025-10} AnalyticsApi).
 *
 * <p>Every call carries the bearer token; a 401 makes the token invalid and the call is tried once
 * with a fresh one (a token Criteo expired before its {@code expires_in}); a second 401, or a 403,
 * is {@link CredentialsRefused}. A 429 (over Criteo's rate limit, with {@code Retry-After}) is
 * {@link TryLater}, as are 503s; other answers are {@link IOException}s the poller retries later.
 */
public final class CriteoApi {

    /** What a report's status request answered. */
    public record ReportStatus(String status, String message) {
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final CriteoSettings settings;
    private final ClientCredentials tokens;
    private final Clock clock;

    public CriteoApi(HttpClient http, CriteoSettings settings, Secret clientSecret, Clock clock) {
        this.http = http;
        this.settings = settings;
        this.clock = clock;
        this.tokens = new ClientCredentials(http, URI.create(settings.baseUrl() + "/oauth2/token"), settings.clientId(),
                clientSecret, null, ClientCredentials.Authentication.BODY, clock, Duration.ofSeconds(10));
    }

    /** The connection's tokens (a check fetches one; tests count them). */
    public ClientCredentials tokens() {
        return tokens;
    }

    /** Creates a campaign report ({@code attributes} of the JSON:API request) and returns its id. */
    public String createCampaignReport(ObjectNode attributes) throws Exception {
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        body.putObject("data").put("type", "RetailMediaReportRequest").set("attributes", attributes);
        HttpResponse<String> response = call("create a campaign report", token -> HttpRequest.newBuilder(
                reports("/campaigns")).timeout(TIMEOUT).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 && response.statusCode() != 201) {
            throw new IOException("creating a campaign report answered " + response.statusCode() + ": " + brief(response.body()));
        }
        String id = CanonicalJson.parse(response.body()).path("data").path("id").asText("");
        if (id.isEmpty()) {
            throw new IOException("creating a campaign report answered without data.id: " + brief(response.body()));
        }
        return id;
    }

    public ReportStatus status(String reportId) throws Exception {
        HttpResponse<String> response = call("status of report " + reportId, token -> HttpRequest.newBuilder(
                reports("/" + reportId + "/status")).timeout(TIMEOUT).header("Authorization", "Bearer " + token)
                .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("status of report " + reportId + " answered " + response.statusCode() + ": "
                    + brief(response.body()));
        }
        JsonNode attributes = CanonicalJson.parse(response.body()).path("data").path("attributes");
        return new ReportStatus(attributes.path("status").asText(""), attributes.path("message").asText(""));
    }

    /** The report's output as Criteo sends it (the format asked for). */
    public InputStream output(String reportId) throws Exception {
        HttpResponse<InputStream> response = call("output of report " + reportId, token -> HttpRequest.newBuilder(
                reports("/" + reportId + "/output")).timeout(Duration.ofMinutes(5)).header("Authorization", "Bearer " + token)
                .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readNBytes(500), java.nio.charset.StandardCharsets.UTF_8);
            }
            throw new IOException("output of report " + reportId + " answered " + response.statusCode() + ": " + brief(body));
        }
        return response.body();
    }

    private URI reports(String tail) {
        return URI.create(settings.baseUrl() + "/" + settings.apiVersion() + "/retail-media/reports" + tail);
    }

    @FunctionalInterface
    private interface Request {
        HttpRequest with(String token);
    }

    /** One call with the current token; a 401 is tried once more with a fresh token. */
    private <T> HttpResponse<T> call(String what, Request request, HttpResponse.BodyHandler<T> handler) throws Exception {
        for (int attempt = 1;; attempt++) {
            String token = tokens.accessToken();
            HttpResponse<T> response = http.send(request.with(token), handler);
            int status = response.statusCode();
            if (status == 401 && attempt == 1) {
                discard(response);
                tokens.invalidate(token); // expired or revoked early: one fresh token, then the call again
                continue;
            }
            if (status == 401 || status == 403) {
                discard(response);
                throw new CredentialsRefused(what + " answered " + status + " with a fresh token of client " + settings.clientId());
            }
            if (status == 429 || status == 503) {
                discard(response);
                // Criteo answers 429 with Retry-After when over its rate limit ("Rate limits", Criteo developer portal)
                throw new TryLater(what + " answered " + status,
                        RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock));
            }
            return response;
        }
    }

    private static void discard(HttpResponse<?> response) throws IOException {
        if (response.body() instanceof InputStream in) {
            in.close();
        }
    }

    private static String brief(String body) {
        return body == null ? "" : body.length() <= 300 ? body : body.substring(0, 297) + "...";
    }
}
