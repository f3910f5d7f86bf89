package dev.unison.connectors.square;

import static org.assertj.core.api.Assertions.assertThat;

import com.squareup.square.utilities.WebhooksHelper;
import dev.unison.connectors.square.simulator.SquareSimulator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Our signing and verifying agree with Square's own Java SDK (com.squareup:square 47.1.0.20260819,
 * {@code WebhooksHelper.verifySignature(requestBody, signatureHeader, signatureKey, notificationUrl)}):
 * what the simulator signs, Square's helper accepts, and what Square's helper accepts, our
 * receiver's check accepts; a wrong URL or key is refused by both.
 */
class SquareSdkCompatibilityTest {

    @Test
    void squaresHelperAcceptsTheSimulatorsSignaturesAndRefusesWrongUrlOrKey() {
        SquareSimulator square = SquareTestSupport.simulator();
        try {
            SquareSimulator.Notification n = square.refundCreated("ORDER1", 1250, "USD");
            String signature = square.headers(n, SquareTestSupport.NOTIFICATION_URL, SquareTestSupport.KEY)
                    .get("x-square-hmacsha256-signature");

            assertThat(WebhooksHelper.verifySignature(n.bodyText(), signature, SquareTestSupport.KEY,
                    SquareTestSupport.NOTIFICATION_URL)).isTrue();
            assertThat(WebhooksHelper.verifySignature(n.bodyText(), signature, SquareTestSupport.KEY,
                    "http://127.0.0.1:8080/webhooks/square/pos-main")).isFalse();
            assertThat(WebhooksHelper.verifySignature(n.bodyText(), signature, "another-key",
                    SquareTestSupport.NOTIFICATION_URL)).isFalse();
        } finally {
            square.close();
        }
    }

    @Test
    void whatSquaresHelperAcceptsOurReceiversCheckAccepts() {
        // Square's SDK test vector: accepted by Square's helper...
        assertThat(WebhooksHelper.verifySignature(SquareSignatureTest.BODY, SquareSignatureTest.SIGNATURE,
                SquareSignatureTest.KEY, SquareSignatureTest.URL)).isTrue();
        // ...and by ours, on the raw bytes
        assertThat(SquareSignature.verify(SquareSignatureTest.KEY, SquareSignatureTest.URL,
                SquareSignatureTest.BODY.getBytes(StandardCharsets.UTF_8), SquareSignatureTest.SIGNATURE)).isTrue();
    }

    @Test
    void squaresHelperAndOursAgreeOnSignaturesOurSignerMakes() {
        String body = "{\"merchant_id\":\"" + SquareTestSupport.MERCHANT + "\",\"type\":\"customer.created\","
                + "\"event_id\":\"6a8f5f28-54a1-4eb0-a98a-3111513fd4fc\",\"created_at\":\"2026-03-01T10:15:00.123Z\","
                + "\"data\":{\"type\":\"customer\",\"id\":\"JDKYHBWT1D4F8MFH63DBMEN8Y4\","
                + "\"object\":{\"customer\":{\"id\":\"JDKYHBWT1D4F8MFH63DBMEN8Y4\",\"given_name\":\"Zoë\"}}}}";
        String ours = SquareSignature.sign(SquareTestSupport.KEY, SquareTestSupport.NOTIFICATION_URL,
                body.getBytes(StandardCharsets.UTF_8));
        assertThat(WebhooksHelper.verifySignature(body, ours, SquareTestSupport.KEY, SquareTestSupport.NOTIFICATION_URL)).isTrue();
    }
}
