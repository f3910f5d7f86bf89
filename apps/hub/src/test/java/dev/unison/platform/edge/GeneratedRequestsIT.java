package dev.unison.platform.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Issue 15, "Done when": requests generated from each request schema (jqwik arbitraries built by
 * walking the schema; half valid, half near-valid: one field just out of range, of the wrong type,
 * missing or unknown) against the running hub. Every answer must be below 500, declared for the
 * operation in the OpenAPI document, and — for 2xx — valid against the operation's response
 * schema; after a rejected request the state it could touch is unchanged.
 *
 * <p>{@code -Dunison.generated-requests=N} sets the requests per endpoint (default 1,000).
 */
@EmbeddedHub
class GeneratedRequestsIT {

    /** Every scope the hub's modules declare: the platform's and each domain's. */
    private static final java.util.List<String> ALL_SCOPES = new ScopeCatalog(java.util.List.of(DeclaredScopes.platform(),
            dev.unison.orders.OrderScopes.declared(), dev.unison.inventory.InventoryScopes.declared(),
            dev.unison.identity.IdentityScopes.declared())).allWireNames();

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;
    static final int PER_ENDPOINT = Integer.getInteger("unison.generated-requests", 1000);
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** Requests in flight at once: the hub is meant to take concurrent partners, and it keeps the run short. */
    static final int CLIENTS = 8;

    /**
     * What a rejected request must leave alone, per generated key (every generated id, sku, register
     * and source starts with GEN and is random, so concurrent requests do not share them): movements
     * of that sku or key, reservations, POS transactions of that register, partners of that name,
     * identifiers last seen from that source.
     */
    static final String KEY_FINGERPRINT = "SELECT "
            + "(SELECT COUNT(*) FROM inventory_movement WHERE sku = ?) AS movements, "
            + "(SELECT COUNT(*) FROM inventory_movement WHERE movement_key = ? OR movement_key LIKE ?) AS keyed, "
            + "(SELECT COUNT(*) FROM inventory_position WHERE sku = ?) AS positions, "
            + "(SELECT COUNT(*) FROM inventory_reservation WHERE reservation_key LIKE ?) AS reservations, "
            + "(SELECT COUNT(*) FROM pos_transaction WHERE register_id = ?) AS pos, "
            + "(SELECT COUNT(*) FROM partner WHERE name = ?) AS partners, "
            + "(SELECT COUNT(*) FROM identity_identifier WHERE last_source = ?) AS identifiers";

    @LocalServerPort
    int port;
    @Autowired
    ApiSchemas schemas;
    @Autowired
    JdbcTemplate jdbc;

