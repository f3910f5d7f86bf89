package dev.unison.connectors.tiktok;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.tiktok.simulator.TikTokShopSimulator;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;

/**
 * The connector's TikTok Shop signing against the simulator's independent verifier: whatever the
 * path, query and body, a request the connector signs is accepted; any tampering is refused.
 */
class TikTokSignatureTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC);
    private static final TikTokShopSimulator VERIFIER =
            new TikTokShopSimulator(0, "app-key", "app-secret", "access-token", "cipher", CLOCK);
    private static final TikTokRequestSigner SIGNER =
            new TikTokRequestSigner("app-key", "app-secret", () -> "access-token", "cipher", CLOCK);

    @Test
    void matchesTheDocumentedAlgorithmOnAFixedVector() {
        // computed independently (Python hmac) from the algorithm in TikTok's partner docs
        Map<String, String> query = new LinkedHashMap<>();
        query.put("app_key", "k");
        query.put("timestamp", "1700000000");
        query.put("shop_cipher", "c");
        query.put("access_token", "x");
        query.put("sign", "y");
        query.put("empty", "");
        assertThat(TikTokSignature.sign("secret", "POST", "/product/202309/products/1/inventory/update", query, "{\"a\":1}"))
                .isEqualTo("cc0d60f65d45729750b3b0173ad2601554d6b64197e77ecb198d09b5db1f1ac6");
        assertThat(TikTokSignature.webhookSignature("k", "secret", "{\"type\":1}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("37befed8f69da81ccfb56183009e5cf3e1c3d7b16939b278ae5c6e688cdaa653");
        assertThat(TikTokSignature.verifyWebhook("k", "secret", "{\"type\":1}".getBytes(StandardCharsets.UTF_8),
                "37befed8f69da81ccfb56183009e5cf3e1c3d7b16939b278ae5c6e688cdaa653")).isTrue();
        assertThat(TikTokSignature.verifyWebhook("k", "secret", "{\"type\":2}".getBytes(StandardCharsets.UTF_8),
                "37befed8f69da81ccfb56183009e5cf3e1c3d7b16939b278ae5c6e688cdaa653")).isFalse();
    }

    record Call(String path, Map<String, String> query, String body) {
    }

    @Provide
    Arbitrary<Call> calls() {
        Arbitrary<String> segment = Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(1).ofMaxLength(10);
        Arbitrary<String> path = segment.list().ofMinSize(1).ofMaxSize(4).map(s -> "/" + String.join("/", s));
        Arbitrary<String> key = Arbitraries.strings().withCharRange('a', 'z').withChars('_').ofMinLength(1).ofMaxLength(8)
                .filter(k -> !List.of("app_key", "timestamp", "shop_cipher", "sign", "access_token").contains(k));
        Arbitrary<String> value = Arbitraries.strings().alpha().numeric().withChars(' ', '-', '_', ',', ':', '/', '+', '&', '=')
                .ofMinLength(0).ofMaxLength(12);
        Arbitrary<Map<String, String>> query = Arbitraries.maps(key, value).ofMaxSize(5);
        Arbitrary<String> body = Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.strings().all().ofMaxLength(200).filter(s -> !s.isEmpty()));
        return Combinators.combine(path, query, body).as(Call::new);
    }

    private static SimRequest signed(Call call) {
        StringBuilder q = new StringBuilder();
        call.query().forEach((k, v) -> q.append(q.length() == 0 ? "" : "&").append(k).append('=')
                .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
        URI uri = URI.create("http://127.0.0.1:1" + call.path() + (q.length() == 0 ? "" : "?" + q));
        byte[] body = call.body().getBytes(StandardCharsets.UTF_8);
        HttpRequest request = SIGNER.sign(HttpRequest.newBuilder(uri), uri, body).GET().build();
        return new SimRequest(body.length == 0 ? "GET" : "POST", request.uri().getRawPath(), request.uri().getRawQuery(),
                Map.of("x-tts-access-token", request.headers().allValues(TikTokRequestSigner.ACCESS_TOKEN_HEADER)),
                body, CLOCK.instant(), null);
    }

    @Property(tries = 500)
    void everyRequestTheConnectorSignsIsAcceptedByTheSimulatorsVerifier(@ForAll("calls") Call call) {
        assertThat(VERIFIER.refusal(signed(call), true)).isNull();
    }

    @Property(tries = 300)
    void tamperingWithTheBodyOrQueryIsRefused(@ForAll("calls") Call call) {
        SimRequest good = signed(call);
        SimRequest otherBody = new SimRequest("POST", good.path(), good.query(), good.headers(),
                (call.body() + "x").getBytes(StandardCharsets.UTF_8), good.receivedAt(), null);
        SimRequest otherQuery = new SimRequest(good.method(), good.path(), good.query() + "&zz=1", good.headers(),
                good.body(), good.receivedAt(), null);
        SimRequest otherPath = new SimRequest(good.method(), good.path() + "x", good.query(), good.headers(),
                good.body(), good.receivedAt(), null);

        assertThat(VERIFIER.refusal(otherBody, true)).startsWith(String.valueOf(TikTokShopSimulator.INVALID_SIGN));
        assertThat(VERIFIER.refusal(otherQuery, true)).startsWith(String.valueOf(TikTokShopSimulator.INVALID_SIGN));
        assertThat(VERIFIER.refusal(otherPath, true)).startsWith(String.valueOf(TikTokShopSimulator.INVALID_SIGN));
    }

    @Test
    void aStaleTimestampAMissingTokenAndAnotherShopAreRefused() {
        Call call = new Call("/order/202309/orders", Map.of("ids", "576461413038785752"), "");
        SimRequest good = signed(call);
        TikTokRequestSigner late = new TikTokRequestSigner("app-key", "app-secret", () -> "access-token", "cipher",
                Clock.offset(CLOCK, java.time.Duration.ofMinutes(-10)));
        URI uri = URI.create("http://127.0.0.1:1/order/202309/orders?ids=1");
        HttpRequest stale = late.sign(HttpRequest.newBuilder(uri), uri, new byte[0]).GET().build();

        assertThat(VERIFIER.refusal(new SimRequest("GET", stale.uri().getRawPath(), stale.uri().getRawQuery(),
                Map.of("x-tts-access-token", List.of("access-token")), new byte[0], CLOCK.instant(), null), true))
                .startsWith(String.valueOf(TikTokShopSimulator.EXPIRED_TIMESTAMP));
        assertThat(VERIFIER.refusal(new SimRequest("GET", good.path(), good.query(), Map.of(), good.body(),
                good.receivedAt(), null), true)).startsWith(String.valueOf(TikTokShopSimulator.MISSING_TOKEN));
        TikTokShopSimulator otherShop = new TikTokShopSimulator(0, "app-key", "app-secret", "access-token", "other", CLOCK);
        assertThat(otherShop.refusal(good, true)).startsWith(String.valueOf(TikTokShopSimulator.WRONG_SHOP));
    }

    @Test
    void overHttpASignedCallIsAnsweredAndABadlySignedOneGetsTheErrorEnvelope() throws Exception {
        try (TikTokShopSimulator shop = new TikTokShopSimulator(0, "app-key", "app-secret", "access-token", "cipher",
                Clock.systemUTC())) {
            shop.start();
            TikTokRequestSigner now = new TikTokRequestSigner("app-key", "app-secret", () -> "access-token", "cipher",
                    Clock.systemUTC());
            TikTokRequestSigner wrongSecret = new TikTokRequestSigner("app-key", "not-the-secret", () -> "access-token",
                    "cipher", Clock.systemUTC());
            var product = shop.newProduct("Shoe", "SHOE-42");
            URI uri = URI.create(shop.baseUrl() + "/product/202309/products/" + product.get("id").asText() + "/inventory/update");
            byte[] body = ("{\"skus\":[{\"id\":\"" + product.get("skus").get(0).get("id").asText()
                    + "\",\"inventory\":[{\"warehouse_id\":\"7068517275539719942\",\"quantity\":3}]}]}")
                    .getBytes(StandardCharsets.UTF_8);
            var http = java.net.http.HttpClient.newHttpClient();

            var ok = http.send(now.sign(HttpRequest.newBuilder(uri), uri, body)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            var refused = http.send(wrongSecret.sign(HttpRequest.newBuilder(uri), uri, body)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());

            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).contains("\"code\":0").contains("\"request_id\"");
            assertThat(shop.available("SHOE-42", TikTokShopSimulator.DEFAULT_WAREHOUSE_ID)).isEqualTo(3);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.body()).contains("\"code\":" + TikTokShopSimulator.INVALID_SIGN).contains("\"request_id\"");
        }
    }
}
