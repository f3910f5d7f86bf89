package dev.unison.platform.edge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.CanonicalValidationException;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.platform.outbox.Outbox;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;

/**
 * Reads what a partner posts to {@code POST /api/v1/events} and decides what the hub makes of it.
 *
 * <p>The request is read in the mode its {@code Content-Type} names, as the CloudEvents HTTP
 * Protocol Binding 1.0.2 defines them: <em>binary</em> (attributes in {@code ce-*} headers, the data
 * as the JSON body), <em>structured</em> ({@code application/cloudevents+json}, the JSON Event
 * Format) and <em>batched</em> ({@code application/cloudevents-batch+json}, a JSON array of
 * structured events). A plain {@code application/json} body {@code {type, data, id?}} is the hub's
 * short form. Only specversion 1.0 is accepted; a malformed CloudEvent is a 400 naming the
 * attribute.
 *
 * <p>A partner is an outsider, so what it sends is input attributed to it, never the hub's own
 * state: {@code source} is set by the hub ({@code /partners/<partner id>}), the event gets a bus
 * id of the hub's ({@code <partner id>:<the partner's id>}, so partners cannot collide with or
 * squat each other's ids), derived types ({@link EventType#hubOnly()}) are refused with 403, and
 * records that name a channel must name the partner's own (its name) unless it holds
 * {@code partners:all}; price changes, which the fan-out writes into shops, need
 * {@code prices:write}.
 */
final class SubmittedEvents {

    /** Most events in one batched request. */
    static final int MAX_BATCH = 1000;
    /** Longest id a partner may give an event (the bus id adds the partner id in front). */
    static final int MAX_ID_LENGTH = 100;
    static final String STRUCTURED = "application/cloudevents+json";
    static final String BATCH = "application/cloudevents-batch+json";

    private static final Set<String> SHORT_FORM_FIELDS = Set.of("id", "type", "source", "data");
    /** CloudEvents 1.0 context attributes (spec section 3); anything else is an extension. */
    private static final Set<String> CONTEXT_ATTRIBUTES = Set.of("specversion", "id", "source", "type",
            "datacontenttype", "dataschema", "subject", "time", "data", "data_base64");
    /** CloudEvents 1.0 "Attribute Naming Convention": lower-case ASCII letters and digits. */
    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[a-z0-9]{1,20}");
    /** Types whose data names the channel it came from; a partner speaks only for its own. */
    private static final Set<EventType> CHANNEL_RECORDS = Set.of(EventType.ORDER_PLACED, EventType.ORDER_UPDATED,
            EventType.CART_UPDATED, EventType.CUSTOMER_UPSERTED, EventType.REFUND_CREATED);
    /**
     * Types whose data names the ad network it came from; a partner speaks only for its own (its
     * exposures could otherwise displace another network's touches, its spend change another's ROAS,
     * its attributed conversions claim sales in another network's name).
     */
    private static final Set<EventType> NETWORK_RECORDS = Set.of(EventType.AD_EXPOSURE_RECORDED,
            EventType.AD_EXPOSURE_RECORDED_V1, EventType.AD_SPEND_REPORTED, EventType.AD_CONVERSION_ATTRIBUTED);
    /** Event times a partner may state: not before 2000, not more than a day ahead of the hub's clock. */
    private static final Instant EARLIEST_TIME = Instant.parse("2000-01-01T00:00:00Z");

    /** The mode a request is in. */
    enum Mode { BINARY, STRUCTURED, BATCH, SHORT_FORM }

    /** One event of a request: accepted for the outbox, or refused with the error a single request would get. */
    record Item(String partnerEventId, EventType type, Outbox.Submitted submitted, ApiException refused) {
    }

    private final Predicate<String> reservedChannel;

    /** @param reservedChannel channels that belong to the hub's connectors (a partner named so speaks for none) */
    SubmittedEvents(Predicate<String> reservedChannel) {
        this.reservedChannel = reservedChannel;
    }

    static Mode mode(Exchange exchange) {
        String contentType = exchange.getIn().getHeader(Exchange.CONTENT_TYPE, String.class);
        String media = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (media.equals(STRUCTURED)) {
            return Mode.STRUCTURED;
        }
        if (media.equals(BATCH)) {
            return Mode.BATCH;
        }
        if (media.equals("application/json") || media.endsWith("+json")) {
            return ceHeader(exchange, "specversion") != null ? Mode.BINARY : Mode.SHORT_FORM;
        }
        throw new ApiException(415, "unsupported_media_type", "send application/json (the short form or a binary-mode "
                + "CloudEvent with ce-* headers), " + STRUCTURED + " or " + BATCH + "; got '" + contentType + "'");
    }

