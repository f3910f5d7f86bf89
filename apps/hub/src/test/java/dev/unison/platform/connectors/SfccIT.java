package dev.unison.platform.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.connectors.sfcc.simulator.SfccSimulator;
import dev.unison.connectors.sfcc.simulator.SfccSimulator.Line;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * An SFCC order flows in like any channel's: the embedded default's demo SFCC site (the simulator
 * behind the sfcc-demo connection of config/connections.yaml, polled every second here) sells a sku
 * of STORE-7's stock. Nothing is pushed to the hub: it finds the order by its search, confirms it by
 * its export status, and writes channel sfcc's availability to the site's OCI location. Everything
 * checked through the hub's public API and the simulator's own records.
 */
@EmbeddedHub
class SfccIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;
    /** The sfcc-demo connection's ociLocation and the demo store its storeLocations maps to STORE-7 (config/connections.yaml). */
    static final String OCI_LOCATION = "RefArch-online";
    static final String DEMO_STORE = "store7";

    @LocalServerPort
    int port;
    @Autowired
    SfccSimulator sfcc;
    @Autowired
    JdbcTemplate jdbc;

    HttpApi api;
    String run;
    String sku;

    @BeforeEach
    void aSkuOfStore7ShownOnSfcc() {
        api = new HttpApi(port);
        run = Long.toString(System.nanoTime() % 1_000_000);
        sku = "SFCC-TEE-" + run;
        HttpApi.Reply counted = api.post("/api/v1/inventory/counts", KEY, """
                {"countId": "sfcc-%s", "locationId": "STORE-7", "asOf": "%s", "counts": [{"sku": "%s", "quantity": 5}]}
                """.formatted(run, Instant.now().minusSeconds(5), sku));
        assertThat(counted.status()).as(counted.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> Long.valueOf(5).equals(sfcc.onHand(OCI_LOCATION, sku)));
        assertThat(ats(sku, "sfcc")).isEqualTo(5);
    }

    private long ats(String sku, String channel) {
        for (JsonNode c : api.get("/api/v1/inventory/" + sku, KEY).json().get("channels")) {
            if (c.get("channel").asText().equals(channel)) {
                return c.get("availableToSell").asLong();
            }
        }
        throw new AssertionError("no ATS of " + sku + " in " + channel);
    }

    private HttpApi.Reply profileOf(String identifier) {
        return api.get("/api/v1/profiles?identifier=" + URLEncoder.encode(identifier, StandardCharsets.UTF_8), KEY);
    }

    private static Set<String> identifiers(JsonNode profile) {
        Set<String> ids = new HashSet<>();
        for (JsonNode i : profile.get("identifiers")) {
            ids.add(i.get("type").asText() + ":" + i.get("value").asText());
        }
        return ids;
    }

    @Test
    void anSfccOrderIsPulledConfirmedAndReachesOrdersIdentityAndInventory() {
        String email = "sfcc.buyer." + run + "@example.com";
        // a valid North American number (the exchange cannot start with 0 or 1), one per run
        String phone = String.format("+1 617 555 %04d", Long.parseLong(run) % 10_000);
        String customerNo = "C" + run;
        String orderNo = sfcc.addOrder(email.toUpperCase(), phone, customerNo, null, List.of(new Line(sku, 2, "24.50")));

        // orders: one canonical order of channel sfcc, by its order number
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/v1/orders/sfcc/" + orderNo, KEY).status() == 200);
        JsonNode order = api.get("/api/v1/orders/sfcc/" + orderNo, KEY).json().get("order");
        assertThat(order.get("channel").asText()).isEqualTo("sfcc");
        assertThat(order.get("externalId").asText()).isEqualTo(orderNo);
        assertThat(order.get("placedIn").asText()).isEqualTo("online");
        assertThat(order.get("lines")).singleElement().satisfies(line -> {
            assertThat(line.get("sku").asText()).isEqualTo(sku);
            assertThat(line.get("quantity").asLong()).isEqualTo(2);
        });
        // SCAPI sends money as JSON numbers (49.00 arrives as 49): exact, and with the currency's minor digits
        assertThat(order.get("total").get("amount").asText()).isEqualTo("49.00");
        assertThat(order.get("total").get("currency").asText()).isEqualTo("USD");
        assertThat(order.has("fulfilledFromLocation")).as("a shipped order: its fulfilment location is unknown").isFalse();

        // confirmed in SFCC only once stored: its export status
        await().atMost(Duration.ofSeconds(20)).until(() -> sfcc.exportStatusOf(orderNo).equals("exported"));

        // identity: email (normalised), phone (E.164) and the SFCC customer number are one profile that knows the order
        String e164 = phone.replace(" ", "");
        String channelCustomer = "channel_customer_id:sfcc:" + SfccSimulator.CUSTOMER_LIST.toLowerCase() + ":" + customerNo;
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            JsonNode profile = profileOf("email:" + email).json();
            assertThat(identifiers(profile)).contains("email:" + email, "phone:" + e164, channelCustomer);
            assertThat(profile.get("orders").get("byChannel").has("sfcc")).isTrue();
        });
        String profileId = profileOf("email:" + email).json().get("id").asText();
        assertThat(profileOf("phone:" + e164).json().get("id").asText()).isEqualTo(profileId);
        assertThat(profileOf(channelCustomer).json().get("id").asText()).isEqualTo(profileId);

        // inventory: two of STORE-7's five are gone from what channel sfcc may sell, and OCI shows it
        await().atMost(Duration.ofSeconds(20)).until(() -> Long.valueOf(3).equals(sfcc.onHand(OCI_LOCATION, sku)));
        assertThat(ats(sku, "sfcc")).isEqualTo(3);
        assertThat(ats(sku, "shopify")).as("one stock, every channel").isEqualTo(3);

        // one placed event, and no update: setting the export status modified the order (lastModified), which the
        // order-updates stream finds again, but its state (status, payment, shipping, total, items) is the same
        assertThat(events("commerce.order.placed.v1", orderNo)).isEqualTo(1);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> events("commerce.order.updated.v1", orderNo) == 0);
    }

    /**
     * Per-location stock (sfcc-demo's ociLocations, routes/fan-out.yaml positions-fan-out, on in
     * this hub): STORE-7's own stock reaches its OCI location, a cart hold and a sale at the till
     * take it down there, beside the channel's availability at the site's location.
     */
    @Test
    void eachLocationsOwnStockReachesItsOciLocation() {
        await().atMost(Duration.ofSeconds(20)).until(() -> Long.valueOf(5).equals(sfcc.onHand("store7-stock", sku)));
        HttpApi.Reply held = api.post("/api/v1/inventory/reservations", KEY, """
                {"reservationId": "oci-%s", "sku": "%s", "locationId": "STORE-7", "quantity": 1, "expiresAt": "%s"}
                """.formatted(run, sku, Instant.now().plusSeconds(3600)));
        assertThat(held.status()).as(held.body()).isEqualTo(201);
        HttpApi.Reply sold = api.post("/api/v1/pos/transactions", KEY, """
                {"storeId": "STORE-7", "registerId": "R9", "businessDay": "%s", "sequence": %s, "type": "sale",
                 "occurredAt": "%s", "currency": "USD", "lines": [{"sku": "%s", "quantity": 2, "unitPrice": "10.00"}]}
                """.formatted(LocalDate.now(ZoneOffset.UTC), run, Instant.now(), sku));
        assertThat(sold.status()).as(sold.body()).isEqualTo(201);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(sfcc.onHand("store7-stock", sku)).as("5 on hand, 2 sold, 1 held for a cart").isEqualTo(2);
            assertThat(sfcc.onHand(OCI_LOCATION, sku)).as("the channel's availability").isEqualTo(2);
        });
        assertThat(sfcc.onHand("wh1-stock", sku)).as("no stock at WH-1 was ever written").isNull();
    }

    @Test
    void aStorePickupOrderIsFulfilledFromItsStoreAndCountsInTheDeflectionRate() {
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        String tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(1).toString();
        long[] before = deflection(today, tomorrow);

        String email = "sfcc.pickup." + run + "@example.com";
        String orderNo = sfcc.addOrder(email, null, null, DEMO_STORE, List.of(new Line(sku, 1, "24.50")));

        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/v1/orders/sfcc/" + orderNo, KEY).status() == 200);
        JsonNode order = api.get("/api/v1/orders/sfcc/" + orderNo, KEY).json().get("order");
        assertThat(order.get("fulfilledFromLocation").asText()).as("the pickup store's hub location").isEqualTo("STORE-7");
        assertThat(order.get("placedIn").asText()).isEqualTo("online");
        await().atMost(Duration.ofSeconds(20)).until(() -> sfcc.exportStatusOf(orderNo).equals("exported"));

        // an online order fulfilled from a store: one more in both the numerator and the denominator of channel sfcc
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            long[] after = deflection(today, tomorrow);
            assertThat(after[0]).as("numerator").isEqualTo(before[0] + 1);
            assertThat(after[1]).as("denominator").isEqualTo(before[1] + 1);
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> Long.valueOf(4).equals(sfcc.onHand(OCI_LOCATION, sku)));
    }

    private long events(String type, String orderNo) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE event_type = ? AND partition_key = ?", Long.class,
                type, "sfcc-demo:" + orderNo);
    }

    /** [numerator, denominator] of inventory_deflection_rate for channel sfcc over the period; [0, 0] when it has none. */
    private long[] deflection(String from, String to) {
        HttpApi.Reply r = api.get("/api/v1/metrics?from=" + from + "&to=" + to, KEY);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        for (JsonNode m : r.json().get("metrics")) {
            if (m.get("name").asText().equals("inventory_deflection_rate")) {
                JsonNode sfccShare = m.at("/byChannel/sfcc");
                return sfccShare.isMissingNode() ? new long[] {0, 0}
                        : new long[] {sfccShare.path("numerator").asLong(), sfccShare.path("denominator").asLong()};
            }
        }
        throw new AssertionError("no metric inventory_deflection_rate in " + r.body());
    }
}
