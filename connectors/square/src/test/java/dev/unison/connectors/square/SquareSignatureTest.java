package dev.unison.connectors.square;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.connectors.square.simulator.SquareSimulator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Square's signature against the published test vector of Square's own SDK tests (a notification
 * the Square Developer Console sent to a webhook.site subscription; square-java-sdk,
 * WebhooksHelperTest), and what must be refused.
 */
class SquareSignatureTest {

    static final String BODY = "{\"merchant_id\":\"MLEFBHHSJGVHD\",\"type\":\"webhooks.test_notification\","
            + "\"event_id\":\"ac3ac95b-f97d-458c-a6e6-18981597e05f\",\"created_at\":\"2022-07-13T20:30:59.037339943Z\","
            + "\"data\":{\"type\":\"webhooks\",\"id\":\"bc368e64-01aa-407e-b46e-3231809b1129\"}}";
    static final String URL = "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9";
    static final String KEY = "Ibxx_5AKakO-3qeNVR61Dw";
    static final String SIGNATURE = "GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4=";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void squaresPublishedVectorVerifiesAndIsWhatBothSignersProduce() {
        assertThat(SquareSignature.verify(KEY, URL, bytes(BODY), SIGNATURE)).isTrue();
        assertThat(SquareSignature.sign(KEY, URL, bytes(BODY))).isEqualTo(SIGNATURE);
        assertThat(SquareSimulator.sign(KEY, URL, BODY)).isEqualTo(SIGNATURE);
    }

    @Test
    void anyOtherUrlKeyOrBodyIsRefused() {
        // Square's SDK test: the same URL with one character missing
        assertThat(SquareSignature.verify(KEY, "https://webhook.site/79a4f3a-dcfa-49ee-bac5-9d0edad886b9", bytes(BODY), SIGNATURE)).isFalse();
        // the address a proxy forwarded to, a trailing slash, another scheme: only the subscription's exact URL verifies
        assertThat(SquareSignature.verify(KEY, "http://127.0.0.1:8080/webhooks/square/pos-main", bytes(BODY), SIGNATURE)).isFalse();
        assertThat(SquareSignature.verify(KEY, URL + "/", bytes(BODY), SIGNATURE)).isFalse();
        assertThat(SquareSignature.verify(KEY, URL.replace("https", "http"), bytes(BODY), SIGNATURE)).isFalse();
        assertThat(SquareSignature.verify("MCmhFRxGX82xMwg5FsaoQA", URL, bytes(BODY), SIGNATURE)).isFalse();
        // the same JSON re-formatted is another body: verification is on the raw bytes
        assertThat(SquareSignature.verify(KEY, URL, bytes(BODY.replace(",", ", ")), SIGNATURE)).isFalse();
        assertThat(SquareSignature.verify(KEY, URL, bytes(BODY.replace("2022-07-13", "2022-06-13")), SIGNATURE)).isFalse();
    }

    @Test
    void aMissingOrMalformedSignatureIsRefusedWithoutAnError() {
        assertThat(SquareSignature.verify(KEY, URL, bytes(BODY), null)).isFalse();
        assertThat(SquareSignature.verify(KEY, URL, bytes(BODY), "")).isFalse();
        assertThat(SquareSignature.verify(KEY, URL, bytes(BODY), "not base64 at all!")).isFalse();
        assertThat(SquareSignature.verify(KEY, URL, bytes(BODY), "1z2n3DEJJiUPKcPzQo1ftvbxGdw=")).isFalse();
    }

    @Test
    void aBodyWithNonAsciiTextIsSignedOnItsUtf8Bytes() {
        String body = "{\"merchant_id\":\"MLEFBHHSJGVHD\",\"data\":{\"object\":{\"customer\":{\"given_name\":\"Zoë\"}}}}";
        String signed = SquareSimulator.sign(KEY, URL, body);
        assertThat(SquareSignature.verify(KEY, URL, bytes(body), signed)).isTrue();
    }
}
