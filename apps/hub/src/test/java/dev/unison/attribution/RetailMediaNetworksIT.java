package dev.unison.attribution;

import static dev.unison.attribution.S1Traffic.onlineOrder;
import static dev.unison.attribution.S1Traffic.refund;
import static dev.unison.attribution.S1Traffic.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.amazonads.simulator.AmazonAdsSimulator;
import dev.unison.connectors.amazonads.simulator.AmazonAdsSimulator.CampaignDay;
import dev.unison.hub.UnisonHubApplication;
import dev.unison.hub.support.OwnHub;
import dev.unison.platform.testkit.FreePort;
import dev.unison.platform.testkit.HttpApi;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The retail media network connectors in a hub: S1 with its spend and exposures arriving through a
 * file-drop network's files instead of the partner API, with the same 4.0x / 16.4x; Amazon's spend
 * and its own attributed figures from the Amazon Ads reporting simulator in the same report; the
 * hub's sales sent to Amazon's Conversions API. Everything else through the public interfaces.
 */
@SpringBootTest(classes = UnisonHubApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"unison.bootstrap-api-key=" + RetailMediaNetworksIT.KEY, "unison.simulators.shopify.enabled=false",
                "unison.simulators.tiktok-shop.enabled=false", "unison.simulators.sfcc.enabled=false"})
class RetailMediaNetworksIT {

    static final String KEY = "it-retail-media-key-0123456789";
    static final Duration SETTLE = Duration.ofSeconds(120);
    static final LocalDate YESTERDAY = LocalDate.now(ZoneOffset.UTC).minusDays(1);
    static final String AMAZON_CAMPAIGN = "40917284531";
    static AmazonAdsSimulator amazon;
    static Path kpmFolder;

    @LocalServerPort
    int port;
    HttpApi api;
    S1Traffic traffic;
    long run;

    @DynamicPropertySource
    static void hub(DynamicPropertyRegistry registry) throws IOException {
        OwnHub.register(registry, "retail-media-it");
        amazon = new AmazonAdsSimulator(FreePort.any(), Clock.systemUTC(), 50);
        amazon.pollsUntilDone(2);
        amazon.minPollInterval(Duration.ZERO);
        amazon.keepReceived(200);
        amazon.start();
        // Amazon's report: 14 days of one campaign, 50,000.00 spent, 14,000.00 of sales it credits to its clicks a day
        for (int d = 0; d < 14; d++) {
            amazon.addCampaignDay(new CampaignDay(YESTERDAY.minusDays(d), AMAZON_CAMPAIGN, "SPRING-GROCERY", "USD", 50_000, 1_000,
                    new BigDecimal(d == 0 ? "3571.41" : "3571.43"), 140, 170, new BigDecimal("14000.00")));
        }
        Path work = Files.createTempDirectory("retail-media-it-");
        kpmFolder = work.resolve("kpm-drop");
        Path connections = work.resolve("connections.yaml");
        Files.writeString(connections, """
                connections:
                  - id: amazon-it
                    connector: amazon-ads
                    settings:
                      clientId: %s
                      clientSecret: ${AMAZON_IT_CLIENT_SECRET}
                      refreshToken: ${AMAZON_IT_REFRESH_TOKEN}
                      profileId: "%s"
                      apiUrl: %s
                      tokenUrl: %s/auth/o2/token
                      backfillDays: 30
                      restateDays: 2
                      restateEvery: PT1H
                      pollInterval: PT1S
                      sendConversions: true
                      accountId: %s
                      conversionsBatchSize: 1000
                      conversionsPerSecond: 20
                  - id: kpm-it
                    connector: file-drop-network
                    settings:
                      directory: %s
                      network: kpm
                      advertiserId: adv-kpm
                      clickWindowDays: 14
                      viewWindowDays: 14
                      pollInterval: PT1S
                """.formatted(AmazonAdsSimulator.CLIENT_ID, AmazonAdsSimulator.PROFILE_ID, amazon.baseUrl(), amazon.baseUrl(),
                AmazonAdsSimulator.ACCOUNT_ID, kpmFolder));
        registry.add("unison.connections-location", () -> "file:" + connections);
        registry.add("AMAZON_IT_CLIENT_SECRET", () -> AmazonAdsSimulator.CLIENT_SECRET);
        registry.add("AMAZON_IT_REFRESH_TOKEN", () -> AmazonAdsSimulator.REFRESH_TOKEN);
    }

