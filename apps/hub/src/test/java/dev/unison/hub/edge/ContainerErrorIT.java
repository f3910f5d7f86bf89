package dev.unison.hub.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.hub.support.RawHttp;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Issue 15 finding 5: requests the servlet container itself refuses (before Spring or Camel run)
 * are answered with the hub's JSON error body, never Tomcat's HTML page. Sent over a raw socket:
 * {@code HttpClient} refuses to send most of them.
 */
@EmbeddedHub
class ContainerErrorIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;

    @LocalServerPort
    int port;

    private RawHttp.Response get(String target, String extraHeader) {
        String request = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + KEY + "\r\n"
                + (extraHeader == null ? "" : extraHeader + "\r\n") + "Connection: close\r\n\r\n";
        return RawHttp.exchange(null, port, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void assertJsonError(RawHttp.Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.body()).doesNotContainIgnoringCase("<html").doesNotContain("Tomcat").doesNotContain("Exception");
        JsonNode json = response.json();
        assertThat(json.get("error").asText()).isNotBlank();
        assertThat(json.get("detail").asText()).isNotBlank();
        assertThat(json.size()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/events/a%2Fb", "/api/v1/events/a%5Cb", "/api/v1/events/a%00b",
            "/api/v1/events/a%2fb%2e%2e%2f", "/api/v1/events/a\\b"})
    void anEncodedSlashBackslashOrNulInThePathIsAJson400(String target) {
        RawHttp.Response response = get(target, null);
        assertJsonError(response, 400);
        assertThat(response.json().get("error").asText()).isEqualTo("bad_request");
    }

    @Test
    void aTwentyKilobytePathIsAJsonError() {
        RawHttp.Response response = get("/api/v1/events/" + "a".repeat(20 * 1024), null);
        assertThat(response.status()).isBetween(400, 499);
        assertJsonError(response, response.status());
    }

    @Test
    void aNulInAHeaderIsAJson400() {
        assertJsonError(get("/api/v1/events/x", "X-Trace: a\u0000b"), 400);
    }

    @Test
    void headersOverTheLimitAreAJsonError() {
        RawHttp.Response response = get("/api/v1/events/x", "X-Big: " + "b".repeat(40 * 1024));
        assertThat(response.status()).isBetween(400, 499);
        assertJsonError(response, response.status());
    }

    @Test
    void aBrowserAskingForHtmlStillGetsJson() {
        RawHttp.Response response = get("/no/such/page", "Accept: text/html,application/xhtml+xml");
        assertJsonError(response, 404);
        assertThat(response.json().get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void aMalformedRequestLineIsAJson400() {
        RawHttp.Response response = RawHttp.exchange(null, port,
                "GET /api/v1/events/x y z HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertJsonError(response, 400);
    }
}
