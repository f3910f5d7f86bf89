package dev.unison.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.http.ApiClient;
import dev.unison.connectors.kit.http.FeedbackRateLimiter;
import dev.unison.connectors.kit.spi.ConnectionMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * One shop's Admin GraphQL endpoint, shared by everything the connector writes to that shop, so
 * that all writes draw on one cost budget. Pacing follows the shop's own
 * {@code extensions.cost.throttleStatus} (shopify.dev "GraphQL Admin API rate limits": standard
 * plan 2000 points restored at 100/s) with a reserve, so the bucket is never drawn dry; a
 * {@code THROTTLED} answer or a 429 is waited out ({@code Retry-After}); 5xx and network errors
 * back off with jitter behind the connection's circuit breaker (the kit's {@link ApiClient}).
 */
final class ShopifyAdminClient {

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
    private final String graphqlUrl;
    private final ApiClient api;

    ShopifyAdminClient(Connection connection, HttpClient http, CircuitBreaker breaker, ConnectionMetrics metrics,
            Clock clock) {
        this.connection = connection;
        this.graphqlUrl = ShopifySettings.of(connection).graphqlUrl();
        this.api = new ApiClient(connection.id(), "Shopify", http, breaker, metrics, FeedbackRateLimiter.of(2000, 100, 100),
                NOT_THE_WORKS_FAULT, clock);
        this.metrics = metrics;
    }

    private final ConnectionMetrics metrics;

    /**
     * True while at least half of the shop's cost bucket is left: a caller may then send a part
     * batch at once instead of waiting for more changes to join it.
     */
    boolean budgetToSpare() {
        return api.limiter().fillRatio() >= 0.5;
    }

    /**
     * How long the shop's bucket takes to restore one call's cost (10 points at the standard
     * 100 points/s: 100 ms). Calls at this interval spend what restores, so the bucket holds its level.
     */
    Duration restoreTimeOfOneCall() {
        return api.limiter().restoreTime(ESTIMATED_COST);
    }

    /** True when a call may go now (budget and circuit); callers keep their work queued otherwise. */
    boolean ready() {
        return api.ready(ESTIMATED_COST);
    }

    /** Sends one GraphQL operation; {@code what} names it in the metrics (e.g. inventory_call). */
    synchronized Outcome call(String what, String query, JsonNode variables) {
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        body.put("query", query);
        body.set("variables", variables);
        URI uri = URI.create(graphqlUrl);
        byte[] bytes = CanonicalJson.write(body).getBytes(StandardCharsets.UTF_8);
        HttpRequest request = ShopifyConnector.signer(connection).sign(HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)), uri, bytes).build();
        ApiClient.Outcome outcome = api.send(what, request, ESTIMATED_COST);
        if (outcome instanceof ApiClient.Outcome.Answered answered) {
            return answered(what, CanonicalJson.parse(answered.body()));
        }
        if (outcome instanceof ApiClient.Outcome.Unauthorized unauthorized) {
            // credentials or the shop's state: fixing them must not have cost the queued work
            return new Outcome.Later(api.backOff(Optional.of(Duration.ofSeconds(30)),
                    "HTTP " + unauthorized.status() + " (credentials or shop state)").why());
        }
        if (outcome instanceof ApiClient.Outcome.Refused refused) {
            return new Outcome.Refused(refused.reason());
        }
        return new Outcome.Later(((ApiClient.Outcome.Later) outcome).why());
    }

    private Outcome answered(String what, JsonNode body) {
        FeedbackRateLimiter limiter = api.limiter();
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
        return ApiClient.abbreviate(text);
    }
}
