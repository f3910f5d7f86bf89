package dev.unison.connectors.kit.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import java.util.Map;
import java.util.Optional;

/**
 * One configured connection: an instance of a connector (e.g. the shop {@code shopify-main}),
 * with validated settings and its secrets held apart as {@link Secret}s.
 */
public record Connection(String id, ConnectorDescriptor connector, boolean enabled, JsonNode settings,
        Map<String, Secret> secrets) {

    /** A text setting (or any setting as text), its schema default applied; null when unset and without default. */
    public String setting(String field) {
        JsonNode value = declared(field, null);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** An integer setting (declared {@code type: integer}), its default applied; fails when it has neither value nor default. */
    public long integer(String field) {
        return required(declared(field, "integer"), field).asLong();
    }

    /** A boolean setting (declared {@code type: boolean}), its default applied; fails when it has neither value nor default. */
    public boolean bool(String field) {
        return required(declared(field, "boolean"), field).asBoolean();
    }

    /**
     * A duration setting: declared {@code type: string, format: duration} (ISO 8601, e.g.
     * {@code PT5M}, JSON Schema's duration format), its default applied.
     */
    public java.time.Duration duration(String field) {
        JsonNode value = declared(field, "string");
        if (!"duration".equals(connector.configSchema().path("properties").path(field).path("format").asText())) {
            throw new IllegalArgumentException("connector " + connector.name() + " declares " + field + " without format: duration");
        }
        return java.time.Duration.parse(required(value, field).asText());
    }

    /**
     * The value of a setting the connector's schema declares (of the given type, when not null):
     * reading one it does not declare is a bug in the connector (a typo), reported as such rather
     * than read as "not configured".
     */
    private JsonNode declared(String field, String type) {
        JsonNode schema = connector.configSchema().path("properties").path(field);
        if (schema.isMissingNode()) {
            throw new IllegalArgumentException("connector " + connector.name() + " declares no setting '" + field + "'");
        }
        if (type != null && !type.equals(schema.path("type").asText())) {
            throw new IllegalArgumentException("connector " + connector.name() + " declares " + field + " as "
                    + schema.path("type").asText() + ", not " + type);
        }
        return settings.get(field);
    }

    private JsonNode required(JsonNode value, String field) {
        if (value == null || value.isNull()) {
            throw new IllegalStateException("connections." + id + "." + field + ": not set and no default");
        }
        return value;
    }

    public Optional<Secret> secret(String field) {
        return Optional.ofNullable(secrets.get(field));
    }

    public Secret requireSecret(String field) {
        return secret(field).orElseThrow(() -> new IllegalStateException(
                "connections." + id + "." + field + ": no secret configured"));
    }

    /** The settings as they may be shown (API, logs): secrets replaced by a mask. */
    public JsonNode redactedSettings() {
        ObjectNode copy = settings.deepCopy();
        secrets.keySet().forEach(field -> copy.put(field, "******"));
        return copy;
    }
}
