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

    public String setting(String field) {
        JsonNode value = settings.get(field);
        return value == null || value.isNull() ? null : value.asText();
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
