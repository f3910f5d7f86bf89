package dev.unison.platform.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The partner API from outside, over HTTP, on the hub booted with its embedded defaults. */
@EmbeddedHub
class PartnerApiIT {

    private static final String ITEM = "{\"type\":\"commerce.item.upserted.v1\",\"id\":\"%s\",\"data\":{\"sku\":\"%s\",\"title\":\"Shoe\"}}";

    @LocalServerPort
    int port;
    HttpApi http;

    @BeforeEach
    void client() {
        http = new HttpApi(port);
    }

    @Test
    void healthIsUp() {
        HttpApi.Reply health = http.get("/actuator/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("UP");
        assertThat(health.json().at("/components/bus/status").asText()).isEqualTo("UP");
    }

    @Test
    void prometheusExposesTheHubMetricsWithBoundedUriTags() {
        for (int i = 0; i < 150; i++) {
            http.get("/api/v1/events/scan-" + i, null);
        }
        HttpApi.Reply metrics = http.get("/actuator/prometheus", null);

        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("unison_outbox_published_total", "unison_outbox_relay_batches_total", "unison_outbox_relay_lag_seconds",
                "unison_dead_letters_total");
        long uriSeries = metrics.body().lines().filter(l -> l.startsWith("http_server_requests_seconds_count{"))
                .map(l -> l.replaceAll(".*uri=\"([^\"]*)\".*", "$1")).distinct().count();
        assertThat(uriSeries).as("distinct uri tag values").isLessThanOrEqualTo(100);
    }

    @Test
    void theOpenApiDocumentIsValidOpenApi3AndNeedsNoKey() {
        HttpApi.Reply doc = http.get("/api/v1/openapi.json", null);

        assertThat(doc.status()).isEqualTo(200);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(doc.body());
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getOpenapi()).startsWith("3.");
        assertThat(parsed.getOpenAPI().getPaths()).containsKeys("/api/v1/events/{id}", "/api/v1/events",
                "/api/v1/admin/partners", "/api/v1/admin/partners/{id}/keys/{keyId}");
        assertThat(parsed.getOpenAPI().getPaths().get("/api/v1/events/{id}").getGet().getSecurity().get(0)
                .get("apiKey")).containsExactly("events:read");
    }

    @Test
    void aProtectedEndpointWithoutAKeyAnswers401WithTheJsonErrorBody() {
        HttpApi.Reply reply = http.get("/api/v1/events/anything", null);

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.raw().headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(reply.raw().headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(reply.json().get("error").asText()).isEqualTo("unauthorized");
        assertThat(reply.json().get("detail").asText()).contains("Authorization: Bearer");
        assertThat(reply.body()).doesNotContain("Exception").doesNotContain("at dev.");
    }

    @Test
    void errorsBeforeARouteUseTheSameJsonBody() {
        HttpApi.Reply unknownPath = http.get("/api/v1/no-such-thing", EmbeddedHub.BOOTSTRAP_KEY);
        assertThat(unknownPath.status()).isEqualTo(404);
        assertThat(unknownPath.json().get("error").asText()).isEqualTo("not_found");
        assertThat(unknownPath.json().has("detail")).isTrue();
        assertThat(unknownPath.body()).doesNotContain("trace").doesNotContain("Exception");
    }

    @Test
    void anUnknownKeyIs401AndAMissingScopeIs403() {
        assertThat(http.get("/api/v1/events/x", "unison_not-a-real-key").status()).isEqualTo(401);

        JsonNode created = http.post("/api/v1/admin/partners", EmbeddedHub.BOOTSTRAP_KEY,
                "{\"name\":\"reader-" + System.nanoTime() + "\",\"scopes\":[\"events:read\"]}").json();
        String readerKey = created.get("apiKey").asText();

        HttpApi.Reply forbidden = http.get("/api/v1/admin/partners", readerKey);
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.json().get("error").asText()).isEqualTo("forbidden");
        assertThat(forbidden.json().get("detail").asText()).contains("admin");
        assertThat(http.get("/api/v1/events/none", readerKey).status()).isEqualTo(404);
    }

