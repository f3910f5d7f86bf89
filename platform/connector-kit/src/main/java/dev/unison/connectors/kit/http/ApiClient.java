package dev.unison.connectors.kit.http;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import dev.unison.connectors.kit.log.LogSafe;
import dev.unison.connectors.kit.spi.ConnectionMetrics;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's HTTP API, shared by everything a connector sends there so that all calls draw
 * on one budget: paced by a {@link FeedbackRateLimiter}, guarded by the connection's circuit
 * breaker, 429 waited out ({@code Retry-After}, RFC 9110 §10.2.3), 5xx and network errors backed
 * off with jitter ({@link RetryPolicy}). It classifies each answer so that connectors only decide
 * what a successful body means:
 * <ul>
 * <li>{@link Outcome.Answered}: 2xx (the body may still carry the API's own errors);</li>
 * <li>{@link Outcome.Later}: nothing applied, send the same work again (throttled, 5xx, network);</li>
 * <li>{@link Outcome.Unauthorized}: the credentials were refused (the statuses given at
 *     construction); the work is not at fault and must wait, or the connector refreshes its token;</li>
 * <li>{@link Outcome.Refused}: any other 4xx: the API rejected the request for good; dead-letter it.</li>
 * </ul>
 */
public final class ApiClient {

    private static final Logger LOG = LoggerFactory.getLogger(ApiClient.class);

    /** What became of a call. */
    public sealed interface Outcome {
        record Answered(int status, String body) implements Outcome {
        }

        record Later(String why) implements Outcome {
        }

        record Unauthorized(int status, String body) implements Outcome {
        }

        record Refused(int status, String reason) implements Outcome {
        }
    }

    private final String connectionId;
    private final String system;
    private final HttpClient http;
    private final CircuitBreaker breaker;
    private final ConnectionMetrics metrics;
    private final FeedbackRateLimiter limiter;
    private final Set<Integer> credentialStatuses;
    private final Clock clock;
    private final RetryPolicy retry = RetryPolicy.defaults();
    private int failedAttempts;

    /**
     * @param system             the API's name in messages (e.g. "Shopify")
     * @param credentialStatuses statuses meaning "your credentials or account", not "your request"
     */
    public ApiClient(String connectionId, String system, HttpClient http, CircuitBreaker breaker,
            ConnectionMetrics metrics, FeedbackRateLimiter limiter, Set<Integer> credentialStatuses, Clock clock) {
        this.connectionId = connectionId;
        this.system = system;
        this.http = http;
        this.breaker = breaker;
        this.metrics = metrics;
        this.limiter = limiter;
        this.credentialStatuses = Set.copyOf(credentialStatuses);
        this.clock = clock;
    }

    public FeedbackRateLimiter limiter() {
        return limiter;
    }

    /** True when a call of this cost may go now (budget and circuit); keep the work queued otherwise. */
    public synchronized boolean ready(double cost) {
        return limiter.waitFor(cost).isZero() && breaker.getState() != CircuitBreaker.State.OPEN;
    }

    /** Sends one request; {@code what} names it in the connection's metrics (e.g. inventory_call). */
    public synchronized Outcome send(String what, HttpRequest request, double cost) {
        if (!breaker.tryAcquirePermission()) {
            return new Outcome.Later("circuit open");
        }
        limiter.reserve(cost);
        long started = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            breaker.onError(System.nanoTime() - started, TimeUnit.NANOSECONDS, e);
            metrics.count(connectionId, what, "network_error");
            return backOff(Optional.empty(), "network error: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            breaker.releasePermission();
            return new Outcome.Later("interrupted");
        }
        long elapsed = System.nanoTime() - started;
        int status = response.statusCode();
        Optional<Duration> retryAfter = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock);
        switch (RetryPolicy.classify(status)) {
            case RETRY -> {
                if (status == 429) {
                    breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS); // throttling is not an outage
                    metrics.count(connectionId, what, "rate_limited");
                    limiter.onRetryAfter(retryAfter.orElse(Duration.ofSeconds(2)));
                    return new Outcome.Later("HTTP 429");
                }
                breaker.onError(elapsed, TimeUnit.NANOSECONDS, new IOException("HTTP " + status));
                metrics.count(connectionId, what, "server_error");
                return backOff(retryAfter, "HTTP " + status);
            }
            case PERMANENT_FAILURE -> {
                if (credentialStatuses.contains(status)) {
                    breaker.onError(elapsed, TimeUnit.NANOSECONDS, new IOException("HTTP " + status));
                    metrics.count(connectionId, what, "unauthorized");
                    return new Outcome.Unauthorized(status, response.body());
                }
                breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                metrics.count(connectionId, what, "rejected");
                return new Outcome.Refused(status, system + " answered HTTP " + status + ": " + abbreviate(response.body()));
            }
            default -> {
                breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                failedAttempts = 0;
                return new Outcome.Answered(status, response.body());
            }
        }
    }

    /** Holds further calls back after a failure (exponential with jitter, never under {@code retryAfter}). */
    public synchronized Outcome.Later backOff(Optional<Duration> retryAfter, String why) {
        failedAttempts++;
        Duration wait = retry.delayAfter(Math.min(failedAttempts, 20), retryAfter);
        // why may quote the remote system's answer: escaped (LogSafe)
        LOG.warn("{} call for {} failed ({}); retrying in {} ms", system, connectionId, LogSafe.of(why, 600), wait.toMillis());
        limiter.onRetryAfter(wait);
        return new Outcome.Later(why);
    }

    public static String abbreviate(String text) {
        return text == null ? "" : text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }
}
