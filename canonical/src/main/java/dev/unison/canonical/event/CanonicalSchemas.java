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
        List<Error> errors = schema.validate(json, InputFormat.JSON);
        return errors.stream().map(CanonicalSchemas::describe).toList();
    }

    private static String describe(Error error) {
        String location = error.getInstanceLocation().toString();
        return location + ": " + error.getMessage();
    }
}