    /** The single event of a binary, structured or short-form request; throws the error to answer with. */
    Item single(Exchange exchange, Mode mode, Partners.Principal caller) {
        Item item = switch (mode) {
            case BINARY -> binary(exchange, caller);
            case STRUCTURED -> structured(ApiSupport.jsonBody(exchange), caller);
            case SHORT_FORM -> {
                JsonNode body = ApiSupport.jsonBody(exchange);
                yield body.has("specversion") ? structured(body, caller) : shortForm(body, caller);
            }
            case BATCH -> throw new IllegalArgumentException("a batch has many events");
        };
        if (item.refused() != null) {
            throw item.refused();
        }
        return item;
    }

    /** Every event of a batched request, each accepted or refused on its own. */
    List<Item> batch(Exchange exchange, Partners.Principal caller) {
        JsonNode array = ApiSupport.jsonValue(exchange);
        if (!array.isArray() || array.isEmpty() || array.size() > MAX_BATCH) {
            throw ApiException.badRequest("a " + BATCH + " body is a JSON array of 1 to " + MAX_BATCH + " CloudEvents");
        }
        List<Item> items = new ArrayList<>(array.size());
        for (JsonNode element : array) {
            items.add(element.isObject() ? structured(element, caller)
                    : refused(null, null, ApiException.badRequest("each batch element must be a CloudEvent (a JSON object)")));
        }
        return items;
    }

    private Item structured(JsonNode event, Partners.Principal caller) {
        String id = event.path("id").isTextual() ? event.get("id").asText() : null;
        try {
            requireSpecVersion(event.get("specversion"));
            id = requiredAttribute(event, "id");
            requiredAttribute(event, "source");
            String typeName = requiredAttribute(event, "type");
            for (Iterator<String> names = event.fieldNames(); names.hasNext();) {
                String name = names.next();
                if (!CONTEXT_ATTRIBUTES.contains(name) && !ATTRIBUTE_NAME.matcher(name).matches()) {
                    throw ApiException.badRequest(name + ": CloudEvents attribute names are 1 to 20 lower-case letters or digits");
                }
            }
            if (event.has("data_base64")) {
                throw ApiException.badRequest("data_base64: canonical data is JSON; send it as 'data'");
            }
            JsonNode contentType = event.get("datacontenttype");
            if (contentType != null && !(contentType.isTextual() && isJson(contentType.asText()))) {
                throw ApiException.badRequest("datacontenttype: canonical data is JSON (application/json), got " + contentType);
            }
            Instant time = time(event.get("time"));
            return build(id, typeName, event.get("data"), time, partitionKey(event.get(CanonicalEvent.PARTITION_KEY_ATTRIBUTE)),
                    caller);
        } catch (ApiException refused) {
            return refused(id, null, refused);
        }
    }

    private Item binary(Exchange exchange, Partners.Principal caller) {
        String specVersion = ceHeader(exchange, "specversion");
        if (!"1.0".equals(specVersion)) {
            throw ApiException.badRequest("ce-specversion: only CloudEvents 1.0 is supported, got '" + specVersion + "'");
        }
        String id = requiredHeader(exchange, "id");
        requiredHeader(exchange, "source");
        String typeName = requiredHeader(exchange, "type");
        String time = ceHeader(exchange, "time");
        JsonNode data = ApiSupport.jsonBody(exchange);
        return build(id, typeName, data, time == null ? null : time(CanonicalJson.toTree(time)),
                ceHeader(exchange, CanonicalEvent.PARTITION_KEY_ATTRIBUTE), caller);
    }

    private Item shortForm(JsonNode body, Partners.Principal caller) {
        List<String> unknown = new ArrayList<>();
        body.fieldNames().forEachRemaining(f -> {
            if (!SHORT_FORM_FIELDS.contains(f)) {
                unknown.add(f + ": unknown field (expected id, type, source, data or a CloudEvent)");
            }
        });
        if (!unknown.isEmpty()) {
            throw ApiException.unprocessable(String.join("; ", unknown));
        }
        JsonNode type = body.get("type");
        if (type == null || !type.isTextual() || type.asText().isBlank()) {
            throw ApiException.unprocessable("type: required string");
        }
        JsonNode id = body.get("id");
        if (id != null && !id.isNull() && !id.isTextual()) {
            throw ApiException.unprocessable("id: a string of 1 to " + MAX_ID_LENGTH + " characters");
        }
        return build(id == null || id.isNull() ? UUID.randomUUID().toString() : id.asText(), type.asText(), body.get("data"),
                null, null, caller);
    }

