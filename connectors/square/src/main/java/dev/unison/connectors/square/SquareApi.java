package dev.unison.connectors.square;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.http.ApiClient;
import dev.unison.connectors.kit.http.FeedbackRateLimiter;
import dev.unison.connectors.kit.mapping.MappingException;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.RetryLaterException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The reads the connector makes of one seller's Square API, through the kit's {@link ApiClient}
 * (paced, behind the connection's circuit breaker, 429 and 5xx backed off). Every call carries
 * {@code Authorization: Bearer <accessToken>} and {@code Square-Version} (Square Developer docs:
 * "Access tokens", "Square API versions"). Errors come as {@code {"errors": [{category, code,
 * detail}]}} ("Handling errors"); 401 and 403 mean the token (or its permissions), anything else
 * in 4xx the request.
 */
final class SquareApi {

    /** Ref kind: Square item variation id -> the hub's sku (the variation's sku, learned from the Catalog API). */
    static final String VARIATION_SKU = "variation_sku";

    private final Connection connection;
    private final SquareSettings settings;
    private final ApiClient api;
    private final ConnectorContext context;

    SquareApi(Connection connection, HttpClient http, CircuitBreaker breaker, ConnectorContext context, Clock clock) {
        this.connection = connection;
        this.settings = SquareSettings.of(connection);
        this.context = context;
        // Square publishes no fixed request rate ("Handling errors": RATE_LIMITED is answered 429 when
        // an application sends too fast); 10 calls a second per seller keeps a webhook burst well under it
        this.api = new ApiClient(connection.id(), "Square", http, breaker, context.metrics(),
                FeedbackRateLimiter.of(10, 10, 0), Set.of(401, 403), clock);
    }

    /**
     * RetrieveOrder, {@code GET /v2/orders/{order_id}} (Square API Reference, Orders API): the whole
     * order, which order notifications only summarise.
     */
    JsonNode order(String orderId) {
        return answered("order_read", "/v2/orders/" + encode(orderId), "order " + orderId).path("order");
    }

    /**
     * The sku of an item variation: {@code item_variation_data.sku} of RetrieveCatalogObject,
     * {@code GET /v2/catalog/object/{object_id}} (Square API Reference, Catalog API), remembered per
     * connection in refs so each variation is read once. Empty when the variation has no sku.
     */
    Optional<String> variationSku(String variationId) {
        Optional<String> known = context.refs().get(connection.id(), VARIATION_SKU, variationId);
        if (known.isPresent()) {
            return known.filter(sku -> !sku.isEmpty());
        }
        JsonNode object = answered("catalog_read", "/v2/catalog/object/" + encode(variationId), "catalog object " + variationId)
                .path("object");
        String sku = object.path("item_variation_data").path("sku").asText("").strip();
        // an empty ref remembers "no sku", so a variation without one is not read again for every sale
        context.refs().put(connection.id(), VARIATION_SKU, variationId, sku);
        return sku.isEmpty() ? Optional.empty() : Optional.of(sku);
    }

    /**
     * RetrieveMerchant with {@code me} ({@code GET /v2/merchants/me}, Square API Reference, Merchants
     * API): proves the token and that it is the configured seller's. Read-only, one call, not retried.
     */
    static CheckResult check(Connection connection, HttpClient http) {
        SquareSettings settings = SquareSettings.of(connection);
        HttpRequest request = request(connection, settings, "/v2/merchants/me").build();
        try {
            var response = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            return switch (response.statusCode()) {
                case 200 -> {
                    JsonNode merchant = CanonicalJson.parse(response.body()).path("merchant");
                    yield merchant.path("id").asText().equals(settings.merchantId())
                            ? CheckResult.ok("merchant " + merchant.path("business_name").asText("?") + " reachable, credentials accepted")
                            : CheckResult.failed("the access token is merchant " + merchant.path("id").asText("?")
                                    + "'s, this connection is for merchant " + settings.merchantId());
                }
                case 401, 403 -> CheckResult.failed("credentials rejected (HTTP " + response.statusCode() + ")");
                case 429 -> CheckResult.failed("rate limited (HTTP 429); try again later");
                default -> CheckResult.failed("unexpected HTTP " + response.statusCode() + " from " + request.uri());
            };
        } catch (java.io.IOException e) {
            return CheckResult.failed("cannot reach " + request.uri() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CheckResult.failed("interrupted");
        }
    }

    /**
     * The body of a successful read. What cannot be read now (throttled, Square down, the token
     * refused) is a {@link RetryLaterException}: the hub keeps the notification and maps it again;
     * a refused request (404: no such order for this seller) is a {@link MappingException}.
     */
    private JsonNode answered(String what, String path, String subject) {
        ApiClient.Outcome outcome = api.send(what, request(connection, settings, path).build(), 1);
        if (outcome instanceof ApiClient.Outcome.Answered answered) {
            return CanonicalJson.parse(answered.body());
        }
        if (outcome instanceof ApiClient.Outcome.Unauthorized unauthorized) {
            String why = "Square refused the access token (HTTP " + unauthorized.status() + ") reading " + subject;
            context.reportStatus(connection.id(), CheckResult.failed(why));
            throw new RetryLaterException(why);
        }
        if (outcome instanceof ApiClient.Outcome.Refused refused) {
            throw new MappingException("reading " + subject + " was refused: " + refused.reason());
        }
        throw new RetryLaterException("reading " + subject + " must wait: " + ((ApiClient.Outcome.Later) outcome).why());
    }

    private static HttpRequest.Builder request(Connection connection, SquareSettings settings, String path) {
        return HttpRequest.newBuilder(URI.create(settings.apiBaseUrl() + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + connection.requireSecret("accessToken").reveal())
                .header(SquareHeaders.VERSION, settings.squareVersion())
                .header("Accept", "application/json")
                .GET();
    }

    private static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }
}
