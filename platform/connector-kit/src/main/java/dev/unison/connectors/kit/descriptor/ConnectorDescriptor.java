package dev.unison.connectors.kit.descriptor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.unison.canonical.event.CanonicalSchemas;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a connector is, declared in one YAML file in the style of a Kamelet: name, description,
 * directions, the canonical event types it consumes and produces, and its configuration as a
 * JSON Schema (required, enum, pattern; {@code format: password} marks a secret). Loading checks
 * the descriptor itself, so a broken connector fails before any route starts.
 *
 * <pre>
 * name: shopify
 * title: Shopify
 * description: Orders, customers, carts and inventory from a Shopify shop.
 * directions: [inbound, outbound]
 * produces: [commerce.order.placed.v1]
 * consumes: [commerce.availability.changed.v1]
 * outbound: [inventory]               # kinds of change its connections take (outbound:...?kind=)
 * config:
 *   type: object
 *   required: [shopDomain, accessToken]
 *   properties:
 *     shopDomain: {type: string, pattern: '^[a-z0-9-]+\.myshopify\.com$'}
 *     accessToken: {type: string, format: password}
 * </pre>
 */
public record ConnectorDescriptor(String name, String title, String description, Set<Direction> directions,
        Set<EventType> consumes, Set<EventType> produces, Set<String> outboundKinds, JsonNode configSchema,
        Set<String> secretFields) {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{1,39}");
    private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    /**
     * The kinds of change the hub hands to connections ({@code outbound:...?kind=}): a vocabulary
     * shared by the fan-out routes and the descriptors, so a typo on either side fails at start
     * while a kind no installed connector takes is simply delivered to nobody.
     */
    public static final Set<String> OUTBOUND_KINDS = Set.of("inventory", "prices", "positions");
    private static final Set<String> KNOWN_KEYS =
            Set.of("name", "title", "description", "directions", "consumes", "produces", "outbound", "config");

    /**
     * The descriptor a connector ships in its jar, {@code connectors/<name>.yaml} beside its classes
     * (the convention every connector follows); a missing file is named.
     */
    public static ConnectorDescriptor bundled(Class<?> connector, String name) {
        String path = "connectors/" + name + ".yaml";
        try (InputStream yaml = connector.getResourceAsStream("/" + path)) {
            if (yaml == null) {
                throw new DescriptorException(path + ": not found beside " + connector.getName());
            }
            return load(yaml, path);
        } catch (IOException e) {
            throw new DescriptorException(path + ": " + e.getMessage(), e);
        }
    }

    public static ConnectorDescriptor load(InputStream yaml, String origin) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new DescriptorException(origin + ": not valid YAML: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new DescriptorException(origin + ": a descriptor is a YAML mapping");
        }
        List<String> problems = new ArrayList<>();
        root.fieldNames().forEachRemaining(k -> {
            if (!KNOWN_KEYS.contains(k)) {
                problems.add(k + ": unknown key (expected " + KNOWN_KEYS + ")");
            }
        });
        String name = text(root, "name", problems);
        if (name != null && !NAME.matcher(name).matches()) {
            problems.add("name: must match " + NAME.pattern());
        }
        String title = text(root, "title", problems);
        String description = text(root, "description", problems);
        Set<Direction> directions = EnumSet.noneOf(Direction.class);
        for (String d : strings(root, "directions", problems)) {
            try {
                directions.add(Direction.valueOf(d.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                problems.add("directions: unknown direction '" + d + "' (inbound, outbound)");
            }
        }
        if (directions.isEmpty() && root.has("directions")) {
            problems.add("directions: at least one of inbound, outbound");
        }
        Set<EventType> consumes = eventTypes(root, "consumes", problems);
        Set<EventType> produces = eventTypes(root, "produces", problems);
        Set<String> outboundKinds = new LinkedHashSet<>();
        if (root.has("outbound")) {
            for (String kind : strings(root, "outbound", problems)) {
                if (!KIND.matcher(kind).matches()) {
                    problems.add("outbound: kind '" + kind + "' must match " + KIND.pattern());
                } else if (!OUTBOUND_KINDS.contains(kind)) {
                    problems.add("outbound: unknown kind '" + kind + "' (kinds: " + String.join(", ", new java.util.TreeSet<>(OUTBOUND_KINDS)) + ")");
                }
                outboundKinds.add(kind);
            }
            if (!outboundKinds.isEmpty() && !directions.contains(Direction.OUTBOUND)) {
                problems.add("outbound: kinds of change declared, but directions has no outbound");
            }
        }
        JsonNode config = root.get("config");
        Set<String> secrets = new LinkedHashSet<>();
        if (config == null || !config.isObject() || !"object".equals(config.path("type").asText())) {
            problems.add("config: required, a JSON Schema with type: object");
        } else {
            try {
                CanonicalSchemas.requireValidSchema(CanonicalJson.write(config));
            } catch (IllegalArgumentException e) {
                problems.add("config: " + e.getMessage());
            }
            for (Iterator<String> it = config.path("properties").fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if ("password".equals(config.path("properties").path(field).path("format").asText())) {
                    secrets.add(field);
                }
            }
            ((ObjectNode) config).put("additionalProperties", config.path("additionalProperties").asBoolean(false));
        }
        if (!problems.isEmpty()) {
            throw new DescriptorException(origin + ": " + String.join("; ", problems));
        }
        return new ConnectorDescriptor(name, title, description, Set.copyOf(directions), consumes, produces,
                Set.copyOf(outboundKinds), config, Set.copyOf(secrets));
    }

    /**
     * Validates one connection's settings against the configuration schema. Every error names its
     * field as {@code connections.<id>.<field>: <problem>}; an empty list means valid.
     */
    public List<String> validateSettings(String connectionId, JsonNode settings) {
        String prefix = "connections." + connectionId;
        return CanonicalSchemas.validateWithSchema(CanonicalJson.write(configSchema), CanonicalJson.write(settings))
                .stream()
                .map(v -> prefix + (v.dottedPath().isEmpty() ? "" : "." + v.dottedPath()) + ": " + v.message())
                .toList();
    }

    private static String text(JsonNode root, String key, List<String> problems) {
        JsonNode value = root.get(key);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            problems.add(key + ": required text");
            return null;
        }
        return value.asText();
    }

    private static List<String> strings(JsonNode root, String key, List<String> problems) {
        JsonNode value = root.get(key);
        List<String> out = new ArrayList<>();
        if (value == null) {
            problems.add(key + ": required list");
        } else if (!value.isArray()) {
            problems.add(key + ": must be a list");
        } else {
            value.forEach(v -> out.add(v.asText()));
        }
        return out;
    }

    private static Set<EventType> eventTypes(JsonNode root, String key, List<String> problems) {
        Set<EventType> types = new LinkedHashSet<>();
        if (!root.has(key)) {
            return Set.of();
        }
        for (String t : strings(root, key, problems)) {
            EventType.byTypeName(t).ifPresentOrElse(types::add,
                    () -> problems.add(key + ": unknown canonical event type '" + t + "'"));
        }
        return Set.copyOf(types);
    }
}
