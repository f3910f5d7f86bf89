package dev.unison.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.http.FeedbackRateLimiter;
import dev.unison.connectors.kit.http.RetryAfter;
import dev.unison.connectors.kit.http.RetryPolicy;
import dev.unison.connectors.kit.spi.ConnectionMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shop's Admin GraphQL endpoint, shared by everything the connector writes to that shop, so
 * that all writes draw on one cost budget. Pacing follows the shop's own
 * {@code extensions.cost.throttleStatus} (shopify.dev "GraphQL Admin API rate limits": standard
 * plan 2000 points restored at 100/s) with a reserve, so the bucket is never drawn dry; a
 * {@code THROTTLED} answer or a 429 is waited out ({@code Retry-After}); 5xx and network errors
 * back off with jitter behind the connection's circuit breaker.
 */
final class ShopifyAdminClient {

    private static final Logger LOG = LoggerFactory.getLogger(ShopifyAdminClient.class);
    /**
     * 401 (token revoked or rotated), 402 (shop frozen for payment), 403 (scope missing), 423 (shop
     * locked): the request was fine, the shop or the credentials were not (shopify.dev "Status and
     * error codes"). The work waits; only a request the shop rejects as wrong (400, 404, 422) is
     * dead-lettered.
     */
    private static final java.util.Set<Integer> NOT_THE_WORKS_FAULT = java.util.Set.of(401, 402, 403, 423);
    /** Requested cost of one mutation until the shop reports the actual cost. */
    static final double ESTIMATED_COST = 10;

    /** What became of a call. */
    sealed interface Outcome {
        /** The shop answered; the body holds {@code data} (with the mutation's own userErrors). */
        record Answered(JsonNode body) implements Outcome {
        }

        /** Nothing was applied; send the same work again later. */
        record Later(String why) implements Outcome {
        }

        /** The shop refused for good (permanent 4xx or GraphQL errors); dead-letter the work. */
        record Refused(String reason) implements Outcome {
        }
    }

    private final Connection connection;
    private final HttpClient http;
    private final CircuitBreaker breaker;
    private final ConnectionMetrics metrics;
    private final Clock clock;
    private final FeedbackRateLimiter limiter = FeedbackRateLimiter.of(2000, 100, 100);
    private final RetryPolicy retry = RetryPolicy.defaults();
    private int failedAttempts;

    ShopifyAdminClient(Connection connection, HttpClient http, CircuitBreaker breaker, ConnectionMetrics metrics,
            Clock clock) {
        this.connection = connection;
        this.http = http;
        this.breaker = breaker;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** True when a call may go now (budget and circuit); callers keep their work queued otherwise. */
    synchronized boolean ready() {
        return limiter.waitFor(ESTIMATED_COST).isZero() && breaker.getState() != CircuitBreaker.State.OPEN;
    }

    /** Sends one GraphQL operation; {@code what} names it in the metrics (e.g. inventory_call). */
    synchronized Outcome call(String what, String query, JsonNode variables) {
        if (!breaker.tryAcquirePermission()) {
            return new Outcome.Later("circuit open");
        }
        limiter.reserve(ESTIMATED_COST);
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        body.put("query", query);
        body.set("variables", variables);
        URI uri = URI.create(ShopifyConnector.adminBaseUrl(connection) + "/admin/api/"
                + ShopifyConnector.apiVersion(connection) + "/graphql.json");
        byte[] bytes = CanonicalJson.write(body).getBytes(StandardCharsets.UTF_8);
        HttpRequest request = ShopifyConnector.signer(connection).sign(HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)), uri, bytes).build();
        long started = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            breaker.onError(System.nanoTime() - started, TimeUnit.NANOSECONDS, e);
            metrics.count(connection.id(), what, "network_error");
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
                    metrics.count(connection.id(), what, "rate_limited");
                    limiter.onRetryAfter(retryAfter.orElse(Duration.ofSeconds(2)));
                    return new Outcome.Later("HTTP 429");
                }
                breaker.onError(elapsed, TimeUnit.NANOSECONDS, new IOException("HTTP " + status));
                metrics.count(connection.id(), what, "server_error");
                return backOff(retryAfter, "HTTP " + status);
            }
            case PERMANENT_FAILURE -> {
                if (NOT_THE_WORKS_FAULT.contains(status)) {
                    // credentials or the shop's state: fixing them must not have cost the queued work
                    breaker.onError(elapsed, TimeUnit.NANOSECONDS, new IOException("HTTP " + status));
                    metrics.count(connection.id(), what, "unauthorized");
                    return backOff(Optional.of(Duration.ofSeconds(30)), "HTTP " + status + " (credentials or shop state)");
                }
                breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                metrics.count(connection.id(), what, "rejected");
                return new Outcome.Refused("Shopify answered HTTP " + status + ": " + abbreviate(response.body()));
            }
            default -> {
                breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                failedAttempts = 0;
                return answered(what, CanonicalJson.parse(response.body()));
            }
        }
    }

    private Outcome answered(String what, JsonNode body) {
        JsonNode throttle = body.path("extensions").path("cost").path("throttleStatus");
        if (throttle.isObject()) {
            limiter.onThrottleStatus(throttle.path("maximumAvailable").asDouble(),
                    throttle.path("currentlyAvailable").asDouble(), throttle.path("restoreRate").asDouble());
        }
        for (JsonNode error : body.path("errors")) {
            if ("THROTTLED".equals(error.path("extensions").path("code").asText())) {
                metrics.count(connection.id(), what, "throttled");
                double restore = Math.max(1, throttle.path("restoreRate").asDouble(100));
                double missing = Math.max(0, ESTIMATED_COST - throttle.path("currentlyAvailable").asDouble(0));
                limiter.onRetryAfter(Duration.ofMillis((long) Math.ceil(missing / restore * 1000)));
                return new Outcome.Later("THROTTLED");
            }
        }
        if (body.path("errors").size() > 0) {
            metrics.count(connection.id(), what, "rejected");
            return new Outcome.Refused("GraphQL errors: " + abbreviate(body.path("errors").toString()));
        }
        metrics.count(connection.id(), what, "ok");
        return new Outcome.Answered(body);
    }

    private Outcome backOff(Optional<Duration> retryAfter, String why) {
        failedAttempts++;
        Duration wait = retry.delayAfter(Math.min(failedAttempts, 20), retryAfter);
        LOG.warn("Shopify call for {} failed ({}); retrying in {} ms", connection.id(), why, wait.toMillis());
        limiter.onRetryAfter(wait);
        return new Outcome.Later(why);
    }

    /** userError field paths look like ["input", "quantities", "3", "inventoryItemId"]: the index after {@code list}. */
    static Integer indexIn(JsonNode field, String list) {
        for (int i = 0; i + 1 < field.size(); i++) {
            if (list.equals(field.get(i).asText()) && field.get(i + 1).asText().matches("[0-9]+")) {
                return Integer.parseInt(field.get(i + 1).asText());
            }
        }
        return null;
    }

    static String abbreviate(String text) {
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }
}