    @AfterAll
    static void stopAmazon() {
        amazon.close();
    }

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
        traffic = new S1Traffic(api, KEY);
        run = System.nanoTime() % 1_000_000_000L;
    }

    String email(int i) {
        return "rmn-" + run + "-" + i + "@example.com";
    }

    String loyalty(int i) {
        return "L-RMN-" + run + "-" + i;
    }

    JsonNode campaignRow(String network, String campaign) {
        HttpApi.Reply r = api.get("/api/v1/attribution/campaigns?campaign=" + URLEncoder.encode(campaign, StandardCharsets.UTF_8)
                + "&network=" + network + "&model=last_touch", KEY);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode rows = r.json().get("rows");
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** Writes a file into the drop folder the way a transfer does: under a temporary name, then renamed. */
    static void drop(String name, String content) throws IOException {
        Files.createDirectories(kpmFolder);
        Path partial = kpmFolder.resolve(name + ".part");
        Files.writeString(partial, content, StandardCharsets.UTF_8);
        Files.move(partial, kpmFolder.resolve(name));
    }

    @Test
    void s1WithSpendAndExposuresFromAFileDropNetworkStillTurnsFourIntoSixteenPointFour() throws IOException {
        String campaign = "SPRING-GROCERY-" + run;
        HttpApi.Reply settings = api.put("/api/v1/attribution/campaigns/kpm/" + campaign, KEY, """
                {"advertiserId": "adv-kpm", "name": "%s", "clickLookbackDays": 14, "viewLookbackDays": 14}""".formatted(campaign));
        assertThat(settings.status()).as(settings.body()).isEqualTo(200);
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(40, ChronoUnit.DAYS);

        // the network's performance file: 14 days, 50,000.00 spent, its own figures (680,000.00: 500,000 in store,
        // 180,000 online), and one row with a broken amount on line 5
        StringBuilder performance = new StringBuilder("campaign_id,date,impressions,clicks,spend,attributed_orders,"
                + "attributed_units_in_store,attributed_units_online,attributed_sales_in_store,attributed_sales_online\n");
        for (int day = 0; day < 14; day++) {
            String date = t0.atZone(ZoneOffset.UTC).toLocalDate().plusDays(day).toString();
            String inStore = day < 13 ? "35714.29" : "35714.23";
            String online = day < 13 ? "12857.14" : "12857.18";
            performance.append(campaign).append(',').append(date).append(",10000,200,").append(day < 13 ? "3571.43" : "3571.41")
                    .append(",70,60,20,").append(inStore).append(',').append(online).append('\n');
            if (day == 2) {
                performance.append(campaign).append(",").append(date).append(",10000,200,12O.00,1,1,1,1.00,1.00\n");
            }
        }
        // the network's exposure log: 1,000 shoppers by SHA-256 of their email, a click or an impression each
        StringBuilder exposures = new StringBuilder("exposure_id,campaign_id,event,event_time,hashed_email\n");
        List<Instant> exposedAt = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Instant at = t0.plus(i % 10, ChronoUnit.DAYS).plus(10, ChronoUnit.HOURS);
            exposedAt.add(at);
            exposures.append("kpm-").append(run).append('-').append(i).append(',').append(campaign).append(',')
                    .append(i % 2 == 0 ? "click" : "impression").append(',').append(at).append(',').append(sha256(email(i)))
                    .append('\n');
        }
        drop("exposures-" + run + ".csv", exposures.toString());
        drop("performance-" + run + ".csv", performance.toString());

        List<String[]> links = new ArrayList<>();
        for (int i = 380; i < 1050; i++) {
            links.add(new String[] {loyalty(i), email(i)});
        }
        traffic.linkLoyalty(links);

        List<ObjectNode> orders = new ArrayList<>();
        String[] channels = {"shopify", "tiktok-shop", "sfcc"};
        for (int i = 0; i < 400; i++) {
            orders.add(onlineOrder("rmn-" + run + "-web-" + i, channels[i % 3], email(i), exposedAt.get(i).plus(2, ChronoUnit.DAYS),
                    "500.00"));
        }
        for (int i = 1000; i < 1050; i++) {
            orders.add(onlineOrder("rmn-" + run + "-unexposed-" + i, "shopify", email(i), t0.plus(5, ChronoUnit.DAYS), "450.00"));
        }
        for (int i = 0; i < 50; i++) {
            orders.add(onlineOrder("rmn-" + run + "-before-" + i, "shopify", email(i), exposedAt.get(i).minus(1, ChronoUnit.DAYS),
                    "777.00"));
        }
        for (int i = 400; i < 450; i++) {
            orders.add(onlineOrder("rmn-" + run + "-late-" + i, "sfcc", email(i), exposedAt.get(i).plus(15, ChronoUnit.DAYS), "888.00"));
        }
        List<ObjectNode> refunds = new ArrayList<>();
        for (int i = 100; i < 110; i++) {
            String id = "rmn-" + run + "-refunded-" + i;
            orders.add(onlineOrder(id, "shopify", email(i), exposedAt.get(i).plus(1, ChronoUnit.DAYS), "300.00"));
            refunds.add(refund("rf-" + id, id, "shopify", "300.00", exposedAt.get(i).plus(3, ChronoUnit.DAYS)));
        }
        traffic.send(KEY, orders);
        traffic.send(KEY, refunds);

        List<ObjectNode> tills = new ArrayList<>();
        String register = "RMN-" + run;
        for (int i = 380; i < 1000; i++) {
            tills.add(traffic.till(register, i, exposedAt.get(i).plus(3, ChronoUnit.DAYS), "1000.00", loyalty(i)));
        }
        for (int i = 1000; i < 1050; i++) {
            tills.add(traffic.till(register, i, t0.plus(6, ChronoUnit.DAYS), "950.00", loyalty(i)));
        }
        for (int i = 0; i < 30; i++) {
            tills.add(traffic.till(register, 5000 + i, t0.plus(6, ChronoUnit.DAYS), "1000.00", null));
        }
        traffic.sellAtTills(tills);

        await().atMost(SETTLE).ignoreExceptions().pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode row = campaignRow("kpm", campaign);
            assertThat(row.get("spend").asText()).isEqualTo("50000.00");
            assertThat(row.get("revenueInStore").asText()).isEqualTo("620000.00");
            assertThat(row.get("revenueOnline").asText()).isEqualTo("200000.00");
        });
        JsonNode row = campaignRow("kpm", campaign);
        assertThat(row.get("roasOnline").decimalValue()).isEqualByComparingTo("4.0");
        assertThat(row.get("roasConnected").decimalValue()).isEqualByComparingTo("16.4");
        assertThat(row.get("attributedOrders").asLong()).isEqualTo(1030);
        assertThat(row.get("shoppers").asLong()).isEqualTo(1000);
        assertThat(row.get("window").get("clickLookbackDays").asInt()).isEqualTo(14);
        // the network's own claim beside the hub's, never added to it
        assertThat(row.get("networkRevenue").asText()).isEqualTo("680000.00");
        assertThat(row.get("networkRevenueInStore").asText()).isEqualTo("500000.00");
        assertThat(row.get("roasNetwork").decimalValue()).isEqualByComparingTo("13.6");
        assertThat(row.get("networkWindow").asText()).isEqualTo("14-day click / 14-day view");
        assertThat(row.get("revenue").asText()).isEqualTo("820000.00");

        // each file read once, moved after its rows were committed, its report beside it: the bad row by its line
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(kpmFolder.resolve(".done/performance-" + run + ".csv.report.json")));
        JsonNode report = CanonicalJson.parse(Files.readString(kpmFolder.resolve(".done/performance-" + run + ".csv.report.json")));
        assertThat(report.get("accepted").asLong()).isEqualTo(14);
        assertThat(report.get("rejected")).singleElement().satisfies(bad -> {
            assertThat(bad.get("line").asLong()).isEqualTo(5);
            assertThat(bad.get("reason").asText()).contains("spend").contains("12O.00");
        });
        JsonNode exposureReport = CanonicalJson.parse(Files.readString(kpmFolder.resolve(".done/exposures-" + run + ".csv.report.json")));
        assertThat(exposureReport.get("accepted").asLong()).isEqualTo(1000);

        // the same exposure log dropped again: nothing twice
        drop("exposures-" + run + "-resent.csv", exposures.toString());
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(kpmFolder.resolve(".done/exposures-" + run
                + "-resent.csv.report.json")));
        JsonNode again = CanonicalJson.parse(Files.readString(kpmFolder.resolve(".done/exposures-" + run + "-resent.csv.report.json")));
        assertThat(again.get("readBefore").asBoolean()).isTrue();
        assertThat(again.get("accepted").asLong()).isZero();
        assertThat(campaignRow("kpm", campaign).get("revenue").asText()).isEqualTo("820000.00");

        // the hub's online sales reached Amazon's Conversions API (till sales here carry no email or phone: not sent)
        await().atMost(SETTLE).untilAsserted(() -> assertThat(amazon.conversions()).containsKey("rmn-" + run + "-web-7"));
        JsonNode sent = amazon.conversions().get("rmn-" + run + "-web-7");
        assertThat(sent.get("eventActionSource").asText()).isEqualTo("WEBSITE");
        assertThat(sent.get("matchKeys").toString()).contains(sha256(email(7))).doesNotContain(email(7));
        assertThat(amazon.duplicateConversions()).isZero();
    }

    @Test
    void amazonSpendAndItsOwnAttributedSalesReachTheReportBesideTheHubsFigures() {
        await().atMost(SETTLE).ignoreExceptions().pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode row = campaignRow("amazon-ads", AMAZON_CAMPAIGN);
            assertThat(row.get("spend").asText()).isEqualTo("50000.00");
            assertThat(row.get("networkRevenue").asText()).isEqualTo("196000.00");
        });
        JsonNode row = campaignRow("amazon-ads", AMAZON_CAMPAIGN);
        assertThat(row.get("impressions").asLong()).isEqualTo(700_000);
        assertThat(row.get("clicks").asLong()).isEqualTo(14_000);
        assertThat(row.get("networkOrders").asLong()).isEqualTo(1960);
        assertThat(row.get("roasNetwork").decimalValue()).isEqualByComparingTo("3.92");
        assertThat(row.get("networkWindow").asText()).isEqualTo("14-day click");
        assertThat(row.path("networkRevenueInStore").asText(null)).as("Amazon does not split in-store and online").isNull();
        assertThat(amazon.reportRanges()).as("one backfill report for the 30 days").first()
                .isEqualTo(YESTERDAY.minusDays(29) + "/" + YESTERDAY);
    }
}
