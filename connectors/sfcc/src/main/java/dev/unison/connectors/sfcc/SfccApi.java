package dev.unison.connectors.sfcc;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.auth.ClientCredentials;
import dev.unison.connectors.kit.auth.CredentialsRefused;
import dev.unison.connectors.kit.http.ApiClient;
import dev.unison.connectors.kit.http.FeedbackRateLimiter;
import dev.unison.connectors.kit.pull.TryLater;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One connection's calls to one SFCC API family (SCAPI orders and customers, or Omnichannel
 * Inventory), all through one kit {@link ApiClient} (paced, circuit breaker, 429/5xx backoff never
 * under {@code Retry-After}) with Account Manager bearer tokens ({@link ClientCredentials}, shared by
 * every API of the connection). A 401/403 invalidates the token and the call is made once more
 * with a fresh one; refused again, the credentials are refused for good ({@link CredentialsRefused}).
 *
 * <p>Load shedding ("B2C Commerce API: Rate limits", load shedding): answers carry {@code sfdc_load}
 * (a percentage) and {@code sfdc_load_status}; at {@code WARN} (80 %) the pace drops to half, at
 * {@code THROTTLE} (90 %, a share of requests answered 503) to a quarter, and back once the status is
 * gone — slowing down before the limit instead of discovering it. See {@link LoadPacer}.
 */
final class SfccApi {

    /** Money and quantities are JSON numbers in SCAPI: read them exactly, never through a double. */
    static final ObjectReader EXACT = CanonicalJson.mapper().reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /** What became of a call. */
    sealed interface Result {
        record Ok(int status, JsonNode body) implements Result {
        }

        record Later(String why, Optional<Duration> after) implements Result {
        }

        record Refused(int status, String reason) implements Result {
        }
    }

    private final ApiClient api;
    private final ClientCredentials tokens;
    private final LoadPacer pacer;
    private final AtomicInteger reauthorized = new AtomicInteger();
    private final String clientId;

    SfccApi(ApiClient api, ClientCredentials tokens, LoadPacer pacer, String clientId) {
        this.clientId = clientId;
        this.api = api;
        this.tokens = tokens;
        this.pacer = pacer;
    }

    ClientCredentials tokens() {
        return tokens;
    }

    LoadPacer pacer() {
        return pacer;
    }

    FeedbackRateLimiter limiter() {
        return api.limiter();
    }

    /** True when a call may go now (budget, circuit); keep the work queued otherwise. */
    boolean ready() {
        return api.ready(1);
    }

    /** How many times a refused token was renewed and the call made again. */
    int reauthorizations() {
        return reauthorized.get();
    }

    /** One call, JSON in and out; {@code body} null for a GET. */
    Result call(String what, String method, URI uri, String body) throws CredentialsRefused {
        for (int attempt = 0; ; attempt++) {
            String token;
            try {
                token = tokens.accessToken();
            } catch (IOException e) {
                return new Result.Later("token endpoint: " + e.getMessage(), Optional.empty());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result.Later("interrupted", Optional.empty());
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token).header("Accept", "application/json");
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
            }
            ApiClient.Outcome outcome = api.send(what, request.build(), 1);
            if (outcome instanceof ApiClient.Outcome.Answered answered) {
                try {
                    String text = answered.body();
                    return new Result.Ok(answered.status(), text == null || text.isBlank()
                            ? CanonicalJson.mapper().createObjectNode() : EXACT.readTree(text));
                } catch (IOException notJson) {
                    return new Result.Refused(answered.status(), "answer is not JSON: " + ApiClient.abbreviate(answered.body()));
                }
            }
            if (outcome instanceof ApiClient.Outcome.Unauthorized unauthorized) {
                if (attempt > 0) {
                    throw new CredentialsRefused("SFCC refused a fresh token of client " + clientLabel() + " (HTTP "
                            + unauthorized.status() + ")");
                }
                tokens.invalidate(token); // expired or revoked: one fresh token, one more try
                reauthorized.incrementAndGet();
                continue;
            }
            if (outcome instanceof ApiClient.Outcome.Refused refused) {
                return new Result.Refused(refused.status(), refused.reason());
            }
            ApiClient.Outcome.Later later = (ApiClient.Outcome.Later) outcome;
            return new Result.Later(later.why(), Optional.of(api.limiter().waitFor(1)));
        }
    }

    /**
     * For pulls: waits (briefly) for the budget, then calls; {@link TryLater} when the API asked to
     * wait, an {@link IOException} when it refused the request itself.
     */
    JsonNode pull(String what, String method, URI uri, String body) throws CredentialsRefused, TryLater, IOException,
            InterruptedException {
        Duration wait = api.limiter().waitFor(1);
        if (wait.compareTo(Duration.ofSeconds(5)) > 0) {
            throw new TryLater("SFCC budget exhausted for " + what, Optional.of(wait));
        }
        if (!wait.isZero()) {
            Thread.sleep(wait.toMillis() + 1);
        }
        Result result = call(what, method, uri, body);
        if (result instanceof Result.Ok ok) {
            return ok.body();
        }
        if (result instanceof Result.Later later) {
            throw new TryLater("SFCC " + what + ": " + later.why(), later.after());
        }
        Result.Refused refused = (Result.Refused) result;
        throw new IOException("SFCC " + what + " refused: " + refused.reason());
    }

    private String clientLabel() {
        return clientId;
    }
}
