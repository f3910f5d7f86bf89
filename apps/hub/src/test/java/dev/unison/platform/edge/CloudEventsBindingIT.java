package dev.unison.platform.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * {@code POST /api/v1/events} speaks the CloudEvents HTTP Protocol Binding 1.0.2 (issue finding 10):
 * the official Java SDK's binary, structured and batched requests are accepted and read back as
 * the same event; a malformed CloudEvent is a 400 naming the attribute; only specversion 1.0.
 */
@EmbeddedHub
class CloudEventsBindingIT {

    private static final EventFormat JSON = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);

    @LocalServerPort
    int port;
    HttpApi http;
    String key;
    String partnerId;

    @BeforeEach
    void partner() {
        http = new HttpApi(port);
        HttpApi.Reply created = http.post("/api/v1/admin/partners", EmbeddedHub.BOOTSTRAP_KEY,
                "{\"name\":\"ce-" + System.nanoTime() % 1_000_000_000L + "\",\"scopes\":[\"events:write\",\"events:read\"]}");
        key = created.json().get("apiKey").asText();
        partnerId = created.json().at("/partner/id").asText();
    }

    private static CloudEvent item(String id, String sku) {
        return CloudEventBuilder.v1().withId(id).withSource(URI.create("/pim/catalog")).withType("commerce.item.upserted.v1")
                .withTime(OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS))
                .withDataContentType("application/json")
                .withData(("{\"sku\":\"" + sku + "\",\"title\":\"Trail shoe\"}").getBytes(StandardCharsets.UTF_8)).build();
    }

    /** Reads the event back and checks it is the one sent, as the hub attributes it. */
    private void assertReadBack(CloudEvent sent) {
        HttpApi.Reply traced = http.get("/api/v1/events/" + sent.getId(), key);
        assertThat(traced.status()).as(traced.body()).isEqualTo(200);
        CloudEvent stored = JSON.deserialize(traced.json().get("event").toString().getBytes(StandardCharsets.UTF_8));
        assertThat(stored.getSpecVersion().toString()).isEqualTo("1.0");
        assertThat(stored.getType()).isEqualTo(sent.getType());
        assertThat(stored.getId()).isEqualTo(partnerId + ":" + sent.getId());
        assertThat(stored.getSource()).as("set by the hub").isEqualTo(URI.create("/partners/" + partnerId));
        assertThat(stored.getTime().toInstant()).isEqualTo(sent.getTime().toInstant());
        assertThat(CanonicalJson.parse(stored.getData().toBytes())).isEqualTo(CanonicalJson.parse(sent.getData().toBytes()));
    }

    @Test
    void binaryModeFromTheSdkIsAcceptedAndReadBack() {
        CloudEvent event = item("bin-1", "SKU-BIN");
        Map<String, String> headers = new LinkedHashMap<>();
        AtomicReference<byte[]> body = new AtomicReference<>();
        HttpMessageFactory.createWriter(headers::put, body::set).writeBinary(event);
        String contentType = headers.keySet().stream().filter("content-type"::equalsIgnoreCase).findFirst()
                .map(headers::remove).orElseThrow();
        assertThat(headers).containsKeys("ce-id", "ce-source", "ce-type", "ce-specversion");

        HttpApi.Reply reply = http.post("/api/v1/events", key, contentType, new String(body.get(), StandardCharsets.UTF_8), headers);
        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        assertThat(reply.json().get("id").asText()).isEqualTo("bin-1");
        assertReadBack(event);
        assertThat(http.post("/api/v1/events", key, contentType, new String(body.get(), StandardCharsets.UTF_8), headers)
                .json().get("status").asText()).isEqualTo("duplicate");
    }

    @Test
    void structuredModeFromTheSdkIsAcceptedAndReadBack() {
        CloudEvent event = item("str-1", "SKU-STR");
        HttpApi.Reply reply = http.post("/api/v1/events", key, "application/cloudevents+json; charset=utf-8",
                new String(JSON.serialize(event), StandardCharsets.UTF_8), Map.of());
        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        assertReadBack(event);
    }

    @Test
    void aBatchGetsOneResultPerEvent() {
        CloudEvent first = item("bat-1", "SKU-B1");
        CloudEvent second = item("bat-2", "SKU-B2");
        String forged = """
                {"specversion":"1.0","id":"bat-3","source":"/x","type":"commerce.availability.changed.v1","data":{}}""";
        String noId = """
                {"specversion":"1.0","source":"/x","type":"commerce.item.upserted.v1","data":{"sku":"S"}}""";
        String badData = """
                {"specversion":"1.0","id":"bat-5","source":"/x","type":"commerce.item.upserted.v1","data":{"sku":""}}""";
        String batch = "[" + new String(JSON.serialize(first), StandardCharsets.UTF_8) + ","
                + new String(JSON.serialize(second), StandardCharsets.UTF_8) + "," + forged + "," + noId + "," + badData + ","
                + new String(JSON.serialize(first), StandardCharsets.UTF_8) + "]";

        HttpApi.Reply reply = http.post("/api/v1/events", key, "application/cloudevents-batch+json", batch, Map.of());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode results = reply.json().get("results");
        assertThat(results).hasSize(6);
        assertThat(results.get(0).get("status").asText()).isEqualTo("accepted");
        assertThat(results.get(1).get("status").asText()).isEqualTo("accepted");
        assertThat(results.get(2).get("httpStatus").asInt()).isEqualTo(403);
        assertThat(results.get(3).get("httpStatus").asInt()).isEqualTo(400);
        assertThat(results.get(3).get("detail").asText()).startsWith("id:");
        assertThat(results.get(4).get("httpStatus").asInt()).isEqualTo(422);
        assertThat(results.get(5).get("status").asText()).as("the same id twice in a batch").isEqualTo("duplicate");
        assertReadBack(first);
        assertReadBack(second);
        assertThat(http.get("/api/v1/events/bat-3", key).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/events/bat-5", key).status()).isEqualTo(404);
    }

    @Test
    void anInvalidCloudEventIsA400NamingTheAttribute() {
        String structured = "application/cloudevents+json";
        Map<String, String> cases = Map.of(
                "{\"specversion\":\"1.0\",\"source\":\"/x\",\"type\":\"commerce.item.upserted.v1\",\"data\":{\"sku\":\"S\"}}", "id:",
                "{\"specversion\":\"1.0\",\"id\":\"i\",\"type\":\"commerce.item.upserted.v1\",\"data\":{\"sku\":\"S\"}}", "source:",
                "{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"/x\",\"data\":{\"sku\":\"S\"}}", "type:",
                "{\"specversion\":\"2.0\",\"id\":\"i\",\"source\":\"/x\",\"type\":\"commerce.item.upserted.v1\",\"data\":{}}", "specversion:",
                "{\"specversion\":\"0.3\",\"id\":\"i\",\"source\":\"/x\",\"type\":\"commerce.item.upserted.v1\",\"data\":{}}", "specversion:",
                "{\"id\":\"i\",\"source\":\"/x\",\"type\":\"commerce.item.upserted.v1\",\"data\":{}}", "specversion:",
                "{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"/x\",\"type\":\"commerce.item.upserted.v1\",\"time\":\"yesterday\","
                        + "\"data\":{\"sku\":\"S\"}}", "time:");
        cases.forEach((body, attribute) -> {
            HttpApi.Reply reply = http.post("/api/v1/events", key, structured, body, Map.of());
            assertThat(reply.status()).as(body + " -> " + reply.body()).isEqualTo(400);
            assertThat(reply.json().get("detail").asText()).as(body).startsWith(attribute);
        });
        HttpApi.Reply noType = http.post("/api/v1/events", key, "application/json", "{\"sku\":\"S\"}",
                Map.of("ce-specversion", "1.0", "ce-id", "b-1", "ce-source", "/x"));
        assertThat(noType.status()).isEqualTo(400);
        assertThat(noType.json().get("detail").asText()).startsWith("ce-type:");
        HttpApi.Reply oldBinary = http.post("/api/v1/events", key, "application/json", "{\"sku\":\"S\"}",
                Map.of("ce-specversion", "0.3", "ce-id", "b-2", "ce-source", "/x", "ce-type", "commerce.item.upserted.v1"));
        assertThat(oldBinary.status()).isEqualTo(400);
        assertThat(http.post("/api/v1/events", key, "text/plain", "hello", Map.of()).status()).isEqualTo(415);
        assertThat(http.get("/api/v1/events/i", key).status()).as("nothing stored").isEqualTo(404);
    }

    @Test
    void theOpenApiDocumentDeclaresEveryModeAndOutcome() {
        JsonNode post = http.get("/api/v1/openapi.json", null).json().at("/paths/~1api~1v1~1events/post");
        assertThat(post.at("/requestBody/content").fieldNames()).toIterable()
                .containsExactlyInAnyOrder("application/json", "application/cloudevents+json", "application/cloudevents-batch+json");
        assertThat(post.get("responses").fieldNames()).toIterable().contains("200", "202", "400", "403", "415", "422", "429");
        assertThat(post.at("/requestBody/content/application~1cloudevents+json/schema/$ref").asText()).isNotEmpty();
    }
}
