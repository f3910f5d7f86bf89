package dev.unison.connectors.sfcc.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.simulator.ManualClock;
import dev.unison.platform.testkit.FreePort;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulator's contract: Account Manager tokens, search paging, per-endpoint windows, load shedding, OCI replay. */
class SfccSimulatorTest {

    private static final String SCOPE = "SALESFORCE_COMMERCE_API:" + SfccSimulator.TENANT + " sfcc.orders.rw";
    private static final String ORDERS = "/checkout/orders/v1/organizations/" + SfccSimulator.ORGANIZATION + "/orders";
    private static final String BATCH = "/inventory/availability/v1/organizations/" + SfccSimulator.ORGANIZATION
            + "/availability-records/actions/batch-update";

    private final HttpClient http = HttpClient.newHttpClient();
    private final ManualClock clock = ManualClock.startingNow();
    private SfccSimulator sfcc;

    @BeforeEach
    void start() {
        sfcc = new SfccSimulator(FreePort.any(), clock);
        sfcc.start();
    }

    @AfterEach
    void stop() {
        sfcc.close();
    }

    private HttpResponse<String> token(String secret, String scope) throws Exception {
        String basic = Base64.getEncoder().encodeToString((SfccSimulator.CLIENT_ID + ":" + secret).getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create(sfcc.baseUrl() + SfccSimulator.TOKEN_PATH))
                .header("Authorization", "Basic " + basic).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope="
                        + URLEncoder.encode(scope, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String accessToken() throws Exception {
        return CanonicalJson.parse(token(SfccSimulator.CLIENT_SECRET, SCOPE).body()).get("access_token").asText();
    }

    private HttpResponse<String> get(String token, String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(sfcc.baseUrl() + pathAndQuery)).header("Authorization", "Bearer " + token)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String token, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(sfcc.baseUrl() + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void accountManagerIssuesExpiringTokensToTheRightClientAndTenantOnly() throws Exception {
        HttpResponse<String> good = token(SfccSimulator.CLIENT_SECRET, SCOPE);
        assertThat(good.statusCode()).isEqualTo(200);
        assertThat(CanonicalJson.parse(good.body()).get("expires_in").asLong()).isEqualTo(1799);
        HttpResponse<String> wrong = token("wrong", SCOPE);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("invalid_client");
        assertThat(token(SfccSimulator.CLIENT_SECRET, "sfcc.orders.rw").statusCode()).as("no tenant in the scope").isEqualTo(400);

        String token = CanonicalJson.parse(good.body()).get("access_token").asText();
        assertThat(get(token, ORDERS + "?siteId=RefArch").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(1800));
        assertThat(get(token, ORDERS + "?siteId=RefArch").statusCode()).as("expired").isEqualTo(401);
    }

    @Test
    void orderSearchPagesAndFiltersByExportStatusWithAtMost200PerPage() throws Exception {
        sfcc.addOrders(5);
        String token = accessToken();
        JsonNode page = CanonicalJson.parse(get(token, ORDERS + "?siteId=RefArch&exportStatus=ready&offset=2&limit=2").body());
        assertThat(page.get("total").asInt()).isEqualTo(5);
        assertThat(page.get("offset").asInt()).isEqualTo(2);
        assertThat(page.get("data")).hasSize(2);
        assertThat(get(token, ORDERS + "?siteId=RefArch&limit=201").statusCode()).isEqualTo(400);
        assertThat(get(token, ORDERS).statusCode()).as("siteId is required").isEqualTo(400);
        assertThat(CanonicalJson.parse(get(token, ORDERS + "?siteId=RefArch&exportStatus=exported").body()).get("total").asInt())
                .isZero();
    }

    @Test
    void anEndpointOverItsWindowIsAnswered429WithRetryAfter() throws Exception {
        sfcc.limit("GET /orders", 2);
        String token = accessToken();
        assertThat(get(token, ORDERS + "?siteId=RefArch").statusCode()).isEqualTo(200);
        assertThat(get(token, ORDERS + "?siteId=RefArch").statusCode()).isEqualTo(200);
        HttpResponse<String> over = get(token, ORDERS + "?siteId=RefArch");
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(over.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
        clock.advance(Duration.ofSeconds(61));
        assertThat(get(token, ORDERS + "?siteId=RefArch").statusCode()).as("a new window").isEqualTo(200);
    }

    @Test
    void loadAbove80WarnsAndAbove90ShedsEveryThirdRequest() throws Exception {
        String token = accessToken();
        sfcc.load(85);
        HttpResponse<String> warned = get(token, ORDERS + "?siteId=RefArch");
        assertThat(warned.statusCode()).isEqualTo(200);
        assertThat(warned.headers().firstValue("sfdc_load_status")).contains("WARN");
        assertThat(warned.headers().firstValue("sfdc_load")).contains("85");
        sfcc.load(95);
        int shed = 0;
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> answer = get(token, ORDERS + "?siteId=RefArch");
            assertThat(answer.headers().firstValue("sfdc_load_status")).contains("THROTTLE");
            shed += answer.statusCode() == 503 ? 1 : 0;
        }
        assertThat(shed).isEqualTo(2);
    }

    @Test
    void ociAppliesEachActionRequestIdOnceAndReplaysItsFirstResult() throws Exception {
        String token = accessToken();
        String record = "{\"records\":[{\"actionRequestId\":\"r-1\",\"locationIdentifier\":\"L1\",\"stockKeepingUnit\":\"S1\","
                + "\"onHand\":5,\"safetyStockCount\":0,\"effectiveDate\":\"2026-12-01T00:00:00Z\",\"futureStock\":[]}]}";
        assertThat(post(token, BATCH, record).statusCode()).isEqualTo(200);
        // another value under the same id: a replay, not applied
        assertThat(post(token, BATCH, record.replace("\"onHand\":5", "\"onHand\":9")).body()).contains("\"success\":true");
        assertThat(sfcc.onHand("L1", "S1")).isEqualTo(5);
        assertThat(sfcc.appliedUpdates()).isEqualTo(1);
        assertThat(sfcc.replayedUpdates()).isEqualTo(1);
        assertThat(post(token, BATCH, "{\"records\":[{\"locationIdentifier\":\"L1\"}]}").statusCode()).isEqualTo(400);
    }

    /** The names, values and shapes of commerce-sdk 6.6.0 (connectors/sfcc/sdk-check): what the simulator was fixed to. */
    @Test
    void searchesTakeTheParametersAndAnswerTheShapesOfCommerceSdk() throws Exception {
        String token = accessToken();
        sfcc.addOrders(3);
        JsonNode newestFirst = CanonicalJson.parse(get(token, ORDERS + "?siteId=RefArch").body());
        assertThat(newestFirst.get("limit").asInt()).as("default limit").isEqualTo(100);
        assertThat(newestFirst.get("data").get(0).get("orderNo").asText()).as("default: creation date, descending")
                .isGreaterThan(newestFirst.get("data").get(2).get("orderNo").asText());
        JsonNode oldestFirst = CanonicalJson.parse(get(token, ORDERS
                + "?siteId=RefArch&exportStatus=ready,failed&sortBy=last_modified_date&sortOrder=asc&lastModifiedDateFrom=2000-01-01")
                .body());
        assertThat(oldestFirst.get("total").asInt()).isEqualTo(3);
        assertThat(oldestFirst.get("data").get(0).get("orderNo").asText())
                .isLessThan(oldestFirst.get("data").get(2).get("orderNo").asText());
        JsonNode item = oldestFirst.get("data").get(0).get("productItems").get(0);
        assertThat(item.has("grossPrice") && item.has("taxRate") && item.has("shipmentId") && !item.has("price")).isTrue();
        assertThat(get(token, ORDERS + "?siteId=RefArch&sortBy=lastModified").statusCode()).isEqualTo(400);
        assertThat(get(token, ORDERS + "?siteId=RefArch&lastModifiedFrom=2026-01-01T00:00:00Z").statusCode()).isEqualTo(400);

        sfcc.putCustomer("C1", "jane@example.com", null);
        String customers = "/customer/customers/v1/organizations/" + SfccSimulator.ORGANIZATION + "/customer-lists/"
                + SfccSimulator.CUSTOMER_LIST + "/customer-search";
        JsonNode found = CanonicalJson.parse(post(token, customers, """
                {"query": {"filteredQuery": {"query": {"matchAllQuery": {}}, "filter": {"rangeFilter":
                  {"field": "lastModified", "from": "2000-01-01T00:00:00Z", "fromInclusive": true}}}},
                 "sorts": [{"field": "lastModified", "sortOrder": "asc"}], "offset": 0, "limit": 10}""").body());
        assertThat(found.get("hits").get(0).get("data").get("customerNo").asText()).isEqualTo("C1");
        assertThat(found.get("query").has("filteredQuery")).isTrue();
        assertThat(post(token, customers, "{\"query\": {\"rangeQuery\": {\"field\": \"lastModified\"}}}").statusCode())
                .as("no such query type").isEqualTo(400);
    }

    @Test
    void aHookCalloutIsPostedForEveryOrderAdded() throws Exception {
        SfccSimulator receiver = new SfccSimulator(FreePort.any(), clock);
        receiver.start();
        try {
            sfcc.hookCallout(receiver.baseUrl() + "/hook");
            String orderNo = sfcc.addOrders(1).get(0);
            long deadline = System.currentTimeMillis() + 5000;
            while (receiver.receivedOn("POST", "/hook").isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(receiver.receivedOn("POST", "/hook")).singleElement()
                    .satisfies(r -> assertThat(r.bodyText()).contains("order.created", orderNo));
        } finally {
            receiver.close();
        }
    }
}
