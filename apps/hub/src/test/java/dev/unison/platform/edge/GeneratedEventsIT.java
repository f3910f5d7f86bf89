package dev.unison.platform.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Issue 15, "Done when", for {@code POST /api/v1/events}: CloudEvents generated in every mode the
 * request schema names (short form, structured, batched, binary), half valid and half near-valid
 * (one attribute or the data just wrong: another specversion, a missing attribute, a hub-only type,
 * data breaking its schema, a time out of its window, an id too long, an attribute name CloudEvents
 * does not allow). Every answer must be below 500, declared in the OpenAPI document, valid against
 * the response schema when 2xx, and a rejected event must leave no outbox row behind.
 */
@EmbeddedHub
class GeneratedEventsIT {

    static final int REQUESTS = Integer.getInteger("unison.generated-requests", 1000);
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    @LocalServerPort
    int port;
    @Autowired
    ApiSchemas schemas;
    @Autowired
    JdbcTemplate jdbc;

    HttpApi api;
    String key;
    JsonNode declared;

    /** One request as sent: content type, ce-* headers (binary mode), body, and the ids whose fate is checked. */
    record Request(String contentType, Map<String, String> headers, String body, List<String> ids, boolean valid) {
    }

    @BeforeEach
    void partner() {
        api = new HttpApi(port);
        HttpApi.Reply created = api.post("/api/v1/admin/partners", EmbeddedHub.BOOTSTRAP_KEY,
                "{\"name\":\"gen-events-" + System.nanoTime() % 1_000_000_000L + "\",\"scopes\":[\"events:write\",\"events:read\"]}");
        key = created.json().get("apiKey").asText();
        declared = api.get("/api/v1/openapi.json", null).json().at("/paths/~1api~1v1~1events/post/responses");
    }

