package dev.unison.hub.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import dev.unison.hub.support.RawHttp;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Issue 15 "HTTP edge": per-partner rate limit (429 + Retry-After) and failed-authentication
 * throttling per client address. The shared test hub gives the partner named
 * {@link EmbeddedHub#RATE_LIMITED_PARTNER} 2 requests per second with a burst of 3; the
 * throttling runs on its defaults (20 invalid keys in a minute block the address for a minute),
 * from 127.0.0.2 so no other test's client (127.0.0.1) is ever blocked.
 */
@EmbeddedHub
class RateLimitIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;
    static final String ATTACKER = "127.0.0.2";

    @LocalServerPort
    int port;
    HttpApi api;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
    }

    private RawHttp.Response getFrom(String address, String key) {
        return RawHttp.exchange(address, port, "GET /api/v1/events/none HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer " + key + "\r\nConnection: close\r\n\r\n");
    }

    @Test
    void aPartnerOverItsRateGets429WithRetryAfterAndOthersAreNotSlowed() throws Exception {
        HttpApi.Reply created = api.post("/api/v1/admin/partners", KEY,
                "{\"name\":\"" + EmbeddedHub.RATE_LIMITED_PARTNER + "\",\"scopes\":[\"events:read\"]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String limitedKey = created.json().get("apiKey").asText();

        List<HttpApi.Reply> replies = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            replies.add(api.get("/api/v1/events/none", limitedKey));
        }
        assertThat(replies.subList(0, 3)).allSatisfy(r -> assertThat(r.status()).isEqualTo(404));
        HttpApi.Reply limited = replies.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
        assertThat(replies.stream().filter(r -> r.status() == 429).count()).isGreaterThanOrEqualTo(3);
        assertThat(limited.json().get("error").asText()).isEqualTo("rate_limited");
        assertThat(limited.json().get("detail").asText()).contains("2 requests per second");
        long retryAfter = Long.parseLong(limited.raw().headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 2L);

        // another partner (the bootstrap one) is not affected
        assertThat(api.get("/api/v1/events/none", KEY).status()).isEqualTo(404);

        // served again once Retry-After has passed (not polled before it: that would spend tokens)
        org.awaitility.Awaitility.await().pollDelay(java.time.Duration.ofMillis(retryAfter * 1000 + 100))
                .atMost(java.time.Duration.ofSeconds(retryAfter + 5))
                .until(() -> api.get("/api/v1/events/none", limitedKey).status() == 404);
        assertThat(api.get("/actuator/metrics/unison.api.rate.limited", null).json().at("/measurements/0/value").asDouble())
                .isGreaterThanOrEqualTo(3);
    }

    @Test
    void repeatedInvalidKeysBlockThatAddressOnlyAndNeverAnotherClientsValidKey() {
        for (int i = 0; i < 20; i++) {
            RawHttp.Response r = getFrom(ATTACKER, "unison_guess-" + i);
            assertThat(r.status()).as("attempt %d: %s", i, r.body()).isEqualTo(401);
        }

        RawHttp.Response blocked = getFrom(ATTACKER, "unison_guess-21");
        assertThat(blocked.status()).isEqualTo(429);
        assertThat(blocked.json().get("error").asText()).isEqualTo("too_many_failed_authentications");
        assertThat(Long.parseLong(blocked.header("Retry-After"))).isBetween(1L, 60L);
        // while blocked, even a valid key from that address is refused: guessing stops paying
        assertThat(getFrom(ATTACKER, KEY).status()).isEqualTo(429);

        // another client's valid key works, and its own wrong key is a plain 401
        assertThat(getFrom("127.0.0.1", KEY).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/events/none", KEY).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/events/none", "unison_typo").status()).isEqualTo(401);
    }
}
