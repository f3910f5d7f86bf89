package dev.unison.connectors.criteo.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.simulator.ManualClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulator enforces Criteo's contract: client credentials, bearer tokens, the JSON:API request, poll rate, output lifetime. */
class CriteoRetailMediaSimulatorTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-10T08:00:00Z"));
    private final CriteoRetailMediaSimulator sim = (CriteoRetailMediaSimulator) new CriteoRetailMediaSimulator(0, clock).start();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        sim.close();
    }

    private HttpResponse<String> post(String path, String contentType, String body, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path)).GET();
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String token() throws Exception {
        HttpResponse<String> r = post("/oauth2/token", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id="
                + CriteoRetailMediaSimulator.CLIENT_ID + "&client_secret=" + CriteoRetailMediaSimulator.CLIENT_SECRET, null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = CanonicalJson.parse(r.body());
        assertThat(body.path("expires_in").asLong()).isEqualTo(900);
        return body.path("access_token").asText();
    }

    private static String request(String attributes) {
        return "{\"data\":{\"type\":\"RetailMediaReportRequest\",\"attributes\":{" + attributes + "}}}";
    }

    private static final String GOOD = "\"ids\":[\"101\"],\"startDate\":\"2026-03-01\",\"endDate\":\"2026-03-09\","
            + "\"timezone\":\"UTC\",\"reportType\":\"summary\",\"clickAttributionWindow\":\"30D\",\"viewAttributionWindow\":\"1D\","
            + "\"salesChannel\":\"all\",\"format\":\"json-newline\",\"dimensions\":[\"date\",\"campaignId\"],"
            + "\"metrics\":[\"impressions\",\"clicks\",\"spend\",\"attributedSales\"]";

    @Test
    void aWrongSecretIs401InvalidClient() throws Exception {
        HttpResponse<String> r = post("/oauth2/token", "application/x-www-form-urlencoded",
                "grant_type=client_credentials&client_id=" + CriteoRetailMediaSimulator.CLIENT_ID + "&client_secret=wrong", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(CanonicalJson.parse(r.body()).path("error").asText()).isEqualTo("invalid_client");
    }

    @Test
    void reportCallsNeedABearerTokenThatHasNotExpired() throws Exception {
        assertThat(get("/2025-10/retail-media/reports/x/status", null).statusCode()).isEqualTo(401);
        String token = token();
        assertThat(post("/2025-10/retail-media/reports/campaigns", "application/json", request(GOOD), token).statusCode())
                .isEqualTo(200);
        clock.advance(Duration.ofSeconds(901));
        HttpResponse<String> expired = post("/2025-10/retail-media/reports/campaigns", "application/json", request(GOOD), token);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(CanonicalJson.parse(expired.body()).path("errors").get(0).path("code").asText()).isEqualTo("authorization-token-expired");
    }

    @Test
    void aBadEnumTooManyIdsOrTooLongAWindowIs400WithJsonApiErrors() throws Exception {
        String token = token();
        HttpResponse<String> badEnum = post("/2025-10/retail-media/reports/campaigns", "application/json",
                request(GOOD.replace("\"30D\"", "\"2D\"")), token);
        assertThat(badEnum.statusCode()).isEqualTo(400);
        JsonNode error = CanonicalJson.parse(badEnum.body()).path("errors").get(0);
        assertThat(error.path("code").asText()).isEqualTo("invalid-enum-value");
        assertThat(error.path("source").path("pointer").asText()).isEqualTo("/data/attributes/clickAttributionWindow");

        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < 51; i++) {
            ids.append(i == 0 ? "" : ",").append('"').append(i).append('"');
        }
        assertThat(post("/2025-10/retail-media/reports/campaigns", "application/json",
                request(GOOD.replace("[\"101\"]", "[" + ids + "]")), token).body()).contains("invalid-ids");
        HttpResponse<String> long101 = post("/2025-10/retail-media/reports/campaigns", "application/json",
                request(GOOD.replace("2026-03-01", "2025-11-29")), token);
        assertThat(long101.statusCode()).isEqualTo(400);
        assertThat(long101.body()).contains("date-range-too-long");
        assertThat(post("/2025-10/retail-media/reports/campaigns", "application/json",
                request(GOOD.replace("2026-03-01", "2025-11-30")), token).statusCode()).as("100 days are fine").isEqualTo(200);
        assertThat(post("/2025-10/retail-media/reports/campaigns", "application/json",
                request(GOOD).replace("RetailMediaReportRequest", "Report"), token).body()).contains("invalid-type");
    }

    @Test
    void aReportIsPendingForItsPollsThenItsOutputIsJsonLinesUntilItExpires() throws Exception {
        sim.pollsBeforeSuccess(2).outputLifetime(Duration.ofHours(1)).minPollInterval(Duration.ofSeconds(5));
        sim.addCampaignDay("101", LocalDate.parse("2026-03-02"), 1000, 20, "12.345678",
                new CriteoRetailMediaSimulator.Attributed(1, 1, "10.5"), new CriteoRetailMediaSimulator.Attributed(2, 3, "0.25"));
        sim.addCampaignDay("999", LocalDate.parse("2026-03-02"), 1, 1, "1", CriteoRetailMediaSimulator.Attributed.NONE,
                CriteoRetailMediaSimulator.Attributed.NONE);
        String token = token();
        String id = CanonicalJson.parse(post("/2025-10/retail-media/reports/campaigns", "application/json", request(GOOD), token)
                .body()).path("data").path("id").asText();
        String status = "/2025-10/retail-media/reports/" + id + "/status";

        assertThat(CanonicalJson.parse(get(status, token).body()).path("data").path("attributes").path("status").asText())
                .isEqualTo("pending");
        HttpResponse<String> eager = get(status, token);
        assertThat(eager.statusCode()).as("polled again at once").isEqualTo(429);
        assertThat(eager.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(get("/2025-10/retail-media/reports/" + id + "/output", token).statusCode()).as("not ready").isEqualTo(400);

        clock.advance(Duration.ofSeconds(5));
        assertThat(get(status, token).body()).contains("\"pending\"");
        clock.advance(Duration.ofSeconds(5));
        JsonNode done = CanonicalJson.parse(get(status, token).body()).path("data").path("attributes");
        assertThat(done.path("status").asText()).isEqualTo("success");
        assertThat(done.path("rowCount").asInt()).isEqualTo(1);

        HttpResponse<String> output = get("/2025-10/retail-media/reports/" + id + "/output", token);
        assertThat(output.statusCode()).isEqualTo(200);
        assertThat(output.body().strip()).isEqualTo(
                "{\"date\":\"2026-03-02\",\"campaignId\":\"101\",\"impressions\":1000,\"clicks\":20,\"spend\":12.345678,\"attributedSales\":10.75}");
        assertThat(get("/2025-10/retail-media/reports/" + id + "/output", null).statusCode()).as("bearer token required").isEqualTo(401);

        clock.advance(Duration.ofMinutes(61));
        token = token();
        HttpResponse<String> gone = get("/2025-10/retail-media/reports/" + id + "/output", token);
        assertThat(gone.statusCode()).isEqualTo(400);
        assertThat(gone.body()).contains("report-expired");
        assertThat(get(status, token).body()).contains("\"expired\"");
    }
}
