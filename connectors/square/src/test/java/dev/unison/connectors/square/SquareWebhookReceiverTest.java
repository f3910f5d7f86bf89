package dev.unison.connectors.square;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.squareup.square.utilities.WebhooksHelper;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.square.simulator.SquareSimulator;
import dev.unison.platform.testkit.MemoryConnectorContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The webhook door: Square's signature over the configured notification URL + raw body, then the
 * envelope and the merchant; a refused notification stores nothing, an accepted one is stored once
 * under its event_id.
 */
class SquareWebhookReceiverTest {

    private final CamelContext camel = new DefaultCamelContext();
    private SquareSimulator square;
    private MemoryConnectorContext context;
    private SquareWebhookReceiver receiver;

    @BeforeEach
    void start() {
        camel.start();
        square = SquareTestSupport.simulator();
        context = SquareTestSupport.context(square.baseUrl(), "");
        receiver = new SquareWebhookReceiver(context, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        square.close();
        camel.stop();
    }

    private record Answer(int status, JsonNode body) {
    }

    private Answer post(String connectionId, Map<String, String> headers, byte[] body) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getIn().setHeader("connectionId", connectionId);
        headers.forEach(exchange.getIn()::setHeader);
        exchange.getIn().setBody(body);
        receiver.process(exchange);
        return new Answer(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class),
                CanonicalJson.parse(exchange.getMessage().getBody(String.class)));
    }

    private Answer post(SquareSimulator.Notification n, String signedUrl, String key) {
        return post(SquareTestSupport.CONNECTION, square.headers(n, signedUrl, key), n.body());
    }

    private Answer post(SquareSimulator.Notification n) {
        return post(n, SquareTestSupport.NOTIFICATION_URL, SquareTestSupport.KEY);
    }

    @Test
    void aNotificationSignedForTheSubscriptionsUrlIsStoredOnceUnderItsEventId() {
        SquareSimulator.Notification n = square.refundCreated("ORDER1", 1250, "USD");

        Answer first = post(n);
        Answer again = post(n); // Square's retry of the same event

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body().get("status").asText()).isEqualTo("accepted");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().get("status").asText()).isEqualTo("duplicate");
        assertThat(context.stored).singleElement().satisfies(d -> {
            assertThat(d.dedupeKey()).isEqualTo("event:" + n.eventId());
            assertThat(d.messageType()).isEqualTo("refund.created");
            assertThat(d.body()).isEqualTo(n.body());
            assertThat(d.headers()).containsEntry("square-environment", "Sandbox");
        });
    }

    @Test
    void aSignatureForAnyOtherUrlIsRefusedWith401AndNothingIsStored() {
        SquareSimulator.Notification n = square.refundCreated("ORDER1", 1250, "USD");

        // the address the hub really listens on, as a proxy forwards to it: not what the subscription signs
        Answer local = post(n, "http://127.0.0.1:8080/webhooks/square/" + SquareTestSupport.CONNECTION, SquareTestSupport.KEY);
        Answer slash = post(n, SquareTestSupport.NOTIFICATION_URL + "/", SquareTestSupport.KEY);
        Answer otherKey = post(n, SquareTestSupport.NOTIFICATION_URL, "another-subscriptions-key");

        for (Answer answer : new Answer[] {local, slash, otherKey}) {
            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.body().get("error").asText()).isEqualTo("invalid_signature");
            assertThat(answer.body().get("detail").asText()).contains("x-square-hmacsha256-signature", "notificationUrl");
        }
        assertThat(context.stored).isEmpty();
        assertThat(context.counters).containsEntry("webhook/rejected_signature", 3L);
    }

    @Test
    void aMissingSignatureIsRefusedWith401() {
        SquareSimulator.Notification n = square.refundCreated("ORDER1", 1250, "USD");
        Answer answer = post(SquareTestSupport.CONNECTION, Map.of(), n.body());
        assertThat(answer.status()).isEqualTo(401);
        assertThat(context.stored).isEmpty();
    }

    @Test
    void aNotificationOfAnotherSellerIsRefusedEvenWhenSigned() {
        ObjectBody other = new ObjectBody("{\"merchant_id\":\"OTHERSELLER01\",\"type\":\"refund.created\","
                + "\"event_id\":\"0e7f4b7e-1d1c-4f5e-8b0a-9f6f1f1f1f1f\",\"created_at\":\"2026-03-01T10:15:00Z\",\"data\":{}}");
        Answer answer = post(SquareTestSupport.CONNECTION, Map.of("x-square-hmacsha256-signature",
                SquareSimulator.sign(SquareTestSupport.KEY, SquareTestSupport.NOTIFICATION_URL, other.text())), other.bytes());
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.body().get("error").asText()).isEqualTo("wrong_merchant");
        assertThat(context.stored).isEmpty();
    }

    @Test
    void aSignedBodyThatIsNoNotificationIsRefusedWith400() {
        for (String text : new String[] {"not json", "[1,2]", "{\"type\":\"refund.created\",\"merchant_id\":\"MLEFBHHSJGVHD\"}"}) {
            ObjectBody body = new ObjectBody(text);
            Answer answer = post(SquareTestSupport.CONNECTION, Map.of("x-square-hmacsha256-signature",
                    SquareSimulator.sign(SquareTestSupport.KEY, SquareTestSupport.NOTIFICATION_URL, text)), body.bytes());
            assertThat(answer.status()).as(text).isEqualTo(400);
        }
        assertThat(context.stored).isEmpty();
    }

    @Test
    void anUnknownConnectionIs404() {
        SquareSimulator.Notification n = square.refundCreated("ORDER1", 1250, "USD");
        assertThat(post("nobody", square.headers(n, SquareTestSupport.NOTIFICATION_URL, SquareTestSupport.KEY), n.body()).status())
                .isEqualTo(404);
    }

    @Test
    void aTypeTheConnectorDoesNotMapIsAcknowledgedAndKept() {
        SquareSimulator.Notification n = square.notification("invoice.published", "invoice", "INV1",
                CanonicalJson.parse("{\"invoice\":{\"id\":\"INV1\"}}"));
        assertThat(post(n).status()).isEqualTo(200);
        assertThat(context.stored).singleElement().satisfies(d -> assertThat(d.messageType()).isEqualTo("invoice.published"));
    }

    @Test
    void aNotificationSquaresSdkAcceptsOurReceiverAccepts() {
        // the SDK only verifies: sign by Square's published algorithm, prove the SDK accepts it, post it to our door
        SquareSimulator.Notification n = square.refundCreated("ORDER1", 1250, "USD");
        String signature = SquareSimulator.sign(SquareTestSupport.KEY, SquareTestSupport.NOTIFICATION_URL, n.bodyText());
        assertThat(WebhooksHelper.verifySignature(n.bodyText(), signature, SquareTestSupport.KEY,
                SquareTestSupport.NOTIFICATION_URL)).isTrue();

        Answer answer = post(SquareTestSupport.CONNECTION, Map.of("x-square-hmacsha256-signature", signature), n.body());

        assertThat(answer.status()).isEqualTo(200);
        assertThat(context.stored).hasSize(1);
    }

    private record ObjectBody(String text) {
        byte[] bytes() {
            return text.getBytes(StandardCharsets.UTF_8);
        }
    }
}