    HttpApi api;
    JsonNode doc;
    final Instant now = Instant.now();

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
        doc = api.get("/api/v1/openapi.json", null).json();
    }

    @ParameterizedTest
    @ValueSource(strings = {"post-pos-transaction", "post-pos-transactions-batch", "post-inventory-adjustment",
            "post-inventory-count", "post-reservation", "post-identities", "create-partner", "update-partner"})
    void generatedRequestsGetDeclaredAnswersAndRejectedOnesChangeNothing(String operationId) {
        String[] route = route(operationId);
        JsonNode declared = doc.at("/paths/" + route[1].replace("/", "~1") + "/" + route[0] + "/responses");
        assertThat(declared.isObject()).as("declared responses of " + operationId).isTrue();
        String path = route[1];
        if (path.contains("{id}")) {
            HttpApi.Reply target = api.get("/api/v1/admin/partners", KEY);
            String id = null;
            for (JsonNode p : target.json().get("partners")) {
                if (p.get("name").asText().equals("gen-target")) {
                    id = p.get("id").asText();
                }
            }
            if (id == null) {
                id = api.post("/api/v1/admin/partners", KEY, "{\"name\": \"gen-target\", \"scopes\": [\"inventory:read\"]}")
                        .json().get("partner").get("id").asText();
            }
            path = path.replace("{id}", id);
        }

        JsonNode schema = schemas.requestSchema(operationId).orElseThrow();
        Arbitrary<JsonNode> requests = Arbitraries.frequencyOf(
                Tuple.of(1, value(schema, "", false)), Tuple.of(1, value(schema, "", true)));
        // sampleStream: jqwik's way to draw from an arbitrary outside a @Property (the hub runs under JUnit Jupiter)
        Iterator<JsonNode> generated = requests.sampleStream().iterator();

        Map<Integer, Integer> statuses = new java.util.concurrent.ConcurrentSkipListMap<>();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        String target = path;
        // one target partner: its scopes are the state, so its updates go one at a time
        int clients = operationId.equals("update-partner") ? 1 : CLIENTS;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int i = 0; i < PER_ENDPOINT; i++) {
            JsonNode request = generated.next();
            done.add(pool.submit(() -> send(operationId, route[0], target, declared, request, statuses, failures)));
        }
        pool.shutdown();
        for (java.util.concurrent.Future<?> f : done) {
            try {
                f.get(5, java.util.concurrent.TimeUnit.MINUTES);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        System.out.println("GeneratedRequestsIT " + operationId + " statuses: " + statuses);
        assertThat(failures).as(failures.size() + " failures").isEmpty();
        assertThat(statuses.keySet()).as("both accepted and rejected requests were generated")
                .anyMatch(s -> s < 300).anyMatch(s -> s == 422);
    }

    private void send(String operationId, String method, String path, JsonNode declared, JsonNode request,
            Map<Integer, Integer> statuses, List<String> failures) {
        if (failures.size() >= 10) {
            return;
        }
        String body = CanonicalJson.write(request);
        List<String> keys = generatedKeys(request);
        // generated keys are fresh: before the request nothing refers to them (the target partner's scopes aside)
        String before = operationId.equals("update-partner") ? fingerprint(operationId, keys) : null;
        HttpApi.Reply reply = method.equals("put") ? api.put(path, KEY, body) : api.post(path, KEY, body);
        statuses.merge(reply.status(), 1, Integer::sum);
        String seen = operationId + " " + body + " -> " + reply.status() + " " + reply.body();
        if (reply.status() >= 500) {
            failures.add("5xx: " + seen);
        } else if (!declared.has(Integer.toString(reply.status()))) {
            failures.add("undeclared: " + seen);
        } else if (reply.status() < 300) {
            List<String> off = reply.body().isEmpty() ? List.of() : schemas.validateResponse(operationId, reply.json());
            if (!off.isEmpty()) {
                failures.add("off its schema " + off + ": " + seen);
            }
        } else {
            JsonNode error = reply.json();
            if (!error.path("error").isTextual() || !error.path("detail").isTextual()) {
                failures.add("not an {error, detail} body: " + seen);
            }
            String after = fingerprint(operationId, keys);
            boolean changed = before == null ? after.matches(".*=\\[[^]]*[1-9][^]]*].*") : !before.equals(after);
            if (changed) {
                failures.add("state changed by a rejected request " + (before == null ? "(fresh keys)" : before) + " -> " + after
                        + ": " + seen);
            }
        }
    }

    private String fingerprint(String operationId, List<String> keys) {
        StringBuilder out = new StringBuilder();
        if (operationId.equals("update-partner")) {
            out.append(jdbc.queryForList("SELECT scopes FROM partner WHERE name = 'gen-target'"));
        }
        for (String k : keys) {
            out.append(k).append('=').append(jdbc.queryForMap(KEY_FINGERPRINT, k, "adjustment:" + k, "count:" + k + ":%", k, "%" + k, k, k,
                    "api:bootstrap:" + k).values()).append(' ');
        }
        return out.toString();
    }

    /** The generated identifying values in a request (ids, skus, registers, names, sources). */
    private static List<String> generatedKeys(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isTextual() && node.asText().matches("(GEN|gen-)[A-Za-z0-9]{8,}")) {
            out.add(node.asText());
        }
        node.forEach(child -> out.addAll(generatedKeys(child)));
        return out;
    }

    private String[] route(String operationId) {
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> p = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields(); ops.hasNext();) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (op.getValue().path("operationId").asText().equals(operationId)) {
                    return new String[] {op.getKey(), p.getKey()};
                }
            }
        }
        throw new AssertionError("no operation " + operationId);
    }

    // ---- values from a schema: valid, or (near = true) with exactly one thing wrong somewhere ----

    private Arbitrary<JsonNode> value(JsonNode schema, String name, boolean near) {
        if (schema.has("enum")) {
            return near ? Arbitraries.of(JSON.textNode(""), JSON.textNode("UNKNOWN"), JSON.numberNode(1), JSON.nullNode())
                    : Arbitraries.of(toList(schema.get("enum")));
        }
        String type = schema.path("type").isArray() ? schema.path("type").get(0).asText() : schema.path("type").asText();
        boolean nullable = schema.path("type").isArray();
        Arbitrary<JsonNode> v = switch (type) {
            case "object" -> object(schema, near);
            case "array" -> array(schema, name, near);
            case "integer" -> integer(schema, near);
            case "string" -> string(schema, name, near);
            default -> Arbitraries.just(JSON.objectNode());
        };
        return nullable && !near ? Arbitraries.frequencyOf(Tuple.of(4, v), Tuple.of(1, Arbitraries.just(JSON.nullNode()))) : v;
    }

    private Arbitrary<JsonNode> object(JsonNode schema, boolean near) {
        JsonNode properties = schema.path("properties");
        if (properties.isEmpty()) {
            // a batch's items are transactions: generate them from the transaction schema
            return value(schemas.requestSchema("post-pos-transaction").orElseThrow(), "", near);
        }
        List<String> names = new ArrayList<>();
        properties.fieldNames().forEachRemaining(names::add);
        List<String> required = toList(schema.path("required")).stream().map(JsonNode::asText).toList();
        List<Arbitrary<JsonNode>> fields = new ArrayList<>();
        for (String n : names) {
            Arbitrary<JsonNode> valid = value(properties.get(n), n, false);
            fields.add(required.contains(n) ? valid : Arbitraries.frequencyOf(Tuple.of(1, valid), Tuple.of(1, Arbitraries.just(MissingNode.getInstance()))));
        }
        Arbitrary<ObjectNode> validObject = Combinators.combine(fields).as(values -> {
            ObjectNode o = JSON.objectNode();
            for (int i = 0; i < names.size(); i++) {
                if (!values.get(i).isMissingNode()) {
                    o.set(names.get(i), values.get(i));
                }
            }
            return o;
        });
        if (!near) {
            return validObject.map(o -> o);
        }
        // one thing wrong: a field near-valid, a required field missing, an unknown field, or not an object
        Arbitrary<Integer> which = Arbitraries.integers().between(0, names.size() - 1);
        List<Arbitrary<JsonNode>> nearFields = names.stream().map(n -> value(properties.get(n), n, true)).toList();
        Arbitrary<JsonNode> oneFieldOff = Combinators.combine(validObject, which).flatAs((o, i) ->
                nearFields.get(i).map(bad -> (JsonNode) o.deepCopy().set(names.get(i), bad)));
        Arbitrary<JsonNode> missing = Combinators.combine(validObject, Arbitraries.of(required.isEmpty() ? names : required))
                .as((o, n) -> (JsonNode) o.deepCopy().without(n));
        Arbitrary<JsonNode> unknown = validObject.map(o -> (JsonNode) o.deepCopy().put("unexpected", 1));
        return Arbitraries.frequencyOf(Tuple.of(6, oneFieldOff), Tuple.of(1, missing), Tuple.of(1, unknown),
                Tuple.of(1, Arbitraries.of(JSON.arrayNode(), JSON.textNode("x"))));
    }

    private Arbitrary<JsonNode> array(JsonNode schema, String name, boolean near) {
        int min = schema.path("minItems").asInt(0);
        int max = Math.min(schema.path("maxItems").asInt(3), Math.max(min, 3));
        Arbitrary<JsonNode> item = value(schema.path("items"), name, false);
        Arbitrary<JsonNode> valid = item.list().ofMinSize(min).ofMaxSize(max)
                .filter(items -> !schema.path("uniqueItems").asBoolean() || items.stream().distinct().count() == items.size())
                .map(items -> {
                    ArrayNode a = JSON.arrayNode();
                    items.forEach(a::add);
                    return a;
                });
        if (!near) {
            return valid;
        }
        Arbitrary<JsonNode> oneItemOff = Combinators.combine(valid, value(schema.path("items"), name, true)).as((a, bad) -> {
            ArrayNode copy = ((ArrayNode) a).deepCopy();
            if (copy.isEmpty()) {
                copy.add(bad);
            } else {
                copy.set(0, bad);
            }
            return copy;
        });
        List<JsonNode> wrong = new ArrayList<>(List.of(JSON.objectNode(), JSON.textNode("x")));
        if (min > 0) {
            wrong.add(JSON.arrayNode());
        }
        return Arbitraries.frequencyOf(Tuple.of(3, oneItemOff), Tuple.of(1, Arbitraries.of(wrong)));
    }

    private Arbitrary<JsonNode> integer(JsonNode schema, boolean near) {
        BigInteger min = schema.has("minimum") ? schema.get("minimum").bigIntegerValue() : BigInteger.ZERO;
        BigInteger max = schema.has("maximum") ? schema.get("maximum").bigIntegerValue() : BigInteger.valueOf(1_000_000);
        boolean notZero = schema.path("not").has("const");
        if (!near) {
            return Arbitraries.bigIntegers().between(min, max).filter(i -> !notZero || i.signum() != 0).map(JSON::numberNode);
        }
        BigInteger twoTo64Plus1 = BigInteger.TWO.pow(64).add(BigInteger.ONE);
        return Arbitraries.of(JSON.numberNode(min.subtract(BigInteger.ONE)), JSON.numberNode(max.add(BigInteger.ONE)),
                JSON.numberNode(BigInteger.valueOf(Long.MAX_VALUE)), JSON.numberNode(BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE)),
                JSON.numberNode(twoTo64Plus1), JSON.numberNode(twoTo64Plus1.negate()), JSON.numberNode(BigInteger.TEN.pow(30)),
                JSON.numberNode(new BigDecimal("1E+30")), JSON.numberNode(1.5), JSON.textNode("1"), JSON.nullNode(),
                JSON.booleanNode(true));
    }

    private Arbitrary<JsonNode> string(JsonNode schema, String name, boolean near) {
        if ("date-time".equals(schema.path("format").asText()) || "date".equals(schema.path("format").asText())) {
            return instant(schema, near);
        }
        if (near) {
            int maxLength = schema.path("maxLength").asInt(64);
            return Arbitraries.of(JSON.textNode(""), JSON.textNode("   "), JSON.textNode("x".repeat(Math.min(maxLength + 1, 70_000))),
                    JSON.textNode("ü\u0000"), JSON.numberNode(5), JSON.nullNode(), JSON.objectNode(), known(name));
        }
        return switch (name) {
            case "storeId", "locationId" -> Arbitraries.of(JSON.textNode("STORE-7"), JSON.textNode("WH-1"));
            case "currency" -> Arbitraries.of(JSON.textNode("USD"), JSON.textNode("EUR"));
            case "gtin" -> Arbitraries.of(JSON.textNode("00012345678905"), JSON.textNode("4006381333931"), JSON.textNode("96385074"));
            case "unitPrice" -> Combinators.combine(Arbitraries.integers().between(0, 99_999), Arbitraries.integers().between(0, 99))
                    .as((units, cents) -> JSON.textNode(units + "." + String.format("%02d", cents)));
            case "phone" -> Arbitraries.of(JSON.textNode("+14155550100"), JSON.textNode("+442079460000"));
            case "email" -> alnum().map(s -> JSON.textNode("gen." + s.toLowerCase() + "@example.com"));
            case "type" -> Arbitraries.of(JSON.textNode("email"), JSON.textNode("loyalty_id"), JSON.textNode("phone"));
            case "value" -> Arbitraries.oneOf(alnum().map(s -> JSON.textNode("gen." + s.toLowerCase() + "@example.com")),
                    alnum().map(s -> JSON.textNode("L-" + s)), Arbitraries.just(JSON.textNode("+14155550100")));
            case "name" -> alnum().map(s -> JSON.textNode("gen-" + s.toLowerCase()));
            case "scopes" -> Arbitraries.of(ALL_SCOPES).map(JSON::textNode);
            default -> alnum().map(s -> JSON.textNode("GEN" + s));
        };
    }

    /** A well-formed value the hub must still refuse (undeclared location, bad check digit, unknown scope). */
    private static JsonNode known(String name) {
        return JSON.textNode(switch (name) {
            case "storeId", "locationId" -> "NOWHERE";
            case "gtin" -> "00012345678906"; // a wrong GS1 check digit
            case "scopes" -> "everything";
            case "unitPrice" -> "1.23456";
            default -> "";
        });
    }

    private Arbitrary<String> alnum() {
        // random, without jqwik's edge cases ("AAAAAAAA" every time): generated keys must not collide
        return Arbitraries.randomValue(r -> Long.toString(Math.abs(r.nextLong() % 2_000_000_000_000_000L) + 100_000_000_000L, 36));
    }

    private Arbitrary<JsonNode> instant(JsonNode schema, boolean near) {
        boolean date = "date".equals(schema.path("format").asText());
        JsonNode window = schema.path(ApiSchemas.INSTANT_WINDOW);
        boolean future = "now".equals(window.path("notBefore").asText());
        String ahead = window.path("notAfterFromNow").asText("P1D");
        Duration maxAhead = ahead.startsWith("P") ? Duration.parse(ahead) : schemas.limits().get(ahead);
        Instant earliest = future ? now.plus(Duration.ofMinutes(10)) : now.minus(Duration.ofDays(400));
        Instant latest = date ? now : now.plus(maxAhead).minus(Duration.ofMinutes(10));
        if (!near) {
            return Arbitraries.longs().between(earliest.getEpochSecond(), latest.getEpochSecond())
                    .map(s -> JSON.textNode(date ? LocalDate.ofInstant(Instant.ofEpochSecond(s), ZoneOffset.UTC).toString()
                            : Instant.ofEpochSecond(s).toString()));
        }
        if (date) {
            return Arbitraries.of(JSON.textNode("9999-12-31"), JSON.textNode("1999-12-31"), JSON.textNode("2026-02-30"),
                    JSON.textNode("+1000000000-01-01"), JSON.textNode("26-11-2026"), JSON.numberNode(20261126));
        }
        return Arbitraries.<JsonNode>of(JSON.textNode("9999-12-31T23:59:59Z"), JSON.textNode("+1000000000-01-01T00:00:00Z"),
                JSON.textNode("-1000000000-01-01T00:00:00Z"), JSON.textNode("1999-12-31T23:59:59Z"),
                JSON.textNode(now.plus(maxAhead).plus(Duration.ofHours(1)).toString()),
                JSON.textNode(now.minus(Duration.ofHours(1)).toString()),
                JSON.textNode("2026-13-45T99:99:99Z"), JSON.textNode("yesterday"), JSON.numberNode(now.toEpochMilli()))
                .filter(n -> future || !n.asText().equals(now.minus(Duration.ofHours(1)).toString()));
    }

    private static List<JsonNode> toList(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