    @Test
    void partnersAndKeysAreManagedByAdmins() {
        String name = "brand-" + System.nanoTime();
        HttpApi.Reply created = http.post("/api/v1/admin/partners", EmbeddedHub.BOOTSTRAP_KEY,
                "{\"name\":\"" + name + "\",\"scopes\":[\"events:write\"]}");
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().at("/partner/id").asText();
        String firstKey = created.json().get("apiKey").asText();
        assertThat(created.body()).doesNotContain("hash");

        assertThat(http.post("/api/v1/admin/partners", EmbeddedHub.BOOTSTRAP_KEY,
                "{\"name\":\"" + name + "\",\"scopes\":[\"events:write\"]}").status()).isEqualTo(409);
        HttpApi.Reply badScope = http.post("/api/v1/admin/partners", EmbeddedHub.BOOTSTRAP_KEY,
                "{\"name\":\"x-" + name + "\",\"scopes\":[\"everything\"]}");
        assertThat(badScope.status()).isEqualTo(422);
        assertThat(badScope.json().get("detail").asText()).contains("scopes").contains("everything");

        HttpApi.Reply updated = http.put("/api/v1/admin/partners/" + id, EmbeddedHub.BOOTSTRAP_KEY,
                "{\"scopes\":[\"events:write\",\"events:read\"]}");
        assertThat(updated.json().get("scopes")).hasSize(2);

        HttpApi.Reply second = http.post("/api/v1/admin/partners/" + id + "/keys", EmbeddedHub.BOOTSTRAP_KEY, "");
        assertThat(second.status()).isEqualTo(201);
        String firstKeyId = created.json().get("keyId").asText();
        assertThat(http.delete("/api/v1/admin/partners/" + id + "/keys/" + firstKeyId, EmbeddedHub.BOOTSTRAP_KEY)
                .status()).isEqualTo(204);

        assertThat(http.get("/api/v1/events/x", firstKey).status()).as("revoked key").isEqualTo(401);
        assertThat(http.get("/api/v1/events/x", second.json().get("apiKey").asText()).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/admin/partners", EmbeddedHub.BOOTSTRAP_KEY).json().get("partners").toString())
                .contains(name);
    }

    @Test
    void aSubmittedEventIsAcceptedOncePublishedAndTraceable() {
        String id = "evt-" + System.nanoTime();
        HttpApi.Reply accepted = http.post("/api/v1/events", EmbeddedHub.BOOTSTRAP_KEY, ITEM.formatted(id, "SKU-1"));
        assertThat(accepted.status()).isEqualTo(202);
        assertThat(http.post("/api/v1/events", EmbeddedHub.BOOTSTRAP_KEY, ITEM.formatted(id, "SKU-1")).json()
                .get("status").asText()).isEqualTo("duplicate");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode traced = http.get("/api/v1/events/" + id, EmbeddedHub.BOOTSTRAP_KEY).json();
            assertThat(traced.get("status").asText()).isEqualTo("published");
            assertThat(traced.at("/event/specversion").asText()).isEqualTo("1.0");
            assertThat(traced.at("/event/data/sku").asText()).isEqualTo("SKU-1");
            assertThat(traced.get("partitionKey").asText()).isEqualTo("SKU-1");
        });
    }

    @Test
    void badEventsGetAClearErrorAndChangeNothing() {
        HttpApi.Reply schema = http.post("/api/v1/events", EmbeddedHub.BOOTSTRAP_KEY,
                "{\"id\":\"bad-1\",\"type\":\"commerce.item.upserted.v1\",\"data\":{\"sku\":\"S\",\"gtin\":\"12AB\"}}");
        assertThat(schema.status()).isEqualTo(422);
        assertThat(schema.json().get("detail").asText()).contains("/gtin");

        HttpApi.Reply unknownType = http.post("/api/v1/events", EmbeddedHub.BOOTSTRAP_KEY,
                "{\"id\":\"bad-2\",\"type\":\"commerce.item.teleported.v1\",\"data\":{}}");
        assertThat(unknownType.status()).isEqualTo(422);
        assertThat(unknownType.json().get("detail").asText()).contains("unknown canonical event type");

        HttpApi.Reply malformed = http.post("/api/v1/events", EmbeddedHub.BOOTSTRAP_KEY, "{\"type\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("error").asText()).isEqualTo("bad_request");

        HttpApi.Reply huge = http.post("/api/v1/events", EmbeddedHub.BOOTSTRAP_KEY,
                "{\"id\":\"bad-3\",\"type\":\"commerce.item.upserted.v1\",\"data\":{\"sku\":\"S\",\"title\":\""
                        + "x".repeat(1_100_000) + "\"}}");
        assertThat(huge.status()).isEqualTo(413);

        for (String id : new String[] {"bad-1", "bad-2", "bad-3"}) {
            assertThat(http.get("/api/v1/events/" + id, EmbeddedHub.BOOTSTRAP_KEY).status()).as(id).isEqualTo(404);
        }
    }
}
