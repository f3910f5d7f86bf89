package dev.unison.canonical.event;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.CanonicalRecord;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A canonical event: the CloudEvents 1.0 envelope (id, source, type, subject, time) around
 * schema-valid canonical data, plus the partition key of its aggregate.
 *
 * <p>The key travels as the {@code partitionkey} attribute of the CloudEvents Partitioning extension
 * (cloudevents/spec, {@code extensions/partitioning.md}); Kafka uses it as the record key and Artemis
 * as the message group, so events of one sku / profile / order stay in order on either bus.
 * Instances are only built through {@link #of} or {@link #fromCloudEvent}, both of which validate.
 */
public record CanonicalEvent(String id, URI source, EventType type, String subject, Instant time,
        String partitionKey, JsonNode data) {

    /** CloudEvents Partitioning extension attribute. */
    public static final String PARTITION_KEY_ATTRIBUTE = "partitionkey";
    public static final String DATA_CONTENT_TYPE = "application/json";

    private static final EventFormat STRUCTURED_JSON =
            Objects.requireNonNull(EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE),
                    "cloudevents-json-jackson is not on the classpath");

    public CanonicalEvent {
        requireText(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(time, "time");
        requireText(partitionKey, "partitionKey");
        Objects.requireNonNull(data, "data");
    }

    /** A new event with a fresh id, timestamped now; the data is validated against its type's schema. */
    public static CanonicalEvent of(EventType type, URI source, CanonicalRecord data) {
        return of(UUID.randomUUID().toString(), type, source, CanonicalJson.toTree(data), Instant.now());
    }

    /**
     * An event from JSON data, e.g. submitted by a partner with its own id (the idempotency key).
     *
     * @throws CanonicalValidationException when the data breaks the schema of {@code type}
     */
    public static CanonicalEvent of(String id, EventType type, URI source, JsonNode data, Instant time) {
        List<String> violations = CanonicalSchemas.validate(type, data);
        if (!violations.isEmpty()) {
            throw new CanonicalValidationException(type.typeName() + " data", violations);
        }
        CanonicalRecord record = CanonicalJson.read(data, type.dataClass());
        String key = record.partitionKey();
        // The data is re-rendered from the record so that every copy of an event is the same JSON
        // (number node kinds, field order), and the time is cut to milliseconds for the same reason.
        return new CanonicalEvent(id, source, type, key, time.truncatedTo(ChronoUnit.MILLIS), key,
                CanonicalJson.toTree(record));
    }

    /**
     * An event the hub builds from its own typed record (not from outside input, which goes through
     * {@link #of(String, EventType, URI, JsonNode, Instant)}). The JSON Schema check runs only with
     * assertions enabled, as in every test run: a record type that cannot render schema-valid data
     * is a bug the tests catch, and in production the check cost the POS writer ~8% of its CPU per
     * event (the data is also rendered once instead of three times).
     *
     * @throws IllegalArgumentException when {@code data} is not the record type of {@code type}
     */
    public static CanonicalEvent ofRecord(String id, EventType type, URI source, CanonicalRecord data, Instant time) {
        if (!type.dataClass().isInstance(data)) {
            throw new IllegalArgumentException(type.typeName() + " carries " + type.dataClass().getSimpleName() + ", not "
                    + data.getClass().getSimpleName());
        }
        JsonNode tree = CanonicalJson.toTree(data);
        assert schemaValid(type, tree);
        String key = data.partitionKey();
        return new CanonicalEvent(id, source, type, key, time.truncatedTo(ChronoUnit.MILLIS), key, tree);
    }

    private static boolean schemaValid(EventType type, JsonNode data) {
        List<String> violations = CanonicalSchemas.validate(type, data);
        if (!violations.isEmpty()) {
            throw new CanonicalValidationException(type.typeName() + " data", violations);
        }
        return true;
    }

    /** Reads the canonical event inside a CloudEvent (either bus, either mode), validating it. */
    public static CanonicalEvent fromCloudEvent(CloudEvent event) {
        EventType type = EventType.byTypeName(event.getType())
                .orElseThrow(() -> new CanonicalValidationException("event " + event.getId(),
                        List.of("type: unknown canonical event type '" + event.getType() + "'")));
        if (event.getData() == null) {
            throw new CanonicalValidationException("event " + event.getId(), List.of("data: required"));
        }
        JsonNode data = CanonicalJson.parse(event.getData().toBytes());
        Instant time = event.getTime() == null ? Instant.now() : event.getTime().toInstant();
        CanonicalEvent parsed = of(event.getId(), type, event.getSource(), data, time);
        Object key = event.getExtension(PARTITION_KEY_ATTRIBUTE);
        if (key != null && !key.toString().equals(parsed.partitionKey())) {
            throw new CanonicalValidationException("event " + event.getId(),
                    List.of("partitionkey: '" + key + "' does not match the data's key '" + parsed.partitionKey() + "'"));
        }
        return parsed;
    }

    /**
     * Reads an event the hub itself published (its own bus): every such event was validated when
     * it was built ({@link #of}) before it entered the outbox, so the JSON Schema is not checked a
     * second time — the costliest part of a consumer's decode. The data is still bound and
     * re-rendered, so the event equals the one that was published. Without a partition key
     * attribute it falls back to {@link #fromCloudEvent}.
     */
    public static CanonicalEvent fromTrustedCloudEvent(CloudEvent event) {
        Object key = event.getExtension(PARTITION_KEY_ATTRIBUTE);
        EventType type = EventType.byTypeName(event.getType()).orElse(null);
        if (key == null || type == null || event.getData() == null || event.getTime() == null) {
            return fromCloudEvent(event);
        }
        return trusted(event.getId(), event.getSource(), type, event.getSubject(), event.getTime().toInstant(), key.toString(),
                CanonicalJson.parse(event.getData().toBytes()));
    }

    /** The hub's own event from its parts: the data bound and re-rendered, the subject defaulting to the key. */
    private static CanonicalEvent trusted(String id, URI source, EventType type, String subject, Instant time, String key,
            JsonNode data) {
        CanonicalRecord record = CanonicalJson.read(data, type.dataClass());
        return new CanonicalEvent(id, source, type, subject == null ? key : subject, time, key, CanonicalJson.toTree(record));
    }

    /**
     * {@link #fromTrustedCloudEvent} of a structured-mode JSON event, read in one parse: the
     * attributes and the {@code data} object are taken from the JSON tree directly (the SDK's
     * reader rendered the data back to bytes and parsed it a second time; decoding was ~15% of a
     * consumer group's CPU). Anything unusual (no data object, no partition key, another spec
     * version, an unknown type) goes the SDK's way, with its full checks.
     */
    public static CanonicalEvent fromTrustedStructuredJson(String json) {
        JsonNode root = CanonicalJson.parse(json);
        EventType type = root.path("type").isTextual() ? EventType.byTypeName(root.get("type").asText()).orElse(null) : null;
        JsonNode data = root.get("data");
        if (type == null || data == null || !data.isObject() || !"1.0".equals(root.path("specversion").asText())
                || !root.path("id").isTextual() || !root.path("source").isTextual() || !root.path("time").isTextual()
                || !root.path(PARTITION_KEY_ATTRIBUTE).isTextual()) {
            return fromTrustedCloudEvent(STRUCTURED_JSON.deserialize(json.getBytes(StandardCharsets.UTF_8)));
        }
        return trusted(root.get("id").asText(), URI.create(root.get("source").asText()), type,
                root.path("subject").isTextual() ? root.get("subject").asText() : null,
                OffsetDateTime.parse(root.get("time").asText()).toInstant(), root.get(PARTITION_KEY_ATTRIBUTE).asText(), data);
    }

    public static CanonicalEvent fromStructuredJson(byte[] json) {
        return fromCloudEvent(STRUCTURED_JSON.deserialize(json));
    }

    public static CanonicalEvent fromStructuredJson(String json) {
        return fromStructuredJson(json.getBytes(StandardCharsets.UTF_8));
    }

    public CloudEvent toCloudEvent() {
        return CloudEventBuilder.v1()
                .withId(id)
                .withSource(source)
                .withType(type.typeName())
                .withSubject(subject)
                .withTime(OffsetDateTime.ofInstant(time, ZoneOffset.UTC))
                .withDataContentType(DATA_CONTENT_TYPE)
                .withExtension(PARTITION_KEY_ATTRIBUTE, partitionKey)
                .withData(dataBytes())
                .build();
    }

    /** The structured-mode JSON form (CloudEvents JSON Event Format), as stored in the outbox and sent on Artemis. */
    public String toStructuredJson() {
        return new String(STRUCTURED_JSON.serialize(toCloudEvent()), StandardCharsets.UTF_8);
    }

    public byte[] dataBytes() {
        return CanonicalJson.write(data).getBytes(StandardCharsets.UTF_8);
    }

    public <T extends CanonicalRecord> T dataAs(Class<T> recordClass) {
        if (!recordClass.equals(type.dataClass())) {
            throw new IllegalArgumentException(type.typeName() + " carries " + type.dataClass().getSimpleName()
                    + ", not " + recordClass.getSimpleName());
        }
        return CanonicalJson.read(data, recordClass);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }
}
