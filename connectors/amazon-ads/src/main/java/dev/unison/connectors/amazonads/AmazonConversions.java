package dev.unison.connectors.amazonads;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.OrderLine;
import dev.unison.canonical.model.PlacedIn;
import dev.unison.connectors.kit.auth.ClientCredentials;
import dev.unison.connectors.kit.auth.CredentialsRefused;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.http.ApiClient;
import dev.unison.connectors.kit.identity.Destination;
import dev.unison.connectors.kit.identity.DestinationHashing;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.CoalescingQueue.Pending;
import dev.unison.connectors.kit.spi.ConnectorContext;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The hub's sales to the Amazon Conversions API ("Amazon Ads API: Conversions API", as Segment's
 * Amazon Conversions API destination implements it): {@code POST {api}/events/v1} with headers
 * {@code Amazon-Ads-AccountId}, {@code Amazon-Advertising-API-ClientId} and a Login with Amazon
 * bearer token; body {@code {"eventData": [...], "ingestionMethod": "SERVER_TO_SERVER"}}, one event
 * per sale: {@code name}, {@code eventType: OFF_AMAZON_PURCHASES}, {@code eventActionSource}
 * ({@code WEBSITE} online, {@code OFFLINE} in a store), {@code countryCode}, {@code timestamp},
 * {@code value}, {@code currencyCode}, {@code unitsSold}, {@code clientDedupeId} (the hub's order
 * id: Amazon counts an event once per id) and {@code matchKeys} (EMAIL and PHONE, normalized as
 * Amazon asks and SHA-256 hex, one value each, at most 11 keys).
 *
 * <p>The answer is 207 multi-status: {@code success[]} and {@code error[]}, each naming its event
 * by a 1-based {@code index}, an error with its {@code httpStatusCode} and {@code subErrors}. A
 * successful event is settled and never sent again; an event failing with 429 or 5xx goes again
 * with the next request (up to {@value #MAX_ATTEMPTS} times, then it is dead-lettered); an event
 * refused with another 4xx is dead-lettered with Amazon's reason. A whole request refused with a
 * 4xx is halved until the event at fault is alone, which is then dead-lettered; throttling and 5xx
 * keep the events queued (the kit's {@link ApiClient} waits out {@code Retry-After}). A 401/403
 * is tried once more with a new token, then the sender pauses with the reason in the connection's
 * status.
 *
 * <p>Sales wait in the durable coalescing queue, keyed by order id and offered once per order
 * ({@code offerIfNewer} with version 1): a redelivered order event cannot queue a sale again after
 * it was sent. The queue holds only the event as Amazon receives it: hashed keys, never an email.
 */
final class AmazonConversions {

    static final String KIND = "conversions";
    static final int MAX_ATTEMPTS = 5;
    /** At most 11 match keys per event (the API's limit as Segment enforces it). */
    static final int MAX_MATCH_KEYS = 11;

    private final Connection connection;
    private final AmazonAdsSettings settings;
    private final ConnectorContext context;
    private final ApiClient api;
    private final ClientCredentials tokens;
    private volatile boolean warm;
    /** Events per request now: the configured batch, halved after a whole request was refused, doubled back after successes. */
    private int batchSize;
    /** The events API refused the last token: a second refusal with a fresh one pauses the sender. */
    private boolean refusedBefore;
    private final Map<String, Integer> failedAttempts = new java.util.concurrent.ConcurrentHashMap<>();

    AmazonConversions(Connection connection, ConnectorContext context, ApiClient api, ClientCredentials tokens) {
        this.connection = connection;
        this.settings = AmazonAdsSettings.of(connection);
        this.context = context;
        this.api = api;
        this.tokens = tokens;
        this.batchSize = settings.conversionsBatchSize();
    }

    String deadLetterConsumer() {
        return "amazon-ads:" + connection.id() + ":conversions";
    }

    /** Queues a placed order as one conversion, once; an order without an email or phone cannot be matched and is only counted. */
    void offer(CanonicalEvent event) {
        if (event.type() != EventType.ORDER_PLACED) {
            return;
        }
        Order order = event.dataAs(Order.class);
        Optional<ObjectNode> conversion = conversion(order, settings);
        if (conversion.isEmpty()) {
            context.metrics().count(connection.id(), "conversion", "no_match_key");
            return;
        }
        context.outboundQueue().offerIfNewer(connection.id(), KIND, order.id(), conversion.get(), 1);
    }

    /** The event Amazon receives for an order, or empty when the order names no email or phone. */
    static Optional<ObjectNode> conversion(Order order, AmazonAdsSettings settings) {
        Set<String> emails = new LinkedHashSet<>();
        Set<String> phones = new LinkedHashSet<>();
        for (Identifier id : order.identifiers()) {
            try {
                switch (id.type()) {
                    case EMAIL, HASHED_EMAIL -> DestinationHashing.hashedForm(Destination.AMAZON, id).ifPresent(emails::add);
                    case PHONE -> DestinationHashing.hashedForm(Destination.AMAZON, id).ifPresent(phones::add);
                    default -> {
                        // loyalty ids, devices, click ids: not Amazon match keys
                    }
                }
            } catch (IllegalArgumentException notNormalized) {
                // an identifier the hub did not normalize cannot be hashed reliably: left out, never guessed
            }
        }
        if (emails.isEmpty() && phones.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode event = CanonicalJson.mapper().createObjectNode();
        event.put("name", settings.conversionName());
        event.put("eventType", "OFF_AMAZON_PURCHASES");
        event.put("eventActionSource", order.placedIn() == PlacedIn.STORE ? "OFFLINE" : "WEBSITE");
        event.put("countryCode", settings.countryCode());
        event.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(order.placedAt()));
        if (order.total() != null) {
            event.put("value", order.total().amount());
            event.put("currencyCode", order.total().currency());
        }
        event.put("unitsSold", order.lines().stream().mapToLong(OrderLine::quantity).sum());
        event.put("clientDedupeId", order.id());
        ArrayNode keys = event.putArray("matchKeys");
        // one value per key entry, emails first, at most 11 entries
        emails.stream().limit(MAX_MATCH_KEYS).forEach(h -> addKey(keys, "EMAIL", h));
        phones.stream().limit(MAX_MATCH_KEYS - keys.size()).forEach(h -> addKey(keys, "PHONE", h));
        return Optional.of(event);
    }

    private static void addKey(ArrayNode keys, String type, String hash) {
        ObjectNode key = keys.addObject();
        key.put("type", type);
        key.putArray("values").add(hash);
    }

    /** Sends at most one batch, if there is one and the connection may send; returns how many sales it settled or kept for a retry. */
    int tick() {
        if (!api.ready(1)) {
            return 0;
        }
        List<Pending> batch = context.outboundQueue().next(connection.id(), KIND, batchSize);
        if (batch.isEmpty()) {
            warmUp();
            return 0;
        }
        if (!context.outboundQueue().tryLease(connection.id(), KIND, context.instanceId(), Duration.ofSeconds(15))) {
            return 0;
        }
        String token;
        try {
            token = tokens.accessToken();
        } catch (CredentialsRefused e) {
            context.reportStatus(connection.id(), CheckResult.failed("conversions paused: " + e.getMessage()));
            api.backOff(Optional.of(settings.pausedRetry()), "credentials refused");
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (java.io.IOException e) {
            api.backOff(Optional.empty(), "token endpoint: " + e.getMessage());
            return 0;
        }
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        ArrayNode events = body.putArray("eventData");
        batch.forEach(p -> events.add(p.value()));
        body.put("ingestionMethod", "SERVER_TO_SERVER");
        HttpRequest request = HttpRequest.newBuilder(URI.create(settings.apiUrl() + "/events/v1")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .header("Amazon-Ads-AccountId", settings.accountId().orElseThrow())
                .header("Amazon-Advertising-API-ClientId", settings.clientId()).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(CanonicalJson.write(body), StandardCharsets.UTF_8)).build();
        ApiClient.Outcome outcome = api.send("conversions_call", request, 1);
        if (outcome instanceof ApiClient.Outcome.Unauthorized refusedToken) {
            tokens.invalidate(token);
            if (refusedBefore) {
                // refused again with a fresh token: the client, the account or its access is wrong; say so and
                // wait, the sales stay queued
                context.reportStatus(connection.id(), CheckResult.failed("conversions paused: the events API answered "
                        + refusedToken.status() + " with a fresh token (Amazon-Ads-AccountId " + settings.accountId().orElse("?")
                        + "): " + ApiClient.abbreviate(refusedToken.body())));
                api.backOff(Optional.of(settings.pausedRetry()), "credentials refused by the events API");
                return 0;
            }
            refusedBefore = true; // a token Amazon voided early: once more with a new one
            return 0;
        }
        if (refusedBefore) {
            refusedBefore = false;
            context.reportStatus(connection.id(), CheckResult.ok("conversions accepted again"));
        }
        if (outcome instanceof ApiClient.Outcome.Refused refused) {
            if (batch.size() > 1) {
                // a whole request refused may be one event's fault: halve the batch until the event is alone,
                // never dead-letter the good sales with it
                batchSize = Math.max(1, batch.size() / 2);
                return batch.size();
            }
            deadLetter(batch.get(0), refused.reason());
            context.outboundQueue().done(batch);
            return 1;
        }
        if (!(outcome instanceof ApiClient.Outcome.Answered answered)) {
            return 0; // throttled, 5xx, network: all stay queued
        }
        batchSize = Math.min(settings.conversionsBatchSize(), batchSize * 2); // back to full batches after a split
        return settle(batch, answered);
    }

    /** Holds a token before the first sale arrives, so the first batch does not wait for Login with Amazon. */
    private void warmUp() {
        if (warm) {
            return;
        }
        try {
            tokens.accessToken();
            warm = true;
        } catch (Exception e) {
            warm = true; // the first batch will ask again and handle what it answers
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private int settle(List<Pending> batch, ApiClient.Outcome.Answered answered) {
        JsonNode result;
        try {
            result = CanonicalJson.parse(answered.body());
        } catch (IllegalArgumentException e) {
            // nothing of the answer can be trusted: every event counts a failed attempt, the ones at
            // their last attempt are dead-lettered and leave the queue, the others go again after a pause
            String reason = "unreadable answer " + answered.status() + ": " + ApiClient.abbreviate(answered.body());
            List<Pending> given = batch.stream().filter(p -> retryOrDeadLetter(p, reason)).toList();
            context.outboundQueue().done(given);
            api.backOff(Optional.empty(), reason);
            return batch.size();
        }
        Map<Integer, JsonNode> errors = new HashMap<>();
        for (JsonNode error : result.path("error")) {
            errors.put(error.path("index").asInt(), error);
        }
        Set<Integer> succeeded = new java.util.HashSet<>();
        for (JsonNode success : result.path("success")) {
            succeeded.add(success.path("index").asInt());
        }
        List<Pending> settled = new ArrayList<>();
        Map<Pending, String> deadLettered = new LinkedHashMap<>();
        int sent = 0;
        int retried = 0;
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            JsonNode error = errors.get(i + 1); // 1-based
            if (error == null && (succeeded.contains(i + 1) || answered.status() == 200)) {
                settled.add(p);
                failedAttempts.remove(attemptKey(p)); // it failed before, perhaps: forget that
                sent++;
                continue;
            }
            String reason = error == null ? "the answer names neither a success nor an error for event " + (i + 1)
                    : "HTTP " + error.path("httpStatusCode").asText("?") + ": " + subErrors(error);
            int status = error == null ? 500 : error.path("httpStatusCode").asInt(500);
            if (status == 429 || status >= 500) {
                if (retryOrDeadLetter(p, reason)) {
                    settled.add(p);
                } else {
                    retried++;
                }
            } else {
                failedAttempts.remove(attemptKey(p));
                deadLettered.put(p, reason);
                settled.add(p);
            }
        }
        deadLettered.forEach(this::deadLetter);
        context.outboundQueue().done(settled);
        context.metrics().add(connection.id(), "conversion", "sent", sent);
        context.metrics().add(connection.id(), "conversion", "retried", retried);
        if (retried > 0) {
            api.backOff(Optional.empty(), retried + " event(s) failed for now"); // not again at once
        }
        return batch.size();
    }

    private static String subErrors(JsonNode error) {
        StringBuilder out = new StringBuilder();
        for (JsonNode sub : error.path("subErrors")) {
            out.append(out.length() == 0 ? "" : "; ").append(sub.path("errorCode").asText("")).append(' ')
                    .append(sub.path("errorMessage").asText(""));
        }
        return out.length() == 0 ? ApiClient.abbreviate(error.toString()) : out.toString().strip();
    }

    /** Counts a transient failure of one event; true when it was its last attempt and it went to the dead letters. */
    private boolean retryOrDeadLetter(Pending p, String reason) {
        int attempts = failedAttempts.merge(attemptKey(p), 1, Integer::sum);
        if (attempts >= MAX_ATTEMPTS) {
            failedAttempts.remove(attemptKey(p));
            deadLetter(p, reason + " (after " + attempts + " attempts)");
            return true;
        }
        return false;
    }

    /**
     * Failed attempts are counted per queued version in memory (a restart grants a few more, never
     * fewer), and forgotten once the event is settled either way.
     */
    private static String attemptKey(Pending p) {
        return p.key() + "@" + p.version();
    }

    private void deadLetter(Pending p, String reason) {
        context.metrics().count(connection.id(), "conversion", "dead_lettered");
        context.deadLetters().record(deadLetterConsumer(), p.key(), "amazon-ads.conversion", reason, CanonicalJson.write(p.value()));
    }
}