    private Item build(String id, String typeName, JsonNode data, Instant time, String partitionKey, Partners.Principal caller) {
        EventType type = EventType.byTypeName(typeName).orElse(null);
        try {
            if (id.isBlank() || id.length() > MAX_ID_LENGTH) {
                throw ApiException.unprocessable("id: a string of 1 to " + MAX_ID_LENGTH + " characters");
            }
            if (type == null) {
                throw ApiException.unprocessable("type: unknown canonical event type '" + typeName + "'");
            }
            authorize(type, data, caller);
            if (data == null || data.isNull()) {
                throw ApiException.unprocessable("data: required");
            }
            CanonicalEvent event = CanonicalEvent.of(caller.partnerId() + ":" + id, type,
                    URI.create("/partners/" + caller.partnerId()), data, time == null ? Instant.now() : time);
            if (partitionKey != null && !partitionKey.equals(event.partitionKey())) {
                throw ApiException.unprocessable("partitionkey: '" + partitionKey + "' does not match the data's key '"
                        + event.partitionKey() + "'");
            }
            return new Item(id, type, new Outbox.Submitted(caller.partnerId(), id, event), null);
        } catch (CanonicalValidationException invalid) {
            return refused(id, type, ApiException.unprocessable(String.join("; ", invalid.violations())));
        } catch (ApiException refused) {
            return refused(id, type, refused);
        }
    }

    /** A partner may submit input facts of its own channel only; see the class comment. */
    private void authorize(EventType type, JsonNode data, Partners.Principal caller) {
        if (type.hubOnly()) {
            throw ApiException.forbidden("type: " + type.typeName() + " is computed by the hub itself and is never accepted "
                    + "from a partner");
        }
        if (type == EventType.PRICE_CHANGED && !caller.has(Scope.PRICES_WRITE)) {
            throw ApiException.forbidden("type: price changes are written into the shops; they need the scope '"
                    + Scope.PRICES_WRITE.wireName() + "'");
        }
        if (caller.has(Scope.ALL_PARTNERS) || data == null) {
            return;
        }
        if (NETWORK_RECORDS.contains(type)) {
            JsonNode network = data.get("network");
            if (network != null && !caller.name().equals(network.asText())) {
                throw ApiException.forbidden("data.network: a partner reports exposures, spend and attributed conversions "
                        + "of its own network only ('" + caller.name() + "'), got " + network);
            }
            return;
        }
        if (!CHANNEL_RECORDS.contains(type)) {
            return;
        }
        String own = caller.name();
        JsonNode channel = data.get("channel");
        if (reservedChannel.test(own) || (channel != null && !own.equals(channel.asText()))) {
            throw ApiException.forbidden("data.channel: a partner reports records of its own channel only ('" + own
                    + "'), got " + channel);
        }
        JsonNode recordId = data.get("id");
        if (recordId != null && recordId.isTextual() && !recordId.asText().startsWith(own + ":")) {
            throw ApiException.forbidden("data.id: a partner's record ids start with '" + own + ":', got '" + recordId.asText()
                    + "'");
        }
    }

    private static Item refused(String id, EventType type, ApiException error) {
        return new Item(id, type, null, error);
    }

    private static void requireSpecVersion(JsonNode specVersion) {
        if (specVersion == null || !specVersion.isTextual()) {
            throw ApiException.badRequest("specversion: required, \"1.0\"");
        }
        if (!"1.0".equals(specVersion.asText())) {
            throw ApiException.badRequest("specversion: only CloudEvents 1.0 is supported, got '" + specVersion.asText() + "'");
        }
    }

    private static String requiredAttribute(JsonNode event, String name) {
        JsonNode value = event.get(name);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw ApiException.badRequest(name + ": required CloudEvents attribute (a non-empty string)");
        }
        return value.asText();
    }

    private static String requiredHeader(Exchange exchange, String attribute) {
        String value = ceHeader(exchange, attribute);
        if (value == null || value.isEmpty()) {
            throw ApiException.badRequest("ce-" + attribute + ": required CloudEvents attribute header");
        }
        return value;
    }

    private static Instant time(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        Instant time;
        try {
            time = OffsetDateTime.parse(value.asText()).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("time: an RFC 3339 timestamp, e.g. 2026-12-03T10:15:30Z, got " + value);
        }
        if (time.isBefore(EARLIEST_TIME) || time.isAfter(Instant.now().plus(1, ChronoUnit.DAYS))) {
            throw ApiException.unprocessable("time: not before 2000-01-01 and not more than a day ahead, got " + value.asText());
        }
        return time;
    }

    private static String partitionKey(JsonNode value) {
        return value == null || value.isNull() ? null : value.asText();
    }

    private static boolean isJson(String mediaType) {
        String media = mediaType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return media.equals("application/json") || media.endsWith("+json");
    }

    /**
     * A {@code ce-<attribute>} header, percent-decoded as the HTTP binding (section 3.1.3.2) asks of
     * a receiver; null when absent.
     */
    static String ceHeader(Exchange exchange, String attribute) {
        for (Map.Entry<String, Object> header : exchange.getIn().getHeaders().entrySet()) {
            if (header.getKey().equalsIgnoreCase("ce-" + attribute) && header.getValue() != null) {
                return percentDecode(header.getValue().toString());
            }
        }
        return null;
    }

    static String percentDecode(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
        byte[] raw = value.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            int hi = i + 2 < raw.length && raw[i] == '%' ? Character.digit(raw[i + 1], 16) : -1;
            int lo = hi >= 0 ? Character.digit(raw[i + 2], 16) : -1;
            if (lo >= 0) {
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.write(raw[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
