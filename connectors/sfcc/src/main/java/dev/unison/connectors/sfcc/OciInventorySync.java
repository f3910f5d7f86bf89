package dev.unison.connectors.sfcc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.auth.CredentialsRefused;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.CoalescingQueue.Pending;
import dev.unison.connectors.kit.spi.ConnectorContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes the channel's available quantities to one Omnichannel Inventory location.
 *
 * <p>Availability changes of the connection's channel go to the kit's durable coalescing queue
 * (newest quantity per sku, an older ATS version dropped). {@link #tick()} takes up to
 * {@code batchSize} of them and sends one batch update ("Omnichannel Inventory API", availability
 * records: {@code POST /inventory/availability/v1/organizations/{org}/availability-records/actions/batch-update},
 * {@code {"records": [{"actionRequestId", "externalRefId", "locationIdentifier", "stockKeepingUnit",
 * "onHand", "safetyStockCount", "effectiveDate", "futureStock"}]}}); 100 records per request is
 * assumed as OCI's maximum (not confirmed). The hub's ATS already holds safety stock back, so
 * {@code onHand} is the available quantity and {@code safetyStockCount} 0.
 *
 * <p>{@code actionRequestId} is OCI's idempotency key per record update: it is derived from the
 * connection, sku, location, the availability event and quantity, so sending the same queued value
 * again (after a timeout, a 5xx, a restart) replays OCI's first result instead of applying it twice,
 * and a newer value gets a new id. Pacing: the connection's OCI {@link SfccApi} ({@link LoadPacer}:
 * half the rate at WARN, a quarter at THROTTLE; 429 and 503 waited out); nothing leaves the queue
 * before OCI answered it, so slowing down loses nothing.
 */
final class OciInventorySync {

    static final String KIND = "inventory";

    private final String connectionId;
    private final SfccSettings settings;
    private final ConnectorContext context;
    private final SfccApi oci;
    private final Clock clock;
    private volatile Instant pausedUntil = Instant.MIN;
    private volatile boolean warmed;

    OciInventorySync(String connectionId, SfccSettings settings, ConnectorContext context, SfccApi oci, Clock clock) {
        this.connectionId = connectionId;
        this.settings = settings;
        this.context = context;
        this.oci = oci;
        this.clock = clock;
    }

    String deadLetterConsumer() {
        return "sfcc:" + connectionId + ":inventory";
    }

    /** Offers an availability change of this connection's channel to the queue (others are ignored). */
    void offer(CanonicalEvent event) {
        context.outboundQueue().offerAvailability(connectionId, KIND, settings.channel(), event);
    }

    /** The record's idempotency key: the same queued value always gets the same id. */
    static String actionRequestId(String connectionId, String sku, String location, JsonNode value) {
        String exact = connectionId + "|" + sku + "|" + location + "|" + value.path("eventId").asText() + "|"
                + value.path("quantity").asLong();
        return UUID.nameUUIDFromBytes(exact.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Sends at most one batch if the connection may send; returns how many quantities it settled. */
    int tick() {
        if (!warmed) {
            warmed = true;
            try {
                oci.tokens().accessToken(); // the first token before any work: the first update does not wait for it
            } catch (Exception ignored) {
                // a refused or unreachable token endpoint shows when there is work
            }
        }
        if (clock.instant().isBefore(pausedUntil)) {
            return 0;
        }
        List<Pending> batch = context.outboundQueue().next(connectionId, KIND, settings.batchSize());
        if (batch.isEmpty() || !oci.ready()
                || !context.outboundQueue().tryLease(connectionId, KIND, context.instanceId(), Duration.ofSeconds(15))) {
            return 0;
        }
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        ArrayNode records = body.putArray("records");
        Map<String, Pending> byRequest = new HashMap<>();
        String now = clock.instant().toString();
        for (Pending p : batch) {
            String id = actionRequestId(connectionId, p.key(), settings.ociLocation(), p.value());
            byRequest.put(id, p);
            records.addObject().put("actionRequestId", id).put("externalRefId", p.value().path("eventId").asText(id))
                    .put("locationIdentifier", settings.ociLocation()).put("stockKeepingUnit", p.key())
                    .put("onHand", p.value().path("quantity").asLong()).put("safetyStockCount", 0).put("effectiveDate", now)
                    .putArray("futureStock");
        }
        SfccApi.Result result;
        try {
            result = oci.call("inventory_call", "POST", URI.create(settings.api("inventory", "availability")
                    + "/availability-records/actions/batch-update"), CanonicalJson.write(body));
        } catch (CredentialsRefused refused) {
            pausedUntil = clock.instant().plus(settings.pausedRetry());
            context.reportStatus(connectionId, CheckResult.failed("inventory updates paused: " + refused.getMessage()
                    + "; tried again at " + pausedUntil));
            return 0;
        }
        if (result instanceof SfccApi.Result.Refused refused) {
            batch.forEach(p -> deadLetter(p, refused.reason()));
            context.outboundQueue().done(batch);
            return batch.size();
        }
        if (!(result instanceof SfccApi.Result.Ok ok)) {
            return 0; // later: everything stays queued, the limiter holds the next call back
        }
        List<Pending> settled = new ArrayList<>(batch);
        for (JsonNode record : ok.body().path("records")) {
            Pending p = byRequest.get(record.path("actionRequestId").asText());
            if (p != null && record.has("success") && !record.path("success").asBoolean()) {
                deadLetter(p, "OCI refused the record: " + record.path("message").asText("no reason given"));
            }
        }
        context.outboundQueue().done(settled);
        context.metrics().add(connectionId, "inventory_quantity", "set", settled.size());
        return settled.size();
    }

    private void deadLetter(Pending p, String reason) {
        context.metrics().count(connectionId, "inventory_quantity", "dead_lettered");
        context.deadLetters().record(deadLetterConsumer(), p.key(), "sfcc.inventory.batch-update", reason,
                CanonicalJson.write(p.value()));
    }
}
