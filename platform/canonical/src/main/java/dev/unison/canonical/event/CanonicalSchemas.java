package dev.unison.canonical.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import dev.unison.canonical.json.CanonicalJson;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSON Schema (draft 2020-12) validation of canonical data with networknt json-schema-validator, a
 * maintained implementation of the full draft. Schemas live in {@code schemas/} on the classpath and
 * refer to each other ({@code money}, {@code identifier}) by their {@code $id} under {@link #BASE_URI}.
 */
public final class CanonicalSchemas {

    public static final String BASE_URI = "https://unison.dev/schemas/";

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder
                    .schemaIdResolvers(resolvers -> resolvers.mapPrefix(BASE_URI, "classpath:schemas/"))
                    // draft 2020-12 treats "format" as an annotation unless asked: a malformed date-time must fail
                    .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

    private static final Map<String, Schema> CACHE = new ConcurrentHashMap<>();

    private CanonicalSchemas() {
    }

    /** {@code Order} → {@code order.schema.json}, {@code ChannelAvailability} → {@code channel-availability.schema.json}. */
    static String resourceFor(Class<?> recordClass) {
        String kebab = recordClass.getSimpleName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
        return kebab + ".schema.json";
    }

    /** Validates canonical data of a type; returns one message per violation, each naming its field. */
    public static List<String> validate(EventType type, JsonNode data) {
        return validate(type.schemaResource(), CanonicalJson.write(data));
    }

    /** Validates a JSON document against a schema by its file name in {@code schemas/}. */
    public static List<String> validate(String schemaResource, String json) {
        Schema schema = CACHE.computeIfAbsent(schemaResource,
                name -> REGISTRY.getSchema(SchemaLocation.of(BASE_URI + name)));
        return violations(schema, json).stream().map(Violation::toString).toList();
    }

    /**
     * Validates a JSON document against a schema given as JSON text (e.g. a connector's
     * configuration schema); it may refer to the canonical schemas by {@code $ref}.
     */
    public static List<Violation> validateWithSchema(String schemaJson, String json) {
        return violations(REGISTRY.getSchema(schemaJson, InputFormat.JSON), json);
    }

    /**
     * Throws {@link IllegalArgumentException} when the text is not a valid draft 2020-12 JSON
     * Schema: it is checked against the meta-schema (the validator itself accepts nonsense such
     * as {@code {"type": 12}} silently) and then compiled.
     */
    public static void requireValidSchema(String schemaJson) {
        Schema metaSchema = CACHE.computeIfAbsent(META_SCHEMA, id -> REGISTRY.getSchema(SchemaLocation.of(id)));
        List<Violation> problems;
        try {
            problems = violations(metaSchema, schemaJson);
            REGISTRY.getSchema(schemaJson, InputFormat.JSON);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a valid JSON Schema: " + e.getMessage(), e);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("not a valid JSON Schema: " + problems);
        }
    }

    private static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";

    private static List<Violation> violations(Schema schema, String json) {
        List<Error> errors = schema.validate(json, InputFormat.JSON);
        return errors.stream().map(CanonicalSchemas::violation).toList();
    }

    /** A violation at a JSON Pointer; "required" and unknown fields point at the field itself. */
    public record Violation(String pointer, String message) {
        /** The pointer in dotted form, e.g. {@code lines.0.quantity}; empty for the document itself. */
        public String dottedPath() {
            return pointer.isEmpty() ? "" : pointer.substring(1).replace('/', '.');
        }

        @Override
        public String toString() {
            return (pointer.isEmpty() ? "(document)" : pointer) + ": " + message;
        }
    }

    private static Violation violation(Error error) {
        String location = error.getInstanceLocation().toString();
        String base = location.equals("$") || location.equals("/") ? "" : location;
        return switch (String.valueOf(error.getKeyword())) {
            case "required" -> new Violation(base + "/" + error.getProperty(), "required");
            case "additionalProperties" -> new Violation(base + "/" + error.getProperty(), "unknown field");
            default -> new Violation(base, error.getMessage());
        };
    }
}
