package dev.unison.platform.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaContext;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Draft202012;
import com.networknt.schema.keyword.AbstractKeywordValidator;
import com.networknt.schema.keyword.Keyword;
import com.networknt.schema.keyword.KeywordValidator;
import com.networknt.schema.path.NodePath;
import dev.unison.canonical.event.CanonicalSchemas;
import dev.unison.canonical.json.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The partner API's request and response bodies as JSON Schema (draft 2020-12) files in
 * {@code api-schemas/} on the classpath: {@code <operationId>.request.schema.json} and
 * {@code <operationId>.response.schema.json}. The same files validate requests (networknt
 * json-schema-validator) and are embedded in the OpenAPI 3.1 document, so the documented bounds are
 * the enforced ones.
 *
 * <p>One keyword is ours: {@value #INSTANT_WINDOW} bounds a date-time (or full-date) string relative
 * to the clock, which plain JSON Schema cannot express ("not more than a day in the future"):
 * {@code {"notBefore": "2000-01-01T00:00:00Z" | "now", "notAfterFromNow": "P1D" | "<limit name>",
 * "description": "..."}}. Named limits come from settings (e.g. the reservation hold limit).
 */
public final class ApiSchemas {

    public static final String BASE_URI = "https://unison.dev/api-schemas/";
    public static final String INSTANT_WINDOW = "x-instant-window";
    /** The validated request body, for the operation's handler. */
    public static final String BODY = "unison.validatedBody";

    private final Clock clock;
    private final Map<String, Duration> limits;
    private final SchemaRegistry registry;
    private final Map<String, Optional<Schema>> compiled = new ConcurrentHashMap<>();

    /**
     * @param limits named durations a schema's {@value #INSTANT_WINDOW} may refer to, e.g.
     *        {@code reservation-max-hold}
     */
    public ApiSchemas(Clock clock, Map<String, Duration> limits) {
        this.clock = clock;
        this.limits = Map.copyOf(limits);
        Dialect dialect = Dialect.builder(Draft202012.getInstance()).keyword(new InstantWindowKeyword()).build();
        this.registry = SchemaRegistry.withDefaultDialect(dialect, builder -> builder
                .schemaIdResolvers(resolvers -> resolvers.mapPrefix(BASE_URI, "classpath:api-schemas/")
                        .mapPrefix(CanonicalSchemas.BASE_URI, "classpath:schemas/"))
                // draft 2020-12 treats "format" as an annotation unless asked: a malformed date-time must fail
                .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    }

    /** The request body schema of an operation as JSON, if it has one. */
    public Optional<JsonNode> requestSchema(String operationId) {
        return document(operationId + ".request.schema.json");
    }

    /** The 2xx response body schema of an operation as JSON, if it has one. */
    public Optional<JsonNode> responseSchema(String operationId) {
        return document(operationId + ".response.schema.json");
    }

    /** The named limits, for the OpenAPI document and docs. */
    public Map<String, Duration> limits() {
        return limits;
    }

    /**
     * Reads the body as JSON (400/413 as {@link ApiSupport#jsonBody}) and validates it against the
     * operation's request schema: 422 naming each violated field by JSON Pointer, before the
     * handler runs, so a rejected request changes nothing. The parsed body is left in {@link #BODY}.
     */
    public Processor validator(String operationId) {
        Schema schema = schema(operationId + ".request.schema.json")
                .orElseThrow(() -> new IllegalStateException("no request schema for " + operationId));
        return exchange -> {
            JsonNode body = ApiSupport.jsonBody(exchange);
            List<String> problems = validate(schema, body);
            if (!problems.isEmpty()) {
                throw ApiException.unprocessable(String.join("; ", problems));
            }
            exchange.setProperty(BODY, body);
        };
    }

    /** Whether an operation has a request schema file. */
    public boolean hasRequestSchema(String operationId) {
        return schema(operationId + ".request.schema.json").isPresent();
    }

    /** The body {@link #validator} accepted. */
    public static JsonNode body(Exchange exchange) {
        return exchange.getProperty(BODY, JsonNode.class);
    }

    /** Violations of a body against the operation's request schema, e.g. one transaction of a batch. */
    public List<String> validateRequest(String operationId, JsonNode body) {
        return validate(schema(operationId + ".request.schema.json")
                .orElseThrow(() -> new IllegalStateException("no request schema for " + operationId)), body);
    }

    /** Violations of a response body against the operation's response schema (for tests and self-checks). */
    public List<String> validateResponse(String operationId, JsonNode body) {
        return schema(operationId + ".response.schema.json").map(s -> validate(s, body)).orElse(List.of());
    }

    private List<String> validate(Schema schema, JsonNode body) {
        List<String> out = new ArrayList<>();
        // as text: the validator reads Jackson 3 trees (tools.jackson), the hub's bodies are Jackson 2 trees
        for (Error error : schema.validate(CanonicalJson.write(hasWideFloat(body) ? wideFloatsAsIntegers(body) : body),
                InputFormat.JSON)) {
            String location = error.getInstanceLocation().toString();
            String base = location.equals("$") || location.equals("/") ? "" : location;
            String pointer = switch (String.valueOf(error.getKeyword())) {
                case "required", "additionalProperties" -> base + "/" + error.getProperty();
                default -> base;
            };
            String message = switch (String.valueOf(error.getKeyword())) {
                case "required" -> "required";
                case "additionalProperties" -> "unknown field";
                // {"not": {"const": 0}} would read "must not be valid to the schema {"const":0}"
                case "not" -> error.getSchemaNode() != null && error.getSchemaNode().has("const")
                        ? "must not be " + error.getSchemaNode().get("const") : error.getMessage();
                default -> error.getMessage().replaceFirst("^\\$[^:]*: ", "");
            };
            out.add((pointer.isEmpty() ? "/" : pointer) + ": " + message);
        }
        // a malformed date-time is named once (by "format"), not also by x-instant-window
        List<String> pointersNamed = out.stream().filter(v -> !v.contains(": " + UNPARSABLE))
                .map(v -> v.substring(0, v.indexOf(": "))).toList();
        out.removeIf(v -> v.contains(": " + UNPARSABLE) && pointersNamed.contains(v.substring(0, v.indexOf(": "))));
        return out;
    }

    private static final BigDecimal LONG_RANGE = BigDecimal.valueOf(Long.MAX_VALUE);

    /**
     * networknt 3.0.9 compares an integer bound with {@code asLong()} of any non-BigInteger number,
     * which throws for e.g. {@code 1e30}: such a number is integral anyway (every double beyond
     * 2^53 is), so it is handed over as the big integer it denotes and fails its bound as it should.
     */
    private static boolean hasWideFloat(JsonNode node) {
        if (node.isFloatingPointNumber()) {
            return node.decimalValue().abs().compareTo(LONG_RANGE) > 0;
        }
        for (JsonNode child : node) {
            if (hasWideFloat(child)) {
                return true;
            }
        }
        return false;
    }

    static JsonNode wideFloatsAsIntegers(JsonNode node) {
        if (node.isFloatingPointNumber() && node.decimalValue().abs().compareTo(LONG_RANGE) > 0) {
            return BigIntegerNode.valueOf(node.decimalValue().toBigInteger());
        }
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            node.properties().forEach(f -> copy.set(f.getKey(), wideFloatsAsIntegers(f.getValue())));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(item -> copy.add(wideFloatsAsIntegers(item)));
            return copy;
        }
        return node;
    }

    private Optional<Schema> schema(String file) {
        return compiled.computeIfAbsent(file, f -> document(f).map(json -> registry.getSchema(SchemaLocation.of(BASE_URI + f))));
    }

    /**
     * A schema document a response or request schema refers to by absolute {@code $id}: one of ours
     * under {@link #BASE_URI} or a canonical model schema under {@link CanonicalSchemas#BASE_URI}.
     */
    public Optional<JsonNode> referenced(String uri) {
        if (uri.startsWith(BASE_URI)) {
            return document(uri.substring(BASE_URI.length()));
        }
        if (uri.startsWith(CanonicalSchemas.BASE_URI)) {
            return resource("schemas/" + uri.substring(CanonicalSchemas.BASE_URI.length()));
        }
        return Optional.empty();
    }

    private static Optional<JsonNode> document(String file) {
        return resource("api-schemas/" + file);
    }

    private static Optional<JsonNode> resource(String path) {
        try (InputStream in = ApiSchemas.class.getClassLoader().getResourceAsStream(path)) {
            return in == null ? Optional.empty() : Optional.of(CanonicalJson.parse(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses what the schema's {@code date-time} / {@code date} formats accept into an instant (a
     * date is its start in UTC). RFC 3339 allows a lower-case {@code t}/{@code z}; java.time does not.
     *
     * @throws DateTimeParseException when it is not one
     */
    public static Instant instant(String text) {
        String t = text.toUpperCase(java.util.Locale.ROOT);
        if (t.length() > 10 && t.charAt(10) == ' ') {
            t = t.substring(0, 10) + "T" + t.substring(11); // RFC 3339, section 5.6, allows a space here
        }
        if (t.length() == 10) {
            return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
        }
        return OffsetDateTime.parse(t).toInstant();
    }

    private static final String UNPARSABLE = "not a date-time this hub can store: ";

    /** {@value #INSTANT_WINDOW}: the instant must lie in [notBefore, now + notAfterFromNow]. */
    private final class InstantWindowKeyword implements Keyword {
        @Override
        public String getValue() {
            return INSTANT_WINDOW;
        }

        @Override
        public KeywordValidator newValidator(SchemaLocation location, tools.jackson.databind.JsonNode schemaNode,
                Schema parent, SchemaContext context) {
            String notBefore = schemaNode.path("notBefore").asString(null);
            String ahead = schemaNode.path("notAfterFromNow").asString(null);
            Instant fixedEarliest = notBefore == null || notBefore.equals("now") ? null : Instant.parse(notBefore);
            boolean afterNow = "now".equals(notBefore);
            Duration maxAhead = ahead == null ? null : duration(ahead);
            return new AbstractKeywordValidator(this, schemaNode, location) {
                @Override
                public void validate(ExecutionContext ctx, tools.jackson.databind.JsonNode node,
                        tools.jackson.databind.JsonNode root, NodePath at) {
                    if (!node.isString()) {
                        return; // "type" reports it
                    }
                    Instant value;
                    try {
                        value = instant(node.asString());
                    } catch (java.time.DateTimeException notInstant) {
                        // also what "format" lets through (e.g. 23:59:60); when both refuse, validate() keeps one
                        ctx.addError(error(at, node, UNPARSABLE + "'" + node.asString() + "'"));
                        return;
                    }
                    Instant now = clock.instant();
                    if (fixedEarliest != null && value.isBefore(fixedEarliest)) {
                        ctx.addError(error(at, node, "must not be before " + fixedEarliest + ", got " + node.asString()));
                    } else if (afterNow && !value.isAfter(now)) {
                        ctx.addError(error(at, node, "must be in the future, got " + node.asString()));
                    } else if (maxAhead != null && value.isAfter(now.plus(maxAhead))) {
                        ctx.addError(error(at, node, "must not be more than " + maxAhead + " from now, got " + node.asString()));
                    }
                }

                private Error error(NodePath at, tools.jackson.databind.JsonNode node, String message) {
                    return Error.builder().keyword(INSTANT_WINDOW).instanceLocation(at).instanceNode(node)
                            .schemaLocation(location).evaluationPath(at).message(message).build();
                }
            };
        }

        private Duration duration(String text) {
            if (text.startsWith("P")) {
                return Duration.parse(text);
            }
            Duration named = limits.get(text);
            if (named == null) {
                throw new IllegalStateException(INSTANT_WINDOW + ": unknown limit '" + text + "'; known: " + limits.keySet());
            }
            return named;
        }
    }
}
