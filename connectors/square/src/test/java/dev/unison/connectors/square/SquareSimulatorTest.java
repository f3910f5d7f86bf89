package dev.unison.connectors.square;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.square.simulator.SquareSimulator;
import dev.unison.connectors.square.simulator.SquareSimulator.Line;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulator keeps Square's contract: bearer auth, error shape, order reads, notifications signed as Square signs them. */
class SquareSimulatorTest {

    private SquareSimulator square;
    /** Stands for the hub's door: records what reaches it and answers as the receiver's signature check would. */
    private SquareSimulator door;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        square = SquareTestSupport.simulator();
        door = new SquareSimulator(0, "X", "X", "X", "https://x.example", java.time.Clock.systemUTC()) {
            {
                route("POST", "/webhooks/square/pos-main", request -> dev.unison.connectors.kit.simulator.SimResponse.json(
                        SquareSignature.verify(SquareTestSupport.KEY, SquareTestSupport.NOTIFICATION_URL, request.body(),
                                request.header("x-square-hmacsha256-signature")) ? 200 : 401, "{}"));
            }
        };
        door.start();
    }

    @AfterEach
    void stop() {
        square.close();
        door.close();
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(square.baseUrl() + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aWrongOrMissingTokenGets401InSquaresErrorShape() throws Exception {
        for (String token : new String[] {"wrong", null}) {
            HttpResponse<String> refused = get("/v2/merchants/me", token);
            assertThat(refused.statusCode()).isEqualTo(401);
            JsonNode error = CanonicalJson.parse(refused.body()).get("errors").get(0);
            assertThat(error.get("category").asText()).isEqualTo("AUTHENTICATION_ERROR");
            assertThat(error.get("code").asText()).isEqualTo("UNAUTHORIZED");
        }
        HttpResponse<String> merchant = get("/v2/merchants/me", SquareTestSupport.TOKEN);
        assertThat(merchant.statusCode()).isEqualTo(200);
        assertThat(CanonicalJson.parse(merchant.body()).get("merchant").get("id").asText()).isEqualTo(SquareTestSupport.MERCHANT);
    }

    @Test
    void ordersAreReadWholeWhileTheirNotificationsCarryOnlyASummary() throws Exception {
        String tee = square.newVariation("Tee", "TEE-1", 2500);
        ObjectNode order = square.newOrder(SquareSimulator.STORE_LOCATION_ID, "OPEN", null, new Line(tee, "2", 2500));
        String id = order.get("id").asText();

        JsonNode read = CanonicalJson.parse(get("/v2/orders/" + id, SquareTestSupport.TOKEN).body()).get("order");
        assertThat(read.get("line_items").get(0).get("quantity").asText()).isEqualTo("2");
        assertThat(read.get("total_money").get("amount").asLong()).isEqualTo(5000);
        assertThat(get("/v2/orders/NOSUCHORDER", SquareTestSupport.TOKEN).statusCode()).isEqualTo(404);
        JsonNode variation = CanonicalJson.parse(get("/v2/catalog/object/" + tee, SquareTestSupport.TOKEN).body()).get("object");
        assertThat(variation.get("item_variation_data").get("sku").asText()).isEqualTo("TEE-1");

        JsonNode notification = CanonicalJson.parse(square.orderNotification("order.created", order).body());
        assertThat(notification.get("merchant_id").asText()).isEqualTo(SquareTestSupport.MERCHANT);
        assertThat(notification.get("data").get("object").get("order_created").get("order_id").asText()).isEqualTo(id);
        assertThat(notification.get("data").get("object").get("order_created").has("line_items")).isFalse();
    }

    @Test
    void notificationsAreSignedForTheSubscriptionsUrlWhereverTheyArePosted() {
        SquareSimulator.Notification n = square.refundCreated("ORDER1", 1250, "USD");
        String target = door.baseUrl() + "/webhooks/square/pos-main"; // not the URL the subscription names

        assertThat(square.send(target, n)).isEqualTo(200);
        SimRequest received = door.receivedOn("POST", "/webhooks/square/pos-main").get(0);
        assertThat(received.header("x-square-hmacsha256-signature"))
                .isEqualTo(SquareSimulator.sign(SquareTestSupport.KEY, SquareTestSupport.NOTIFICATION_URL, n.bodyText()));
        assertThat(received.body()).isEqualTo(n.body());
    }

    @Test
    void aSignatureMadeWithAWrongUrlOrKeyIsOneTheReceiverRefuses() {
        SquareSimulator.Notification n = square.refundCreated("ORDER1", 1250, "USD");
        String target = door.baseUrl() + "/webhooks/square/pos-main";

        assertThat(List.of(
                square.sendSignedWith(target, n, target, SquareTestSupport.KEY), // the address posted to
                square.sendSignedWith(target, n, "https://hooks.example-retail.com/webhooks/square/other", SquareTestSupport.KEY),
                square.sendSignedWith(target, n, SquareTestSupport.NOTIFICATION_URL, "another-key"),
                square.sendBadlySigned(target, n)))
                .containsOnly(401);
    }
}