    @Test
    void generatedEventsGetDeclaredAnswersAndRejectedOnesLeaveNothing() throws Exception {
        Iterator<Request> generated = requests().sampleStream().iterator();
        Map<Integer, Integer> statuses = new ConcurrentSkipListMap<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> sent = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            Request request = generated.next();
            sent.add(pool.submit(() -> check(request, statuses, failures)));
        }
        pool.shutdown();
        for (Future<?> f : sent) {
            f.get(5, TimeUnit.MINUTES);
        }
        System.out.println("GeneratedEventsIT statuses: " + statuses);
        assertThat(failures).as(failures.size() + " failures").isEmpty();
        assertThat(statuses.keySet()).as("accepted and rejected requests were generated").contains(202, 400, 403, 422);
    }

    private void check(Request request, Map<Integer, Integer> statuses, List<String> failures) {
        if (failures.size() >= 10) {
            return;
        }
        HttpApi.Reply reply = api.post("/api/v1/events", key, request.contentType(), request.body(), request.headers());
        statuses.merge(reply.status(), 1, Integer::sum);
        String seen = request + " -> " + reply.status() + " " + reply.body();
        if (reply.status() >= 500) {
            failures.add("5xx: " + seen);
            return;
        }
        if (!declared.has(Integer.toString(reply.status()))) {
            failures.add("undeclared: " + seen);
            return;
        }
        if (reply.status() >= 300) {
            if (!reply.json().path("error").isTextual() || !reply.json().path("detail").isTextual()) {
                failures.add("not an {error, detail} body: " + seen);
            }
            request.ids().forEach(id -> leftNothing(id, seen, failures));
            return;
        }
        List<String> off = schemas.validateResponse("post-event", reply.json());
        if (!off.isEmpty()) {
            failures.add("off its schema " + off + ": " + seen);
        }
        if (reply.json().has("results")) {
            JsonNode results = reply.json().get("results");
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i).get("status").asText().equals("rejected")) {
                    leftNothing(request.ids().get(i), seen, failures);
                }
            }
        } else if (!request.valid()) {
            failures.add("a near-valid event was accepted: " + seen);
        }
    }

    private void leftNothing(String id, String seen, List<String> failures) {
        Long rows = jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE owner_event_id = ?", Long.class, id);
        if (rows != null && rows > 0) {
            failures.add("a rejected event was stored (" + id + "): " + seen);
        }
    }

    // ---- generation -------------------------------------------------------------------------------

    private Arbitrary<Request> requests() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, structured().map(e -> single("application/cloudevents+json", e))),
                Tuple.of(2, shortForm()),
                Tuple.of(2, binary()),
                Tuple.of(2, structured().list().ofMinSize(1).ofMaxSize(20).map(this::batch)));
    }

    private Request single(String contentType, Event event) {
        return new Request(contentType, Map.of(), CanonicalJson.write(event.json()), List.of(event.id()), event.valid());
    }

    private Request batch(List<Event> events) {
        ArrayNode array = JSON.arrayNode();
        events.forEach(e -> array.add(e.json()));
        return new Request("application/cloudevents-batch+json", Map.of(), CanonicalJson.write(array),
                events.stream().map(Event::id).toList(), events.stream().allMatch(Event::valid));
    }

    /** A structured CloudEvent and whether it is valid. */
    record Event(ObjectNode json, String id, boolean valid) {
    }

    private Arbitrary<Event> structured() {
        Arbitrary<Event> valid = Combinators.combine(fresh(), fresh()).as((id, sku) -> new Event(cloudEvent(id, sku), id, true));
        Arbitrary<UnaryOperator<ObjectNode>> breakage = Arbitraries.of(List.<UnaryOperator<ObjectNode>>of(
                e -> e.put("specversion", "0.3"),
                e -> e.put("specversion", "2.0"),
                e -> (ObjectNode) e.without("specversion"),
                e -> (ObjectNode) e.without("source"),
                e -> (ObjectNode) e.without("type"),
                e -> e.put("source", ""),
                e -> e.put("type", "commerce.availability.changed.v1"),
                e -> e.put("type", "commerce.profile.merged.v1"),
                e -> e.put("type", "commerce.unknown.v1"),
                e -> e.put("time", "9999-12-31T23:59:59Z"),
                e -> e.put("time", "+1000000000-01-01T00:00:00Z"),
                e -> e.put("time", "yesterday"),
                e -> e.put("datacontenttype", "text/plain"),
                e -> e.put("Bad-Name", "x"),
                e -> e.put("data_base64", "e30="),
                e -> e.put("partitionkey", "not-the-sku"),
                e -> (ObjectNode) e.set("data", JSON.objectNode().put("sku", "")),
                e -> (ObjectNode) e.set("data", JSON.objectNode().put("sku", "S").put("gtin", "12AB")),
                e -> (ObjectNode) e.set("data", JSON.textNode("not an object")),
                e -> (ObjectNode) e.set("id", JSON.numberNode(7))));
        Arbitrary<Event> near = Combinators.combine(fresh(), fresh(), breakage).as((id, sku, br) -> {
            ObjectNode e = br.apply(cloudEvent(id, sku));
            return new Event(e, id, false);
        });
        Arbitrary<Event> longId = fresh().map(id -> {
            String tooLong = id + "x".repeat(101);
            return new Event(cloudEvent(tooLong, "S"), tooLong, false);
        });
        return Arbitraries.frequencyOf(Tuple.of(5, valid), Tuple.of(5, near), Tuple.of(1, longId));
    }

    private Arbitrary<Request> shortForm() {
        Arbitrary<Request> valid = Combinators.combine(fresh(), fresh()).as((id, sku) -> new Request("application/json", Map.of(),
                "{\"id\":\"" + id + "\",\"type\":\"commerce.item.upserted.v1\",\"data\":{\"sku\":\"" + sku + "\"}}", List.of(id), true));
        Arbitrary<Request> near = Combinators.combine(fresh(), Arbitraries.of(
                "{\"id\":\"%s\",\"type\":\"commerce.availability.changed.v1\",\"data\":{}}",
                "{\"id\":\"%s\",\"type\":\"commerce.item.upserted.v1\"}",
                "{\"id\":\"%s\",\"data\":{\"sku\":\"S\"}}",
                "{\"id\":\"%s\",\"type\":\"commerce.item.upserted.v1\",\"data\":{\"sku\":\"S\"},\"extra\":1}",
                "{\"id\":\"%s\",\"type\":7,\"data\":{\"sku\":\"S\"}}",
                "{\"id\":\"%s\",\"type\":\"commerce.item.upserted.v1\",\"data\":[1]}",
                "[\"%s\"]",
                "{\"id\":\"%s\",\"type\":\"commerce.item.upserted.v1\",\"data\":{\"sku\":\"S\"}")).as((id, template) ->
                new Request("application/json", Map.of(), template.formatted(id), List.of(id), false));
        return Arbitraries.frequencyOf(Tuple.of(1, valid), Tuple.of(1, near));
    }

    private Arbitrary<Request> binary() {
        Arbitrary<Request> valid = Combinators.combine(fresh(), fresh()).as((id, sku) -> new Request("application/json",
                Map.of("ce-specversion", "1.0", "ce-id", id, "ce-source", "/gen", "ce-type", "commerce.item.upserted.v1"),
                "{\"sku\":\"" + sku + "\"}", List.of(id), true));
        Arbitrary<Request> near = Combinators.combine(fresh(), Arbitraries.of(
                Map.of("ce-specversion", "0.3", "ce-source", "/gen", "ce-type", "commerce.item.upserted.v1"),
                Map.of("ce-specversion", "1.0", "ce-type", "commerce.item.upserted.v1"),
                Map.of("ce-specversion", "1.0", "ce-source", "/gen"),
                Map.of("ce-specversion", "1.0", "ce-source", "/gen", "ce-type", "commerce.inventory.oversold.v1"),
                Map.of("ce-specversion", "1.0", "ce-source", "/gen", "ce-type", "commerce.item.upserted.v1", "ce-time", "9999-01-01T00:00:00Z")))
                .as((id, headers) -> {
                    Map<String, String> withId = new java.util.HashMap<>(headers);
                    withId.put("ce-id", id);
                    return new Request("application/json", withId, "{\"sku\":\"S\"}", List.of(id), false);
                });
        return Arbitraries.frequencyOf(Tuple.of(1, valid), Tuple.of(1, near));
    }

    private static ObjectNode cloudEvent(String id, String sku) {
        ObjectNode e = JSON.objectNode();
        e.put("specversion", "1.0").put("id", id).put("source", "/gen").put("type", "commerce.item.upserted.v1")
                .put("time", Instant.now().minus(Duration.ofMinutes(1)).toString()).put("datacontenttype", "application/json");
        e.set("data", JSON.objectNode().put("sku", sku).put("title", "Generated"));
        return e;
    }

    /** Random, without jqwik's edge cases: generated ids must not collide across requests. */
    private static Arbitrary<String> fresh() {
        return Arbitraries.randomValue(r -> "GEN" + Long.toString(Math.abs(r.nextLong() % 2_000_000_000_000_000L) + 100_000_000_000L, 36));
    }
}
