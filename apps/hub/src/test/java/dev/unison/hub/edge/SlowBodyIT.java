package dev.unison.hub.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import dev.unison.hub.support.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Issue 15 finding 6: 300 clients trickling request bodies (Content-Length 1000, one byte every
 * two seconds) neither block a normal client (each of its requests answers within 2 s, a
 * correctness bound) nor stay connected: each is cut with 408 once the body deadline (10 s in the
 * test hub) passes. Health reports the trickling while it happens.
 */
@EmbeddedHub
class SlowBodyIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;
    static final int TRICKLERS = 300;

    @LocalServerPort
    int port;
    String base;
    final HttpClient client = HttpClient.newHttpClient();

    @Test
    void tricklingClientsDoNotStarveTheApiAndAreCutWith408() throws Exception {
        HttpApi api = new HttpApi(port);
        base = "http://localhost:" + port;
        assertThat(timed(HttpRequest.newBuilder(URI.create(base + "/api/v1/events/warm-up"))).statusCode())
                .isEqualTo(404); // the client's connection, warm code
        List<Socket> tricklers = new ArrayList<>();
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        try {
            byte[] head = ("POST /api/v1/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < TRICKLERS; i++) {
                Socket s = RawHttp.open(null, port);
                s.getOutputStream().write(head);
                s.getOutputStream().flush();
                tricklers.add(s);
            }
            drip.scheduleAtFixedRate(() -> {
                for (Socket s : tricklers) {
                    try {
                        s.getOutputStream().write(' ');
                        s.getOutputStream().flush();
                    } catch (IOException cut) {
                        // the server closed it: expected once the deadline passes
                    }
                }
            }, 2, 2, TimeUnit.SECONDS);

            // let them all get in (headers sent, bodies being read): the hub counts them; at most 5 s
            // (without the body deadline filter nothing counts them, and the wait just ends)
            long settle = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (metric(api, "unison.http.bodies.reading") < TRICKLERS && System.nanoTime() < settle) {
                Thread.sleep(100);
            }

            // while they trickle, a normal client is served promptly, reads and writes
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            int served = 0;
            while (System.nanoTime() < until) {
                long started = System.nanoTime();
                HttpResponse<String> read = timed(HttpRequest.newBuilder(URI.create(base + "/api/v1/events/none-" + served)));
                long readMillis = (System.nanoTime() - started) / 1_000_000;
                started = System.nanoTime();
                HttpResponse<String> write = timed(HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                                "{\"type\":\"commerce.item.upserted.v1\",\"id\":\"slow-" + System.nanoTime()
                                        + "\",\"data\":{\"sku\":\"SLOW-1\",\"title\":\"Shoe\"}}")));
                long writeMillis = (System.nanoTime() - started) / 1_000_000;
                assertThat(read.statusCode()).isEqualTo(404);
                assertThat(write.statusCode()).as(write.body()).isEqualTo(202);
                assertThat(readMillis).as("a GET while %d clients trickle", TRICKLERS).isLessThan(2000);
                assertThat(writeMillis).as("a POST while %d clients trickle", TRICKLERS).isLessThan(2000);
                served++;
            }
            assertThat(served).isPositive();

            // health says so while it happens (slow: > 2 s; at least 10 of them)
            HttpApi.Reply health = api.get("/actuator/health", null);
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json().at("/components/httpEdge/status").asText()).isEqualTo("DEGRADED");
            assertThat(health.json().get("status").asText()).isEqualTo("DEGRADED");
            assertThat(metric(api, "unison.http.bodies.slow")).isGreaterThanOrEqualTo(10);

            // every trickler is cut: 408 with the JSON body, then the connection closes
            int timedOut = 0;
            for (Socket s : tricklers) {
                s.setSoTimeout(20_000);
                String answer = readAll(s.getInputStream());
                assertThat(answer).startsWith("HTTP/1.1 408");
                assertThat(answer).contains("\"error\":\"request_timeout\"");
                timedOut++;
            }
            assertThat(timedOut).isEqualTo(TRICKLERS);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                HttpApi.Reply after = api.get("/actuator/health", null);
                assertThat(after.json().at("/components/httpEdge/status").asText()).isEqualTo("UP");
                assertThat(metric(api, "unison.http.bodies.timed.out")).isGreaterThanOrEqualTo(TRICKLERS);
            });
        } finally {
            drip.shutdownNow();
            for (Socket s : tricklers) {
                s.close();
            }
        }
    }

    /** A request of the normal client; one that is not answered in 10 s fails as starved. */
    private HttpResponse<String> timed(HttpRequest.Builder request) {
        try {
            return client.send(request.header("Authorization", "Bearer " + KEY).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new AssertionError("a normal request got no answer within 10 s: the trickling clients starve the API", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static double metric(HttpApi api, String name) {
        return api.get("/actuator/metrics/" + name, null).json().at("/measurements/0/value").asDouble();
    }

    /** Everything until the server closes the connection (a trickler's answer is its last). */
    private static String readAll(InputStream in) throws IOException {
        try {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server neither answered nor closed a trickling connection", e);
        }
    }
}
