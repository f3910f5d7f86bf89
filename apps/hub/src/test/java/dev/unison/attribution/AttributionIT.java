package dev.unison.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.unison.attribution.S1Traffic.event;
import static dev.unison.attribution.S1Traffic.money;
import static dev.unison.attribution.S1Traffic.onlineOrder;
import static dev.unison.attribution.S1Traffic.refund;
import static dev.unison.attribution.S1Traffic.sha256;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Closed-loop attribution through the public interfaces only: the partner API's events (exposures,
 * spend, online orders, a refund), the POS API (till sales carrying a loyalty id), the identities API
 * (loyalty sign-ups linking the card to the email) and the attribution API (settings, report).
 */
@EmbeddedHub
class AttributionIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;
    static final Duration SETTLE = Duration.ofSeconds(90);

    @LocalServerPort
    int port;

    HttpApi api;
    long run;
    String network;

    S1Traffic traffic;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
        traffic = new S1Traffic(api, KEY);
        run = System.nanoTime() % 1_000_000_000L;
        network = "rmn-" + run;
    }

    // ------------------------------------------------------------------ helpers

    void send(String key, List<ObjectNode> events) {
        traffic.send(key, events);
    }

    ObjectNode exposure(String id, String campaign, String kind, Instant at, String email) {
        ObjectNode d = CanonicalJson.mapper().createObjectNode();
        d.put("exposureId", id).put("network", network).put("advertiserId", "adv-" + run).put("campaignId", campaign)
                .put("kind", kind).put("exposedAt", at.toString());
        d.putArray("identifiers").addObject().put("type", "hashed_email").put("value", sha256(email));
        return event("exp-" + id, "commerce.ad.exposure.recorded.v2", d);
    }

    static ObjectNode spend(String network, String campaign, LocalDate day, String amount) {
        ObjectNode d = CanonicalJson.mapper().createObjectNode();
        d.put("network", network).put("campaignId", campaign).put("day", day.toString()).put("impressions", 10_000)
                .put("clicks", 200);
        d.set("spend", money(amount));
        return event("spend-" + network + "-" + campaign + "-" + day, "commerce.ad.spend.reported.v1", d);
    }

    ObjectNode till(String register, long sequence, Instant at, String amount, String loyaltyId) {
        return traffic.till(register, sequence, at, amount, loyaltyId);
    }

    void sellAtTills(List<ObjectNode> transactions) {
        traffic.sellAtTills(transactions);
    }

    void linkLoyalty(List<String[]> loyaltyAndEmail) {
        traffic.linkLoyalty(loyaltyAndEmail);
    }

    void putCampaign(String campaign, String advertiser, int clickDays, int viewDays) {
        HttpApi.Reply r = api.put("/api/v1/attribution/campaigns/" + network + "/" + campaign, KEY, """
                {"advertiserId": "%s", "name": "%s", "clickLookbackDays": %d, "viewLookbackDays": %d}"""
                .formatted(advertiser, campaign, clickDays, viewDays));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    JsonNode campaignRow(String key, String campaign, String model) {
        HttpApi.Reply r = api.get("/api/v1/attribution/campaigns?campaign=" + URLEncoder.encode(campaign, StandardCharsets.UTF_8)
                + "&network=" + network + "&model=" + model, key);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode rows = r.json().get("rows");
        return rows.isEmpty() ? null : rows.get(0);
    }

    // ------------------------------------------------------------------ S1

    @Test
    void s1InStoreSalesTiedBackToTheAdsTurnFourIntoSixteenPointFour() {
        String campaign = "SPRING-GROCERY-" + run;
        String advertiser = "adv-" + run;
        putCampaign(campaign, advertiser, 14, 14);
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(40, ChronoUnit.DAYS);
        String[] channels = {"shopify", "tiktok-shop", "sfcc"};

        // 14 days of spend: 13 x 3,571.43 + 3,571.41 = 50,000.00
        List<ObjectNode> events = new ArrayList<>();
        for (int day = 0; day < 14; day++) {
            events.add(spend(network, campaign, t0.atZone(ZoneOffset.UTC).toLocalDate().plusDays(day), day < 13 ? "3571.43" : "3571.41"));
        }
        // the exposure log: 1,000 shoppers by SHA-256 of their email, a click or an impression each
        List<Instant> exposedAt = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Instant at = t0.plus(i % 10, ChronoUnit.DAYS).plus(10, ChronoUnit.HOURS);
            exposedAt.add(at);
            events.add(exposure("x" + run + "-" + i, campaign, i % 2 == 0 ? "click" : "impression", at, email(i)));
        }
        send(KEY, events);

        // loyalty sign-ups: shoppers 380..999 and the 50 never-exposed store shoppers link their card to their email
        List<String[]> links = new ArrayList<>();
        for (int i = 380; i < 1000; i++) {
            links.add(new String[] {loyalty(i), email(i)});
        }
        for (int i = 1000; i < 1050; i++) {
            links.add(new String[] {loyalty(i), email(i)});
        }
        linkLoyalty(links);

        List<ObjectNode> orders = new ArrayList<>();
        // online: shoppers 0..399 buy for 500.00 two days after their exposure (200,000.00)
        for (int i = 0; i < 400; i++) {
            orders.add(onlineOrder("s1-" + run + "-web-" + i, channels[i % 3], email(i), exposedAt.get(i).plus(2, ChronoUnit.DAYS), "500.00"));
        }
        // noise: never exposed shoppers; exposed shoppers buying before their exposure; after the 14-day window
        for (int i = 1000; i < 1050; i++) {
            orders.add(onlineOrder("s1-" + run + "-unexposed-" + i, "shopify", email(i), t0.plus(5, ChronoUnit.DAYS), "450.00"));
        }
        for (int i = 0; i < 50; i++) {
            orders.add(onlineOrder("s1-" + run + "-before-" + i, "shopify", email(i), exposedAt.get(i).minus(1, ChronoUnit.DAYS), "777.00"));
        }
        for (int i = 400; i < 450; i++) {
            orders.add(onlineOrder("s1-" + run + "-late-" + i, "sfcc", email(i), exposedAt.get(i).plus(15, ChronoUnit.DAYS), "888.00"));
        }
        // noise: an attributed online order refunded in full (revenue is net of refunds)
        List<ObjectNode> refunds = new ArrayList<>();
        for (int i = 100; i < 110; i++) {
            String id = "s1-" + run + "-refunded-" + i;
            orders.add(onlineOrder(id, "shopify", email(i), exposedAt.get(i).plus(1, ChronoUnit.DAYS), "300.00"));
            refunds.add(refund("rf-" + id, id, "shopify", "300.00", exposedAt.get(i).plus(3, ChronoUnit.DAYS)));
        }
        send(KEY, orders);
        send(KEY, refunds);

        // in store: shoppers 380..999 buy for 1,000.00 at the till with their loyalty card three days after (620,000.00)
        List<ObjectNode> tills = new ArrayList<>();
        String register = "S1-" + run;
        for (int i = 380; i < 1000; i++) {
            tills.add(till(register, i, exposedAt.get(i).plus(3, ChronoUnit.DAYS), "1000.00", loyalty(i)));
        }
        // noise: store sales of never-exposed shoppers, and sales with no loyalty id
        for (int i = 1000; i < 1050; i++) {
            tills.add(till(register, i, t0.plus(6, ChronoUnit.DAYS), "950.00", loyalty(i)));
        }
        for (int i = 0; i < 30; i++) {
            tills.add(till(register, 5000 + i, t0.plus(6, ChronoUnit.DAYS), "1000.00", null));
        }
        sellAtTills(tills);

        await().atMost(SETTLE).ignoreExceptions().pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode row = campaignRow(KEY, campaign, "last_touch");
            assertThat(row).isNotNull();
            assertThat(row.get("revenueInStore").asText()).isEqualTo("620000.00");
            assertThat(row.get("revenueOnline").asText()).isEqualTo("200000.00");
        });
        JsonNode row = campaignRow(KEY, campaign, "last_touch");
        assertThat(row.get("spend").asText()).isEqualTo("50000.00");
        assertThat(row.get("currency").asText()).isEqualTo("USD");
        assertThat(row.get("revenue").asText()).isEqualTo("820000.00");
        assertThat(row.get("roasOnline").decimalValue()).isEqualByComparingTo("4.0");
        assertThat(row.get("roasConnected").decimalValue()).isEqualByComparingTo("16.4");
        assertThat(row.get("window").get("clickLookbackDays").asInt()).isEqualTo(14);
        assertThat(row.get("window").get("viewLookbackDays").asInt()).isEqualTo(14);
        assertThat(row.get("advertiserId").asText()).isEqualTo(advertiser);
        // 400 online + 620 in store + 10 refunded ones (counted, with no revenue)
        assertThat(row.get("attributedOrders").asLong()).isEqualTo(1030);
        assertThat(row.get("shoppers").asLong()).isEqualTo(1000);
        assertThat(row.get("suppressed").asBoolean()).isFalse();

        // the same figures under first touch and linear: each shopper has one exposure of the campaign
        for (String model : List.of("first_touch", "linear")) {
            JsonNode other = campaignRow(KEY, campaign, model);
            assertThat(other.get("revenueOnline").asText()).as(model).isEqualTo("200000.00");
            assertThat(other.get("revenueInStore").asText()).as(model).isEqualTo("620000.00");
        }

        // explained: a till sale, which touch won and why
        JsonNode explained = api.get("/api/v1/attribution/orders/store-STORE-7-" + register + "-"
                + exposedAt.get(500).plus(3, ChronoUnit.DAYS).atZone(ZoneOffset.UTC).toLocalDate() + "-500", KEY).json();
        assertThat(explained.get("attributed").asBoolean()).as(explained.toString()).isTrue();
        assertThat(explained.get("placedIn").asText()).isEqualTo("store");
        JsonNode won = explained.get("models").get("last_touch").get(0);
        assertThat(won.get("campaignId").asText()).isEqualTo(campaign);
        assertThat(won.get("reason").asText()).contains("click").contains("14-day click");

        // noise explained: bought before the exposure
        JsonNode before = api.get("/api/v1/attribution/orders/s1-" + run + "-before-3", KEY).json();
        assertThat(before.get("attributed").asBoolean()).as(before.toString()).isFalse();
    }

    // ------------------------------------------------------------------ rules and late data, one order at a time

    JsonNode explain(String orderId) {
        HttpApi.Reply r = api.get("/api/v1/attribution/orders/" + URLEncoder.encode(orderId, StandardCharsets.UTF_8), KEY);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    String winner(String orderId, String model) {
        JsonNode credits = explain(orderId).get("models").get(model);
        return credits.isEmpty() ? null : credits.get(0).get("campaignId").asText();
    }

    @Test
    void aLateExposureReattributesItsShoppersOrderAndNothingElse() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String early = "EARLY-" + run;
        String late = "LATE-" + run;
        send(KEY, List.of(exposure("a1-" + run, early, "click", now.minus(5, ChronoUnit.DAYS), email(1)),
                exposure("b1-" + run, early, "click", now.minus(5, ChronoUnit.DAYS), email(2)),
                onlineOrder("late-a-" + run, "shopify", email(1), now.minus(1, ChronoUnit.HOURS), "120.00"),
                onlineOrder("late-b-" + run, "shopify", email(2), now.minus(1, ChronoUnit.HOURS), "80.00")));
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> {
            assertThat(winner("late-a-" + run, "last_touch")).isEqualTo(early);
            assertThat(winner("late-b-" + run, "last_touch")).isEqualTo(early);
        });
        JsonNode bBefore = explain("late-b-" + run);

        // a day later the network's log brings a click of shopper a on another campaign, after the first one
        send(KEY, List.of(exposure("a2-" + run, late, "click", now.minus(2, ChronoUnit.DAYS), email(1))));
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(winner("late-a-" + run, "last_touch")).isEqualTo(late));
        assertThat(winner("late-a-" + run, "first_touch")).as("first touch keeps the earlier click").isEqualTo(early);
        assertThat(explain("late-a-" + run).get("models").get("linear")).hasSize(2);
        assertThat(explain("late-b-" + run)).as("shopper b's order is untouched").isEqualTo(bBefore);

        // the same exposure again changes nothing
        send(KEY, List.of(exposure("a2-" + run, late, "click", now.minus(2, ChronoUnit.DAYS), email(1)).put("id", "exp-again-" + run)));
        HttpApi.Reply counts = api.get("/api/v1/attribution/exposures?network=" + network + "&campaign=" + late, KEY);
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(api.get("/api/v1/attribution/exposures?network=" + network
                + "&campaign=" + late, KEY).json().get("received").asLong()).isEqualTo(1));
        assertThat(counts.status()).isEqualTo(200);
    }

    @Test
    void aLoyaltyCardLinkedToAnExposedEmailAfterTheStoreSaleBringsTheSaleIn() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String campaign = "LINKED-" + run;
        String register = "LNK-" + run;
        // shopper 1: the email is known from an online order (a profile of its own); shopper 2: the email is known to nobody
        send(KEY, List.of(exposure("l1-" + run, campaign, "click", now.minus(4, ChronoUnit.DAYS), email(1)),
                exposure("l2-" + run, campaign, "click", now.minus(4, ChronoUnit.DAYS), email(2)),
                onlineOrder("lnk-web-" + run, "shopify", email(1), now.minus(10, ChronoUnit.DAYS), "10.00")));
        sellAtTills(List.of(till(register, 1, now.minus(2, ChronoUnit.DAYS), "300.00", loyalty(1)),
                till(register, 2, now.minus(2, ChronoUnit.DAYS), "200.00", loyalty(2))));
        String sale1 = "store-STORE-7-" + register + "-" + now.minus(2, ChronoUnit.DAYS).atZone(ZoneOffset.UTC).toLocalDate() + "-1";
        String sale2 = "store-STORE-7-" + register + "-" + now.minus(2, ChronoUnit.DAYS).atZone(ZoneOffset.UTC).toLocalDate() + "-2";
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> {
            assertThat(explain(sale1).get("reason").asText()).contains("no exposure");
            assertThat(explain(sale2).get("reason").asText()).contains("no exposure");
        });
        assertThat(explain("lnk-web-" + run).get("attributed").asBoolean()).as("bought before the exposure").isFalse();

        // the cards are linked to the emails afterwards: a merge for shopper 1, a new email on the card's profile for shopper 2
        linkLoyalty(List.of(new String[] {loyalty(1), email(1)}, new String[] {loyalty(2), email(2)}));
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> {
            assertThat(winner(sale1, "last_touch")).isEqualTo(campaign);
            assertThat(winner(sale2, "last_touch")).isEqualTo(campaign);
        });
        assertThat(explain("lnk-web-" + run).get("attributed").asBoolean()).isFalse();
    }

    @Test
    void aClickBeatsAViewWhetherTheViewCameBeforeOrAfterIt() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String clicked = "CLICKED-" + run;
        String viewed = "VIEWED-" + run;
        putCampaign(clicked, "adv-" + run, 14, 7);
        putCampaign(viewed, "adv-" + run, 14, 7);
        send(KEY, List.of(
                // shopper 1: a view 5 days before, the click 3 days before, another view an hour before the order
                exposure("cv1-" + run, viewed, "impression", now.minus(5, ChronoUnit.DAYS), email(1)),
                exposure("cv2-" + run, clicked, "click", now.minus(3, ChronoUnit.DAYS), email(1)),
                exposure("cv3-" + run, viewed, "impression", now.minus(2, ChronoUnit.HOURS), email(1)),
                // shopper 2: views only
                exposure("cv4-" + run, viewed, "impression", now.minus(2, ChronoUnit.DAYS), email(2)),
                onlineOrder("cv-1-" + run, "shopify", email(1), now.minus(1, ChronoUnit.HOURS), "50.00"),
                onlineOrder("cv-2-" + run, "shopify", email(2), now.minus(1, ChronoUnit.HOURS), "50.00")));
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> {
            assertThat(winner("cv-1-" + run, "last_touch")).as("the later view loses").isEqualTo(clicked);
            assertThat(winner("cv-1-" + run, "first_touch")).as("the earlier view loses").isEqualTo(clicked);
            assertThat(winner("cv-2-" + run, "last_touch")).as("without a click, a view counts").isEqualTo(viewed);
        });
        JsonNode linear = explain("cv-1-" + run).get("models").get("linear");
        assertThat(linear).as("views do not share with a click").hasSize(1);
        assertThat(linear.get(0).get("reason").asText()).contains("ignored because a click beats a view");
    }

    @Test
    void anExposureOutsideItsWindowDoesNotCount() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String campaign = "WINDOW-" + run;
        putCampaign(campaign, "adv-" + run, 14, 1);
        send(KEY, List.of(
                exposure("w1-" + run, campaign, "click", now.minus(15, ChronoUnit.DAYS), email(1)),
                exposure("w2-" + run, campaign, "impression", now.minus(2, ChronoUnit.DAYS), email(1)),
                exposure("w3-" + run, campaign, "click", now.minus(13, ChronoUnit.DAYS), email(2)),
                onlineOrder("w-1-" + run, "shopify", email(1), now.minus(1, ChronoUnit.MINUTES), "70.00"),
                onlineOrder("w-2-" + run, "shopify", email(2), now.minus(1, ChronoUnit.MINUTES), "70.00")));
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(winner("w-2-" + run, "last_touch")).isEqualTo(campaign));
        JsonNode outside = explain("w-1-" + run);
        assertThat(outside.get("attributed").asBoolean()).as("a 15-day-old click and a 2-day-old view: " + outside).isFalse();
        assertThat(outside.get("reason").asText()).contains("no exposure");
    }

    @Test
    void anUnmatchedExposureIsKeptAndMatchesOnceTheShoppersEmailArrives() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String campaign = "UNMATCHED-" + run;
        send(KEY, List.of(exposure("u1-" + run, campaign, "click", now.minus(3, ChronoUnit.DAYS), email(1))));
        String counts = "/api/v1/attribution/exposures?network=" + network + "&campaign=" + campaign;
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(api.get(counts, KEY).json().get("received").asLong()).isEqualTo(1));
        assertThat(api.get(counts, KEY).json().get("unmatched").asLong()).isEqualTo(1);

        send(KEY, List.of(onlineOrder("u-1-" + run, "shopify", email(1), now.minus(1, ChronoUnit.HOURS), "42.00")));
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(winner("u-1-" + run, "last_touch")).isEqualTo(campaign));
        assertThat(api.get(counts, KEY).json().get("matched").asLong()).isEqualTo(1);
        assertThat(api.get(counts, KEY).json().get("unmatched").asLong()).isZero();
    }

    // ------------------------------------------------------------------ the report: refunds, readers, thresholds

    /** Ten shoppers, each exposed once and buying once online for {@code amount}; returns their order ids. */
    List<String> tenShoppersBuy(String campaign, String amount) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<ObjectNode> events = new ArrayList<>();
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String shopper = campaign.toLowerCase(java.util.Locale.ROOT) + "-" + i + "@example.com";
            events.add(exposure(campaign + "-x" + i, campaign, "click", now.minus(2, ChronoUnit.DAYS), shopper));
            String order = campaign + "-o" + i;
            orders.add(order);
            events.add(onlineOrder(order, "shopify", shopper, now.minus(1, ChronoUnit.DAYS), amount));
        }
        send(KEY, events);
        return orders;
    }

    @Test
    void aRefundLowersAttributedRevenue() {
        String campaign = "REFUNDS-" + run;
        putCampaign(campaign, "adv-" + run, 14, 1);
        List<String> orders = tenShoppersBuy(campaign, "100.00");
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(campaignRow(KEY, campaign, "last_touch").get("revenueOnline")
                .asText()).isEqualTo("1000.00"));
        send(KEY, List.of(refund("rf-" + run, orders.get(3), "shopify", "40.00", Instant.now())));
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(campaignRow(KEY, campaign, "last_touch").get("revenueOnline")
                .asText()).isEqualTo("960.00"));
        assertThat(campaignRow(KEY, campaign, "last_touch").get("attributedOrders").asLong()).isEqualTo(10);
        assertThat(explain(orders.get(3)).get("netRevenue").asText()).isEqualTo("60.00");
    }

    @Test
    void aTillReturnNamingItsSaleLowersThatSalesRevenue() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String campaign = "RETURNS-" + run;
        String register = "RET-" + run;
        linkLoyalty(List.<String[]>of(new String[] {loyalty(7), email(7)}));
        send(KEY, List.of(exposure("r7-" + run, campaign, "click", now.minus(3, ChronoUnit.DAYS), email(7))));
        Instant soldAt = now.minus(2, ChronoUnit.DAYS);
        sellAtTills(List.of(till(register, 1, soldAt, "250.00", loyalty(7))));
        String sale = "store-STORE-7-" + register + "-" + soldAt.atZone(ZoneOffset.UTC).toLocalDate() + "-1";
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(winner(sale, "last_touch")).isEqualTo(campaign));

        ObjectNode giveBack = till(register, 2, now.minus(1, ChronoUnit.DAYS), "100.00", loyalty(7)).put("type", "return");
        giveBack.putObject("returnOf").put("storeId", "STORE-7").put("registerId", register)
                .put("businessDay", soldAt.atZone(ZoneOffset.UTC).toLocalDate().toString()).put("sequence", 1);
        sellAtTills(List.of(giveBack));
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(explain(sale).get("netRevenue").asText())
                .isEqualTo("150.00"));
        assertThat(explain(sale).get("refunded").asText()).isEqualTo("100.00");
    }

    // ------------------------------------------------------------------ files: uploaded and dropped

    HttpApi.Reply upload(String kind, String key, String contentType, byte[] body) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/api/v1/attribution/files/" + kind))
                .header("Authorization", "Bearer " + key).header("Content-Type", contentType)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return new HttpApi.Reply(r.statusCode(), r.body(), r);
    }

    static byte[] gzip(String text) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    @Test
    void anExposureLogAndASpendReportSentAsFilesReportEveryBadRowByLineAndCountOnce() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String campaign = "FILES-" + run;
        StringBuilder csv = new StringBuilder("exposure_id,network,advertiser_id,campaign_id,kind,exposed_at,hashed_email\n");
        for (int i = 0; i < 12; i++) {
            csv.append("f").append(i).append(',').append(network).append(",adv-").append(run).append(',').append(campaign)
                    .append(",click,").append(now.minus(2, ChronoUnit.DAYS)).append(',').append(sha256(email(100 + i))).append('\n');
        }
        csv.append("f-bad,").append(network).append(",adv,").append(campaign).append(",stare,").append(now).append(",abc\n");
        HttpApi.Reply first = upload("exposures", KEY, "text/csv", gzip(csv.toString()));
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.json().get("accepted").asLong()).isEqualTo(12);
        assertThat(first.json().get("rejected").asLong()).isEqualTo(1);
        JsonNode bad = first.json().get("rejections").get(0);
        assertThat(bad.get("line").asLong()).isEqualTo(14);
        assertThat(bad.get("reasons").toString()).contains("/kind").contains("/identifiers/0/value");

        HttpApi.Reply again = upload("exposures", KEY, "text/csv", csv.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(again.json().get("accepted").asLong()).as("the same file again").isZero();
        assertThat(again.json().get("duplicates").asLong()).isEqualTo(12);

        String spend = """
                {"network":"%s","campaignId":"%s","day":"%s","spend":{"amount":"250.00","currency":"USD"},"impressions":5000,"clicks":40}
                """.formatted(network, campaign, now.minus(2, ChronoUnit.DAYS).atZone(ZoneOffset.UTC).toLocalDate());
        HttpApi.Reply spent = upload("spend", KEY, "application/x-ndjson", spend.getBytes(StandardCharsets.UTF_8));
        assertThat(spent.json().get("accepted").asLong()).as(spent.body()).isEqualTo(1);

        List<ObjectNode> orders = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            orders.add(onlineOrder("files-" + run + "-" + i, "shopify", email(100 + i), now.minus(1, ChronoUnit.DAYS), "25.00"));
        }
        send(KEY, orders);
        putCampaign(campaign, "adv-" + run, 14, 1);
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> {
            JsonNode row = campaignRow(KEY, campaign, "last_touch");
            assertThat(row.get("revenueOnline").asText()).isEqualTo("300.00");
            assertThat(row.get("spend").asText()).isEqualTo("250.00");
        });
        assertThat(campaignRow(KEY, campaign, "last_touch").get("roasConnected").decimalValue()).isEqualByComparingTo("1.2");

        assertThat(upload("exposures", KEY, "application/pdf", new byte[] {1}).status()).isEqualTo(415);
        HttpApi.Reply noColumns = upload("exposures", KEY, "text/csv", "exposure_id,network\n".getBytes(StandardCharsets.UTF_8));
        assertThat(noColumns.status()).isEqualTo(422);
        assertThat(noColumns.json().get("detail").asText()).contains("missing column 'campaign_id'");
        assertThat(upload("carts", KEY, "text/csv", "a\n".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(404);
        String[] reader = partner("file-reader-" + run, "\"attribution:read\"").split(" ");
        assertThat(upload("exposures", reader[0], "text/csv", csv.toString().getBytes(StandardCharsets.UTF_8)).status())
                .isEqualTo(403);
    }

    @Autowired
    org.springframework.core.env.Environment environment;

    @Test
    void anExposureLogDroppedInAFeedFolderIsReadOnceAndReported() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of(environment.getProperty("unison.attribution.feeds.it-exposures.directory"));
        java.nio.file.Files.createDirectories(dir);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String campaign = "DROPPED-" + run;
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            jsonl.append(CanonicalJson.write(exposure("d" + i + "-" + run, campaign, "click", now.minus(1, ChronoUnit.DAYS),
                    email(200 + i)).get("data"))).append('\n');
        }
        jsonl.append("{\"exposureId\": \"broken\"}\n");
        String name = "log-" + run + ".jsonl.gz";
        java.nio.file.Path tmp = dir.getParent().resolve(name);
        java.nio.file.Files.write(tmp, gzip(jsonl.toString()));
        java.nio.file.Files.move(tmp, dir.resolve(name));

        java.nio.file.Path report = dir.resolve(".done").resolve(name + ".report.json");
        // the report is written before Camel moves the file, once the exchange completes
        await().atMost(SETTLE).until(() -> java.nio.file.Files.exists(report)
                && java.nio.file.Files.exists(dir.resolve(".done").resolve(name)) && !java.nio.file.Files.exists(dir.resolve(name)));
        JsonNode r = CanonicalJson.parse(java.nio.file.Files.readString(report));
        assertThat(r.get("accepted").asLong()).as(r.toString()).isEqualTo(3);
        assertThat(r.get("rejections").get(0).get("line").asLong()).isEqualTo(4);
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(api.get("/api/v1/attribution/exposures?network="
                + network + "&campaign=" + campaign, KEY).json().get("received").asLong()).isEqualTo(3));
    }

    // ------------------------------------------------------------------ the connected-commerce metrics

    static ObjectNode cart(String id, String channel, String email, Instant at) {
        ObjectNode d = CanonicalJson.mapper().createObjectNode();
        d.put("id", id).put("channel", channel).put("status", "open").put("currency", "USD").put("updatedAt", at.toString());
        d.putArray("identifiers").addObject().put("type", "email").put("value", email);
        d.putArray("lines").addObject().put("sku", "CART-SKU").put("quantity", 1);
        return event("cart-" + id, "commerce.cart.updated.v1", d);
    }

    JsonNode metric(String name, String from, String to) {
        HttpApi.Reply r = api.get("/api/v1/metrics?from=" + from + "&to=" + to, KEY);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        for (JsonNode m : r.json().get("metrics")) {
            if (m.get("name").asText().equals(name)) {
                return m;
            }
        }
        throw new AssertionError("no metric " + name + " in " + r.body());
    }

    @Test
    void crossChannelConversionRateCountsShoppersWhoseJourneyBeganElsewhere() {
        // March 2021: nobody else's data; channels of this run only
        String web = "web-" + run;
        String kiosk = "kiosk-" + run;
        Instant march = Instant.parse("2021-03-01T00:00:00Z");
        String a = "cc-a-" + run + "@example.com";
        String b = "cc-b-" + run + "@example.com";
        String c = "cc-c-" + run + "@example.com";
        String d = "cc-d-" + run + "@example.com";
        String e = "cc-e-" + run + "@example.com";
        String f = "cc-f-" + run + "@example.com";
        send(KEY, List.of(
                // a: an ad click, then a web order two days later: began in another channel
                exposure("cc-a-" + run, "CC-" + run, "click", march.plus(2, ChronoUnit.DAYS), a),
                onlineOrder("cc-a-" + run, web, a, march.plus(4, ChronoUnit.DAYS), "10.00"),
                // b: a cart in the app, then a web order
                cart("cc-b-" + run, "app-" + run, b, march.plus(1, ChronoUnit.DAYS)),
                onlineOrder("cc-b-" + run, web, b, march.plus(3, ChronoUnit.DAYS), "10.00"),
                // c: a cart on the web, a web order: one channel
                cart("cc-c-" + run, web, c, march.plus(1, ChronoUnit.DAYS)),
                onlineOrder("cc-c-" + run, web, c, march.plus(2, ChronoUnit.DAYS), "10.00"),
                // d: a web order and nothing before it
                onlineOrder("cc-d-" + run, web, d, march.plus(9, ChronoUnit.DAYS), "10.00"),
                // e: an ad click 64 days before the order: outside the 30-day window
                exposure("cc-e-" + run, "CC-" + run, "click", march.minus(59, ChronoUnit.DAYS), e),
                onlineOrder("cc-e-" + run, web, e, march.plus(5, ChronoUnit.DAYS), "10.00"),
                // f: an ad click, then a purchase at a kiosk in store
                exposure("cc-f-" + run, "CC-" + run, "click", march.plus(5, ChronoUnit.DAYS), f),
                storeOrder(onlineOrder("cc-f-" + run, kiosk, f, march.plus(6, ChronoUnit.DAYS), "10.00"))));
        // by hand: buyers a..f = 6, of whom a, b and f began elsewhere: 3/6; web: a, b of a..e = 2/5; kiosk 1/1
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> {
            JsonNode m = metric("cross_channel_conversion_rate", "2021-03-01", "2021-03-31");
            assertThat(m.get("numerator").asLong()).as(m.toString()).isEqualTo(3);
            assertThat(m.get("denominator").asLong()).isEqualTo(6);
            assertThat(m.get("value").decimalValue()).isEqualByComparingTo("0.5");
            assertThat(m.at("/byChannel/" + web + "/numerator").asLong()).isEqualTo(2);
            assertThat(m.at("/byChannel/" + web + "/denominator").asLong()).isEqualTo(5);
            assertThat(m.at("/byChannel/" + kiosk + "/value").decimalValue()).isEqualByComparingTo("1");
        });
        JsonNode m = metric("cross_channel_conversion_rate", "2021-03-01", "2021-03-31");
        assertThat(m.get("unit").asText()).isEqualTo("purchasing customers");
        assertThat(m.get("definition").asText()).contains("30 days").contains("ad click").contains("cart");
    }

    static ObjectNode storeOrder(ObjectNode orderEvent) {
        ((ObjectNode) orderEvent.get("data")).put("placedIn", "store").put("placedAtLocation", "STORE-7");
        return orderEvent;
    }

    @Test
    void inventoryDeflectionRateIsTheShareOfOnlineOrdersFulfilledFromStores() {
        // April 2021, a channel of this run only
        String shop = "shop-" + run;
        Instant april = Instant.parse("2021-04-01T00:00:00Z");
        List<ObjectNode> orders = new ArrayList<>();
        String[] from = {"STORE-7", "STORE-7", "STORE-7", "WH-1", null};
        for (int i = 0; i < from.length; i++) {
            ObjectNode o = onlineOrder("defl-" + run + "-" + i, shop, "defl-" + run + "-" + i + "@example.com",
                    april.plus(i, ChronoUnit.DAYS), "20.00");
            if (from[i] == null) {
                ((ObjectNode) o.get("data")).remove("fulfilledFromLocation");
            } else {
                ((ObjectNode) o.get("data")).put("fulfilledFromLocation", from[i]);
            }
            orders.add(o);
        }
        // a store sale fulfilled at the store is not an online order; a cancelled online order does not count
        orders.add(storeOrder(onlineOrder("defl-" + run + "-store", shop, "defl-s-" + run + "@example.com", april, "20.00")));
        ObjectNode cancelled = onlineOrder("defl-" + run + "-cancelled", shop, "defl-c-" + run + "@example.com", april, "20.00");
        ((ObjectNode) cancelled.get("data")).put("status", "cancelled");
        orders.add(cancelled);
        send(KEY, orders);
        // by hand: online orders with a known fulfilment location: 4 (3 from STORE-7, 1 from WH-1) -> 3/4
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> {
            JsonNode m = metric("inventory_deflection_rate", "2021-04-01", "2021-04-30");
            assertThat(m.get("numerator").asLong()).as(m.toString()).isEqualTo(3);
            assertThat(m.get("denominator").asLong()).isEqualTo(4);
            assertThat(m.get("value").decimalValue()).isEqualByComparingTo("0.75");
            assertThat(m.at("/byChannel/" + shop + "/value").decimalValue()).isEqualByComparingTo("0.75");
        });
        JsonNode one = api.get("/api/v1/metrics?from=2021-04-01&to=2021-04-30&channel=" + shop, KEY).json();
        assertThat(one.get("channel").asText()).isEqualTo(shop);
        assertThat(api.get("/api/v1/metrics?from=2021-04-30&to=2021-04-01", KEY).status()).isEqualTo(400);
        assertThat(metric("identity_resolution_rate", "2021-04-01", "2021-04-30").get("denominator").asLong())
                .as("the period's transactions").isGreaterThanOrEqualTo(5);
    }

    @Test
    void theMetricsAreInPrometheusWithBoundedLabels() {
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> {
            String scrape = api.get("/actuator/prometheus", null).body();
            for (String metric : List.of("cross_channel_conversion_rate", "inventory_deflection_rate", "identity_resolution_rate")) {
                for (String series : List.of("ratio", "numerator", "denominator")) {
                    assertThat(scrape).containsPattern("unison_business_metric_" + series + "\\{[^}]*channel=\"all\",metric=\""
                            + metric + "\"}");
                }
            }
            // one label set per metric and channel; channels are capped (a partner can name any channel)
            assertThat(scrape.lines().filter(l -> l.startsWith("unison_business_metric_ratio{")).count())
                    .isLessThanOrEqualTo(3 * 51);
        });
    }

    @Test
    void aNetworkPartnerReportsExposuresAndSpendOfItsOwnNetworkOnly() throws Exception {
        String[] rmn = partner(network, "\"events:write\", \"attribution:write\"").split(" ");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        send(rmn[0], List.of(exposure("own-" + run, "OWN-" + run, "click", now, email(1))));
        ObjectNode foreign = exposure("foreign-" + run, "OWN-" + run, "click", now, email(1));
        ((ObjectNode) foreign.get("data")).put("network", "another-network");
        HttpApi.Reply refused = api.post("/api/v1/events", rmn[0], "application/cloudevents-batch+json",
                "[" + CanonicalJson.write(foreign) + "]", Map.of());
        assertThat(refused.json().get("results").get(0).get("httpStatus").asInt()).as(refused.body()).isEqualTo(403);
        assertThat(refused.body()).contains("its own network only");

        String csv = "network,campaign_id,day,spend,currency,impressions,clicks\n"
                + network + ",OWN-" + run + ",2026-11-20,10.00,USD,100,1\n"
                + "another-network,OWN-" + run + ",2026-11-20,10.00,USD,100,1\n";
        HttpApi.Reply file = upload("spend", rmn[0], "text/csv", csv.getBytes(StandardCharsets.UTF_8));
        assertThat(file.json().get("accepted").asLong()).as(file.body()).isEqualTo(1);
        assertThat(file.json().get("rejections").get(0).get("line").asLong()).isEqualTo(3);
        assertThat(file.json().get("rejections").get(0).get("reasons").toString()).contains("own network only");
    }

    String partner(String name, String scopes) {
        HttpApi.Reply created = api.post("/api/v1/admin/partners", KEY, "{\"name\": \"" + name + "\", \"scopes\": [" + scopes + "]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("apiKey").asText() + " " + created.json().at("/partner/id").asText();
    }

    @Test
    void aBrandPartnerReadsItsOwnAdvertisersCampaignsOnly() {
        String mine = "BRAND-A-" + run;
        String theirs = "BRAND-B-" + run;
        putCampaign(mine, "adv-a-" + run, 14, 1);
        putCampaign(theirs, "adv-b-" + run, 14, 1);
        tenShoppersBuy(mine, "10.00");
        tenShoppersBuy(theirs, "20.00");
        String[] brandA = partner("brand-a-" + run, "\"attribution:read\"").split(" ");
        HttpApi.Reply readers = api.put("/api/v1/attribution/advertisers/adv-a-" + run + "/readers", KEY,
                "{\"partners\": [\"" + brandA[1] + "\"]}");
        assertThat(readers.status()).as(readers.body()).isEqualTo(200);
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> {
            assertThat(campaignRow(KEY, mine, "last_touch").get("revenue").asText()).isEqualTo("100.00");
            assertThat(campaignRow(KEY, theirs, "last_touch").get("revenue").asText()).isEqualTo("200.00");
        });

        assertThat(campaignRow(brandA[0], mine, "last_touch").get("revenue").asText()).isEqualTo("100.00");
        assertThat(campaignRow(brandA[0], theirs, "last_touch")).as("another advertiser's campaign").isNull();
        HttpApi.Reply all = api.get("/api/v1/attribution/campaigns?network=" + network, brandA[0]);
        assertThat(all.json().get("rows")).hasSize(1);
        assertThat(all.json().get("rows").get(0).get("campaignId").asText()).isEqualTo(mine);
        assertThat(api.get("/api/v1/attribution/orders/" + theirs + "-o1", brandA[0]).status()).isEqualTo(403);
        assertThat(api.get("/api/v1/attribution/exposures?network=" + network + "&campaign=" + theirs, brandA[0]).json()
                .get("received").asLong()).isZero();
        String[] unscoped = partner("no-attribution-" + run, "\"events:read\"").split(" ");
        assertThat(api.get("/api/v1/attribution/campaigns", unscoped[0]).status()).isEqualTo(403);
        assertThat(api.put("/api/v1/attribution/advertisers/adv-a-" + run + "/readers", brandA[0], "{\"partners\": []}").status())
                .as("readers are set by an admin").isEqualTo(403);
    }

    @Test
    void rowsBackedByTooFewShoppersAreSuppressed() {
        String campaign = "THIN-" + run;
        putCampaign(campaign, "adv-" + run, 14, 1);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<ObjectNode> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String shopper = "thin-" + run + "-" + i + "@example.com";
            events.add(exposure("thin-x" + i + "-" + run, campaign, "click", now.minus(2, ChronoUnit.DAYS), shopper));
            events.add(onlineOrder("thin-o" + i + "-" + run, "shopify", shopper, now.minus(1, ChronoUnit.DAYS), "99.00"));
        }
        events.add(spend(network, campaign, now.minus(2, ChronoUnit.DAYS).atZone(ZoneOffset.UTC).toLocalDate(), "10.00"));
        send(KEY, events);
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(winner("thin-o2-" + run, "last_touch")).isEqualTo(campaign));
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(campaignRow(KEY, campaign, "last_touch")).isNotNull());
        JsonNode row = campaignRow(KEY, campaign, "last_touch");
        assertThat(row.get("suppressed").asBoolean()).as(row.toString()).isTrue();
        for (String withheld : List.of("revenue", "revenueOnline", "revenueInStore", "attributedOrders", "shoppers", "roasOnline",
                "roasConnected")) {
            assertThat(row.has(withheld)).as(withheld + " withheld: " + row).isFalse();
        }
        assertThat(row.get("spend").asText()).as("the network's own figure stays").isEqualTo("10.00");
    }

    String email(int i) {
        return "s1-" + run + "-" + i + "@example.com";
    }

    String loyalty(int i) {
        return "L-" + run + "-" + i;
    }

    // ------------------------------------------------------------------ the networks' own figures

    @Autowired
    dev.unison.platform.edge.ApiSchemas schemas;

    @Autowired
    dev.unison.platform.deadletter.DeadLetters deadLetters;

    /** A day of spend with the network's own attributed figures ({@code inStore}/{@code online} null: not split). */
    static ObjectNode spendWithNetworkFigures(String id, String network, String campaign, LocalDate day, String amount,
            int clickDays, Integer viewDays, long orders, long units, String sales, String inStore, String online) {
        ObjectNode e = spend(network, campaign, day, amount);
        e.put("id", id);
        ObjectNode n = ((ObjectNode) e.get("data")).putObject("networkAttributed");
        n.put("clickWindowDays", clickDays).put("orders", orders).put("units", units);
        if (viewDays != null) {
            n.put("viewWindowDays", viewDays);
        }
        n.set("sales", money(sales));
        if (inStore != null) {
            n.set("salesInStore", money(inStore));
        }
        if (online != null) {
            n.set("salesOnline", money(online));
        }
        return e;
    }

    static ObjectNode conversion(String eventId, String network, String conversionId, String campaign, Instant at, String touch,
            int windowDays, String channel, String sales, long units) {
        ObjectNode d = CanonicalJson.mapper().createObjectNode();
        d.put("network", network).put("conversionId", conversionId).put("campaignId", campaign).put("convertedAt", at.toString())
                .put("touch", touch).put("windowDays", windowDays).put("channel", channel).put("units", units);
        d.set("sales", money(sales));
        return event(eventId, "commerce.ad.conversion.attributed.v1", d);
    }

    JsonNode validReport(String key, String campaign) {
        HttpApi.Reply r = api.get("/api/v1/attribution/campaigns?network=" + network + "&campaign=" + campaign, key);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(schemas.validateResponse("get-attribution-report", r.json())).as(r.body()).isEmpty();
        return r.json().get("rows").isEmpty() ? null : r.json().get("rows").get(0);
    }

    JsonNode networkConversions(String key, String query) {
        HttpApi.Reply r = api.get("/api/v1/attribution/network-conversions?" + query, key);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(schemas.validateResponse("get-network-conversions", r.json())).as(r.body()).isEmpty();
        return r.json();
    }

    @Test
    void theNetworksOwnFiguresStandBesideTheHubsAndARestatementReplacesThem() throws Exception {
        String campaign = "NETFIG-" + run;
        putCampaign(campaign, "adv-" + run, 14, 1);
        tenShoppersBuy(campaign, "10.00"); // the hub attributes 100.00 (10 shoppers)
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        send(KEY, List.of(
                spendWithNetworkFigures("nf1-" + run, network, campaign, today.minusDays(2), "50.00", 14, null, 8, 9, "150.00",
                        "100.00", "50.00"),
                spendWithNetworkFigures("nf2-" + run, network, campaign, today.minusDays(1), "50.00", 14, null, 2, 2, "50.00",
                        null, null),
                // a transaction-level claim of the same campaign: the spend rows carry figures, so it is not added
                conversion("nfc-" + run, network, "nf-tx-" + run, campaign, Instant.now().minus(1, ChronoUnit.DAYS), "click", 14,
                        "online", "999.00", 1)));
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> {
            JsonNode row = validReport(KEY, campaign);
            assertThat(row.get("revenue").asText()).as(row.toString()).isEqualTo("100.00");
            assertThat(row.get("spend").asText()).isEqualTo("100.00");
            assertThat(row.get("networkRevenue").asText()).as(row.toString()).isEqualTo("200.00");
        });
        JsonNode row = validReport(KEY, campaign);
        assertThat(row.get("roasConnected").decimalValue()).isEqualByComparingTo("1.00");
        assertThat(row.get("roasNetwork").decimalValue()).as(row.toString()).isEqualByComparingTo("2.00");
        assertThat(row.get("networkOrders").asLong()).isEqualTo(10);
        assertThat(row.get("networkUnits").asLong()).isEqualTo(11);
        assertThat(row.get("networkRevenueInStore").asText()).as("the rows that split").isEqualTo("100.00");
        assertThat(row.get("networkRevenueOnline").asText()).isEqualTo("50.00");
        assertThat(row.get("networkWindow").asText()).isEqualTo("14-day click");
        // the conversion is kept and listed all the same
        assertThat(networkConversions(KEY, "network=" + network + "&campaign=" + campaign).get("conversions")).hasSize(1);

        // the network restates the second day (more orders came in within its window): the figures are replaced
        send(KEY, List.of(spendWithNetworkFigures("nf2b-" + run, network, campaign, today.minusDays(1), "50.00", 14, null, 3, 4,
                "90.00", "60.00", "30.00")));
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(validReport(KEY, campaign).get("networkRevenue")
                .asText()).isEqualTo("240.00"));
        row = validReport(KEY, campaign);
        assertThat(row.get("networkOrders").asLong()).isEqualTo(11);
        assertThat(row.get("networkRevenueInStore").asText()).isEqualTo("160.00");
        assertThat(row.get("networkRevenueOnline").asText()).isEqualTo("80.00");
        assertThat(row.get("roasNetwork").decimalValue()).isEqualByComparingTo("2.40");
        assertThat(row.get("roasConnected").decimalValue()).as("the hub's figure is untouched").isEqualByComparingTo("1.00");

        java.net.http.HttpResponse<String> csv = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/api/v1/attribution/campaigns?network=" + network + "&campaign="
                        + campaign)).header("Authorization", "Bearer " + KEY).header("Accept", "text/csv").GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(csv.statusCode()).isEqualTo(200);
        List<String> lines = csv.body().lines().toList();
        assertThat(lines.get(0)).endsWith(",network_orders,network_units,network_revenue,network_revenue_in_store,"
                + "network_revenue_online,roas_network,network_window");
        assertThat(lines.get(1)).endsWith(",11,13,240.00,160.00,80.00,2.40,14-day click");
    }

    @Test
    void theNetworksFiguresAreShownInARowTooThinForTheHubsOwn() {
        String campaign = "NETTHIN-" + run;
        putCampaign(campaign, "adv-" + run, 14, 1);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String shopper = "netthin-" + run + "@example.com";
        send(KEY, List.of(exposure("netthin-x-" + run, campaign, "click", now.minus(2, ChronoUnit.DAYS), shopper),
                onlineOrder("netthin-o-" + run, "shopify", shopper, now.minus(1, ChronoUnit.DAYS), "99.00"),
                spendWithNetworkFigures("netthin-s-" + run, network, campaign, LocalDate.now(ZoneOffset.UTC).minusDays(2), "10.00",
                        30, 1, 4, 4, "55.00", null, null)));
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(winner("netthin-o-" + run, "last_touch"))
                .isEqualTo(campaign));
        JsonNode row = validReport(KEY, campaign);
        assertThat(row.get("suppressed").asBoolean()).as(row.toString()).isTrue();
        assertThat(row.has("revenue")).isFalse();
        assertThat(row.get("networkRevenue").asText()).as("the network's published aggregate stays").isEqualTo("55.00");
        assertThat(row.get("roasNetwork").decimalValue()).isEqualByComparingTo("5.50");
        assertThat(row.get("networkWindow").asText()).isEqualTo("30-day click / 1-day view");
        assertThat(row.has("networkRevenueInStore")).as("no row split it").isFalse();
    }

    @Test
    void attributedConversionsAreListedAndCountedWhenTheSpendRowsCarryNone() {
        String campaign = "NETCONV-" + run;
        putCampaign(campaign, "adv-conv-" + run, 14, 1);
        String[] rmn = partner(network, "\"events:write\"").split(" ");
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(1, ChronoUnit.DAYS);
        send(rmn[0], List.of(spend(network, campaign, at.atZone(ZoneOffset.UTC).toLocalDate(), "100.00"),
                conversion("c1-" + run, network, "tx1-" + run, campaign, at, "click", 30, "in-store", "60.00", 2),
                conversion("c2-" + run, network, "tx2-" + run, campaign, at.plusSeconds(60), "click", 30, "online", "20.00", 1),
                conversion("c3-" + run, network, "tx3-" + run, campaign, at.plusSeconds(120), "view", 1, "online", "20.00", 1)));
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(validReport(KEY, campaign).get("networkRevenue")
                .asText()).isEqualTo("100.00"));
        JsonNode row = validReport(KEY, campaign);
        assertThat(row.get("networkOrders").asLong()).isEqualTo(3);
        assertThat(row.get("networkRevenueInStore").asText()).isEqualTo("60.00");
        assertThat(row.get("networkRevenueOnline").asText()).isEqualTo("40.00");
        assertThat(row.get("roasNetwork").decimalValue()).isEqualByComparingTo("1.00");
        assertThat(row.get("networkWindow").asText()).isEqualTo("30-day click / 1-day view");

        // the network restates a conversion (same id, a returned unit): it replaces; sent again, nothing changes
        ObjectNode restated = conversion("c1b-" + run, network, "tx1-" + run, campaign, at, "click", 30, "in-store", "30.00", 1);
        send(rmn[0], List.of(restated));
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(validReport(KEY, campaign).get("networkRevenue")
                .asText()).isEqualTo("70.00"));
        assertThat(validReport(KEY, campaign).get("networkOrders").asLong()).isEqualTo(3);

        JsonNode list = networkConversions(KEY, "network=" + network + "&campaign=" + campaign);
        assertThat(list.get("conversions")).extracting(c -> c.get("conversionId").asText())
                .containsExactly("tx1-" + run, "tx2-" + run, "tx3-" + run);
        assertThat(list.get("conversions").get(0).get("sales").asText()).isEqualTo("30.00");
        assertThat(list.get("conversions").get(0).get("units").asLong()).isEqualTo(1);
        assertThat(list.get("truncated").asBoolean()).isFalse();
        JsonNode two = networkConversions(KEY, "network=" + network + "&campaign=" + campaign + "&limit=2");
        assertThat(two.get("conversions")).hasSize(2);
        assertThat(two.get("truncated").asBoolean()).isTrue();
        LocalDate day = at.atZone(ZoneOffset.UTC).toLocalDate();
        assertThat(networkConversions(KEY, "network=" + network + "&from=" + day.plusDays(1)).get("conversions")).isEmpty();
        assertThat(api.get("/api/v1/attribution/network-conversions?limit=0", KEY).status()).isEqualTo(400);
        assertThat(api.get("/api/v1/attribution/network-conversions?from=yesterday", KEY).status()).isEqualTo(400);

        // the same reader rules as the report: a brand sees its advertisers' campaigns only
        String[] brand = partner("brand-conv-" + run, "\"attribution:read\"").split(" ");
        assertThat(networkConversions(brand[0], "network=" + network).get("conversions")).isEmpty();
        assertThat(api.put("/api/v1/attribution/advertisers/adv-conv-" + run + "/readers", KEY,
                "{\"partners\": [\"" + brand[1] + "\"]}").status()).isEqualTo(200);
        assertThat(networkConversions(brand[0], "network=" + network).get("conversions")).hasSize(3);
    }

    @Test
    void aPartnerReportsConversionsOfItsOwnNetworkOnlyAndCannotRestateAnothersClaim() {
        String campaign = "NETOWN-" + run;
        String[] rmn = partner(network, "\"events:write\"").split(" ");
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(1, ChronoUnit.DAYS);
        ObjectNode foreign = conversion("f1-" + run, "another-network", "ftx-" + run, campaign, at, "click", 14, "online", "10.00", 1);
        HttpApi.Reply refused = api.post("/api/v1/events", rmn[0], "application/cloudevents+json", CanonicalJson.write(foreign),
                Map.of());
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.body()).contains("its own network only");

        send(rmn[0], List.of(conversion("o1-" + run, network, "otx-" + run, campaign, at, "click", 14, "online", "10.00", 1)));
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(networkConversions(KEY, "network=" + network
                + "&campaign=" + campaign).get("conversions")).hasSize(1));
        // another sender (the operator may name any network) cannot restate the network's claim: dead-lettered with the reason
        send(KEY, List.of(conversion("o1-op-" + run, network, "otx-" + run, campaign, at, "click", 14, "online", "99.00", 1)));
        await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> assertThat(deadLetters.recent("attribution", 50))
                .anySatisfy(d -> assertThat(d.reason()).contains("otx-" + run).contains("only it may restate it")));
        assertThat(networkConversions(KEY, "network=" + network + "&campaign=" + campaign).get("conversions").get(0).get("sales")
                .asText()).isEqualTo("10.00");
    }
}
