package dev.unison.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.ChannelAvailability;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.http.FeedbackRateLimiter;
import dev.unison.connectors.kit.http.RetryAfter;
import dev.unison.connectors.kit.http.RetryPolicy;
import dev.unison.connectors.kit.spi.CoalescingQueue;
import dev.unison.connectors.kit.spi.CoalescingQueue.Pending;
import dev.unison.connectors.kit.spi.ConnectorContext;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes available quantities to one Shopify location for one connection.
 *
 * <p>Availability events for the connection's channel are offered to the durable coalescing queue
 * (only the newest quantity per sku is kept); {@link #tick()} sends up to {@code inventoryBatchSize}
 * of them as one GraphQL {@code inventorySetQuantities} mutation (shopify.dev, Admin GraphQL
 * "inventorySetQuantities"; quantities by inventory item GID and location GID, name
 * {@code available}, reason {@code correction}). Pacing follows the shop's own cost feedback
 * ({@code extensions.cost.throttleStatus}; shopify.dev "GraphQL Admin API rate limits") with a
 * reserve so the bucket never runs dry; a 429 or THROTTLED answer is waited out per
 * {@code Retry-After}; 5xx and network errors back off with jitter behind a per-connection circuit
 * breaker. Per-quantity user errors and permanent 4xx go to the dead-letter table with the reason.
 *
 * <p>API versions: up to 2025-10 the mutation takes {@code ignoreCompareQuantity: true}; from 2026-01
 * it takes {@code changeFromQuantity} (the last quantity the hub set, when known) and the
 * {@code @idempotent(key:)} directive, mandatory from 2026-04 (Shopify changelog,
 * "inventory compare-and-set" and "idempotency for inventory mutations").
 */
final class ShopifyInventorySync {

    private static final Logger LOG = LoggerFactory.getLogger(ShopifyInventorySync.class);
    static final String KIND = "inventory";
    static final String LAST_SET = "shopify_available";
    /**
     * How long the first pending change may wait for others to join its call. Short against the
     * one-second freshness target, long enough that a burst becomes a few full batches instead of
     * hundreds of one-item calls.
     */
    static final Duration LINGER = Duration.ofMillis(200);
    /** Requested cost of one inventorySetQuantities call, until the shop reports the actual cost. */
    static final double ESTIMATED_COST = 10;

    private final Connection connection;
    private final ConnectorContext context;
    private final HttpClient http;
    private final FeedbackRateLimiter limiter;
    private final RetryPolicy retry = RetryPolicy.defaults();
    private final CircuitBreaker breaker;
    private final Clock clock;
    private final String channel;
    private final String locationGid;
    private final int batchSize;
    private final boolean compareAndSet;
    private int failedAttempts;

    ShopifyInventorySync(Connection connection, ConnectorContext context, HttpClient http, CircuitBreaker breaker,
            Clock clock) {
        this.connection = connection;
        this.context = context;
        this.http = http;
        this.breaker = breaker;
        this.clock = clock;
        this.channel = Optional.ofNullable(connection.setting("channel")).orElse("shopify");
        this.locationGid = "gid://shopify/Location/" + connection.setting("locationId");
        this.batchSize = Integer.parseInt(Optional.ofNullable(connection.setting("inventoryBatchSize")).orElse("250"));
        this.compareAndSet = ShopifyConnector.apiVersion(connection).compareTo("2026-01") >= 0;
        // Standard plan: 2000-point bucket refilled at 100/s; every answer corrects these numbers.
        this.limiter = FeedbackRateLimiter.of(2000, 100, 100);
    }

    static boolean enabledFor(Connection connection) {
        return connection.enabled() && connection.setting("locationId") != null;
    }

    String consumerGroup() {
        return "shopify-" + connection.id() + "-inventory";
    }

    /** Offers an availability change of this connection's channel to the queue (others are ignored). */
    void offer(CanonicalEvent event) {
        if (event.type() != EventType.AVAILABILITY_CHANGED) {
            return;
        }
        ChannelAvailability availability = event.dataAs(ChannelAvailability.class);
        if (!channel.equals(availability.channel())) {
            return;
        }
        ObjectNode value = CanonicalJson.mapper().createObjectNode();
        value.put("quantity", availability.availableToSell());
        value.put("eventId", event.id());
        context.outboundQueue().offer(connection.id(), KIND, availability.sku(), value);
    }

    /** Sends at most one batch if the shop's budget allows; returns how many quantities it settled. */
    int tick() {
        if (!breaker.tryAcquirePermission()) {
            return 0;
        }
        List<Pending> batch = context.outboundQueue().next(connection.id(), KIND, batchSize);
        boolean lingering = !batch.isEmpty() && batch.size() < batchSize
                && batch.get(0).firstOfferedAt().isAfter(clock.instant().minus(LINGER));
        if (batch.isEmpty() || lingering) {
            breaker.releasePermission();
            return 0;
        }
        List<Pending> sendable = new ArrayList<>();
        List<String> itemIds = new ArrayList<>();
        List<Pending> unknown = new ArrayList<>();
        for (Pending p : batch) {
            Optional<String> item = context.refs().get(connection.id(), ShopifyInboundMapper.INVENTORY_ITEM, p.key());
            if (item.isPresent()) {
                sendable.add(p);
                itemIds.add(item.get());
            } else {
                unknown.add(p);
            }
        }
        if (!unknown.isEmpty()) {
            unknown.forEach(p -> deadLetter(p, "no Shopify inventory item is known for sku " + p.key()
                    + " (it is learned from products/update webhooks)"));
            context.outboundQueue().done(unknown);
        }
        if (sendable.isEmpty()) {
            breaker.releasePermission();
            return unknown.size();
        }
        if (!limiter.waitFor(ESTIMATED_COST).isZero()) {
            breaker.releasePermission();
            return unknown.size();
        }
        limiter.reserve(ESTIMATED_COST);
        long started = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = http.send(request(sendable, itemIds), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            breaker.onError(System.nanoTime() - started, TimeUnit.NANOSECONDS, e);
            calls("network_error");
            backOff(Optional.empty(), "network error: " + e.getMessage());
            return unknown.size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            breaker.releasePermission();
            return unknown.size();
        }
        long elapsed = System.nanoTime() - started;
        int status = response.statusCode();
        Optional<Duration> retryAfter = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock);
        switch (RetryPolicy.classify(status)) {
            case RETRY -> {
                if (status == 429) {
                    calls("rate_limited");
                    breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS); // throttling is not an outage
                    limiter.onRetryAfter(retryAfter.orElse(Duration.ofSeconds(2)));
                } else {
                    calls("server_error");
                    breaker.onError(elapsed, TimeUnit.NANOSECONDS, new IOException("HTTP " + status));
                    backOff(retryAfter, "HTTP " + status);
                }
                return unknown.size();
            }
            case PERMANENT_FAILURE -> {
                calls("rejected");
                breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                sendable.forEach(p -> deadLetter(p, "Shopify answered HTTP " + status + ": " + abbreviate(response.body())));
                context.outboundQueue().done(sendable);
                return unknown.size() + sendable.size();
            }
            default -> {
                calls("ok");
                breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                failedAttempts = 0;
                return unknown.size() + settle(sendable, CanonicalJson.parse(response.body()));
            }
        }
    }

    private int settle(List<Pending> sent, JsonNode body) {
        JsonNode throttle = body.path("extensions").path("cost").path("throttleStatus");
        if (throttle.isObject()) {
            limiter.onThrottleStatus(throttle.path("maximumAvailable").asDouble(), throttle.path("currentlyAvailable").asDouble(),
                    throttle.path("restoreRate").asDouble());
        }
        for (JsonNode error : body.path("errors")) {
            if ("THROTTLED".equals(error.path("extensions").path("code").asText())) {
                calls("throttled");
                double restore = Math.max(1, throttle.path("restoreRate").asDouble(100));
                double missing = Math.max(0, ESTIMATED_COST - throttle.path("currentlyAvailable").asDouble(0));
                limiter.onRetryAfter(Duration.ofMillis((long) Math.ceil(missing / restore * 1000)));
                return 0; // nothing was applied; the same batch goes again
            }
        }
        if (body.path("errors").size() > 0) {
            String reason = "GraphQL errors: " + abbreviate(body.path("errors").toString());
            sent.forEach(p -> deadLetter(p, reason));
            context.outboundQueue().done(sent);
            return sent.size();
        }
        Set<Integer> rejected = new HashSet<>();
        List<Pending> retryLater = new ArrayList<>();
        for (JsonNode error : body.path("data").path("inventorySetQuantities").path("userErrors")) {
            String code = error.path("code").asText();
            Integer index = quantityIndex(error.path("field"));
            if ("IDEMPOTENCY_CONCURRENT_REQUEST".equals(code)) {
                return 0;
            }
            if (index == null) {
                sent.forEach(p -> deadLetter(p, code + ": " + error.path("message").asText()));
                context.outboundQueue().done(sent);
                return sent.size();
            }
            rejected.add(index);
            Pending p = sent.get(index);
            if ("CHANGE_FROM_QUANTITY_STALE".equals(code)) {
                // someone else changed the quantity: forget what we believed and set it again
                context.refs().put(connection.id(), LAST_SET, p.key(), "");
                retryLater.add(p);
            } else {
                deadLetter(p, code + ": " + error.path("message").asText());
            }
        }
        List<Pending> settled = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            Pending p = sent.get(i);
            if (!rejected.contains(i)) {
                context.refs().put(connection.id(), LAST_SET, p.key(), p.value().path("quantity").asText());
            }
            if (!retryLater.contains(p)) {
                settled.add(p);
            }
        }
        context.outboundQueue().done(settled);
        context.metrics().add(connection.id(), "inventory_quantity", "set", sent.size() - rejected.size());
        return settled.size();
    }

    private HttpRequest request(List<Pending> batch, List<String> itemIds) {
        ObjectNode input = CanonicalJson.mapper().createObjectNode();
        input.put("name", "available");
        input.put("reason", "correction");
        input.put("referenceDocumentUri", "gid://unison/InventorySync/" + connection.id());
        if (!compareAndSet) {
            input.put("ignoreCompareQuantity", true);
        }
        ArrayNode quantities = input.putArray("quantities");
        StringBuilder fingerprint = new StringBuilder(connection.id());
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            ObjectNode q = quantities.addObject();
            q.put("inventoryItemId", itemIds.get(i));
            q.put("locationId", locationGid);
            q.put("quantity", p.value().path("quantity").asLong());
            if (compareAndSet) {
                String last = context.refs().get(connection.id(), LAST_SET, p.key()).orElse("");
                if (last.isEmpty()) {
                    q.putNull("changeFromQuantity");
                } else {
                    q.put("changeFromQuantity", Long.parseLong(last));
                }
            }
            fingerprint.append('|').append(p.key()).append(':').append(p.version());
        }
        // the same pending versions always carry the same key, so a retried call is applied once
        String key = UUID.nameUUIDFromBytes(fingerprint.toString().getBytes(StandardCharsets.UTF_8)).toString();
        String directive = compareAndSet ? " @idempotent(key: \"" + key + "\")" : "";
        String query = "mutation SetAvailable($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input)"
                + directive + " { userErrors { code field message } } }";
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        body.put("query", query);
        body.putObject("variables").set("input", input);
        URI uri = URI.create(ShopifyConnector.adminBaseUrl(connection) + "/admin/api/"
                + ShopifyConnector.apiVersion(connection) + "/graphql.json");
        byte[] bytes = CanonicalJson.write(body).getBytes(StandardCharsets.UTF_8);
        return ShopifyConnector.signer(connection).sign(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(bytes)), uri, bytes)
                .build();
    }

    private void backOff(Optional<Duration> retryAfter, String why) {
        failedAttempts++;
        Duration wait = retry.delayAfter(Math.min(failedAttempts, 20), retryAfter);
        LOG.warn("Shopify inventory sync for {} failed ({}); retrying in {} ms", connection.id(), why, wait.toMillis());
        limiter.onRetryAfter(wait);
    }

    private void calls(String outcome) {
        context.metrics().count(connection.id(), "inventory_call", outcome);
    }

    private void deadLetter(Pending p, String reason) {
        context.metrics().count(connection.id(), "inventory_quantity", "dead_lettered");
        context.deadLetters().record("shopify:" + connection.id() + ":inventory", p.key(), "shopify.inventorySetQuantities",
                reason, CanonicalJson.write(p.value()));
    }

    /** userError field paths look like ["input", "quantities", "3", "inventoryItemId"]. */
    private static Integer quantityIndex(JsonNode field) {
        for (int i = 0; i + 1 < field.size(); i++) {
            if ("quantities".equals(field.get(i).asText()) && field.get(i + 1).asText().matches("[0-9]+")) {
                return Integer.parseInt(field.get(i + 1).asText());
            }
        }
        return null;
    }

    private static String abbreviate(String text) {
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }
}
