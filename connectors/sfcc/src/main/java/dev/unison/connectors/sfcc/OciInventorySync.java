package dev.unison.connectors.sfcc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.InventoryPosition;
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
 * Writes stock to Omnichannel Inventory, in one of two ways (one instance each):
 * <ul>
 * <li>{@value #KIND}: the channel's available quantity per sku to one OCI location
 *     ({@code ociLocation}); the hub's ATS already holds the channel's safety stock back;</li>
 * <li>{@value #POSITIONS}: each hub location's own stock (on hand less the hub's reservations) per
 *     sku to that location's OCI location ({@code ociLocations}), as OCI models stores and
 *     warehouses; OCI's own location groups and safety stock then decide what the site sells.</li>
 * </ul>
 *
 * <p>Changes go to the kit's durable coalescing queue (newest quantity per sku, or per sku and
 * location, an older version dropped). {@link #tick()} takes up to
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
    static final String POSITIONS = "positions";

    private final String connectionId;
    private final SfccSettings settings;
    private final ConnectorContext context;
    private final SfccApi oci;
    private final Clock clock;
    private volatile Instant pausedUntil = Instant.MIN;
    private volatile boolean warmed;
    private final String kind;

    OciInventorySync(String connectionId, SfccSettings settings, ConnectorContext context, SfccApi oci, Clock clock) {
        this(connectionId, settings, context, oci, clock, KIND);
    }

    OciInventorySync(String connectionId, SfccSettings settings, ConnectorContext context, SfccApi oci, Clock clock, String kind) {
        this.kind = kind;
        this.connectionId = connectionId;
        this.settings = settings;
        this.context = context;
        this.oci = oci;
        this.clock = clock;
    }

    String deadLetterConsumer() {
        return "sfcc:" + connectionId + ":" + kind;
    }

    /**
     * Offers a change to the queue: an availability change of this connection's channel, or a
     * position of a location with an OCI location (others are ignored).
     */
    void offer(CanonicalEvent event) {
        if (KIND.equals(kind)) {
            context.outboundQueue().offerAvailability(connectionId, KIND, settings.channel(), event);
            return;
        }
        if (event.type() != EventType.INVENTORY_ADJUSTED) {
            return;
        }
        InventoryPosition position = event.dataAs(InventoryPosition.class);
        String location = settings.ociLocations().get(position.locationId());
        if (location == null) {
            return;
        }
        ObjectNode value = CanonicalJson.mapper().createObjectNode();
        // what the location can give: a hold for a cart is the hub's, which OCI does not know of
        value.put("quantity", Math.max(0, position.onHand() - position.reserved())).put("eventId", event.id())
                .put("sku", position.sku()).put("location", location);
        context.outboundQueue().offerIfNewer(connectionId, POSITIONS, location + "|" + position.sku(), value, position.version());
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
        if (context.outboundQueue().heldByAnother(connectionId, kind, context.instanceId())) {
            return 0; // another instance sends this connection's quantities
        }
        List<Pending> batch = context.outboundQueue().next(connectionId, kind, settings.batchSize());
        if (batch.isEmpty() || !oci.ready()
                || !context.outboundQueue().tryLease(connectionId, kind, context.instanceId(), Duration.ofSeconds(15))) {
            return 0;
        }
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        ArrayNode records = body.putArray("records");
        Map<String, Pending> byRequest = new HashMap<>();
        String now = clock.instant().toString();
        for (Pending p : batch) {
            String sku = p.value().path("sku").asText(p.key());
            String location = p.value().path("location").asText(settings.ociLocation());
            String id = actionRequestId(connectionId, sku, location, p.value());
            byRequest.put(id, p);
            records.addObject().put("actionRequestId", id).put("externalRefId", p.value().path("eventId").asText(id))
                    .put("locationIdentifier", location).put("stockKeepingUnit", sku)
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
