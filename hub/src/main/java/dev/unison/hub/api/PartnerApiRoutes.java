package dev.unison.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.CanonicalValidationException;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.hub.connectors.InstalledConnectors;
import dev.unison.hub.identity.ProfileDirectory;
import dev.unison.hub.orders.OrderStore;
import dev.unison.hub.outbox.Outbox;
import dev.unison.hub.outbox.OutboxRecord;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;
import org.apache.camel.model.rest.RestParamType;

/**
 * The partner API under {@code /api/v1}, in Camel's REST DSL on platform-http. Each operation is a
 * {@code direct:} route that first checks the caller's API key and scope (see {@link #SCOPES}).
 */
public class PartnerApiRoutes extends RouteBuilder {

    public static final String BASE = "/api/v1";
    /** Partner-submitted events go to this bus topic. */
    public static final String EVENTS_TOPIC = "events";

    /** The scope each operation (by route id) needs; the OpenAPI document states the same. */
    public static final Map<String, Scope> SCOPES = Map.ofEntries(
            Map.entry("list-connections", Scope.OPS),
            Map.entry("check-connection", Scope.OPS),
            Map.entry("get-order", Scope.ORDERS_READ),
            Map.entry("post-pos-transaction", Scope.POS_WRITE),
            Map.entry("post-pos-transactions-batch", Scope.POS_WRITE),
            Map.entry("get-inventory", Scope.INVENTORY_READ),
            Map.entry("post-inventory-adjustment", Scope.INVENTORY_WRITE),
            Map.entry("post-inventory-count", Scope.INVENTORY_WRITE),
            Map.entry("post-reservation", Scope.INVENTORY_WRITE),
            Map.entry("delete-reservation", Scope.INVENTORY_WRITE),
            Map.entry("get-profile", Scope.PROFILES_READ),
            Map.entry("find-profile", Scope.PROFILES_READ),
            Map.entry("post-identities", Scope.PROFILES_WRITE),
            Map.entry("get-identity-metrics", Scope.METRICS_READ),
            Map.entry("get-event", Scope.EVENTS_READ),
            Map.entry("post-event", Scope.EVENTS_WRITE),
            Map.entry("list-partners", Scope.ADMIN),
            Map.entry("create-partner", Scope.ADMIN),
            Map.entry("get-partner", Scope.ADMIN),
            Map.entry("update-partner", Scope.ADMIN),
            Map.entry("issue-key", Scope.ADMIN),
            Map.entry("revoke-key", Scope.ADMIN));

    private final ApiSupport api;
    private final Partners partners;
    private final Outbox outbox;
    private final OpenApiDocument openApi;
    private final InstalledConnectors connectors;
    private final OrderStore orders;
    private final ProfileDirectory profiles;
    private final ApiSchemas schemas;

    public PartnerApiRoutes(ApiSupport api, ApiSchemas schemas, Partners partners, Outbox outbox, OpenApiDocument openApi,
            InstalledConnectors connectors, OrderStore orders, ProfileDirectory profiles) {
        this.profiles = profiles;
        this.schemas = schemas;
        this.api = api;
        this.partners = partners;
        this.outbox = outbox;
        this.openApi = openApi;
        this.connectors = connectors;
        this.orders = orders;
    }

    @Override
    public void configure() {
        restConfiguration().component("platform-http").bindingMode(RestBindingMode.off);

        onException(Exception.class).handled(true).process(ApiSupport::respondError);

        rest(BASE).description("Unison partner API")
                .get("/openapi.json").id("openapi").description("This OpenAPI 3 document (no key needed)")
                    .produces("application/json")
                    .responseMessage().code(200).message("the OpenAPI document").endResponseMessage()
                    .to("direct:openapi")
                .get("/connections").id("list-connections")
                    .description("Configured connections: connector, enabled, settings with secrets masked, last check")
                    .produces("application/json")
                    .to("direct:list-connections")
                .post("/connections/{id}/check").id("check-connection")
                    .description("Probe a connection's connectivity and credentials now (read-only)")
                    .param().name("id").type(RestParamType.path).description("connection id").endParam()
                    .produces("application/json")
                    .responseMessage().code(200).message("the outcome: ok true/false with a detail").endResponseMessage()
                    .responseMessage().code(404).message("no such connection").endResponseMessage()
                    .to("direct:check-connection")
                .get("/orders/{channel}/{externalId}").id("get-order")
                    .description("The canonical order the hub holds for a channel's order id")
                    .param().name("channel").type(RestParamType.path).description("channel, e.g. shopify").endParam()
                    .param().name("externalId").type(RestParamType.path).description("the channel's own order id").endParam()
                    .produces("application/json")
                    .responseMessage().code(404).message("no such order").endResponseMessage()
                    .to("direct:get-order")
                .get("/events/{id}").id("get-event")
                    .description("A canonical event the hub accepted, with its relay status (for tracing)")
                    .produces("application/json")
                    .param().name("id").type(RestParamType.path).description("CloudEvents id").endParam()
                    .responseMessage().code(200).message("the event: status pending|published, the CloudEvent").endResponseMessage()
                    .responseMessage().code(404).message("no such event").endResponseMessage()
                    .to("direct:get-event")
                .post("/events").id("post-event")
                    .description("Submit a canonical event: {type, data, id?, source?} or a structured CloudEvent. "
                            + "The id is the idempotency key: the same id again is not published twice.")
                    .consumes("application/json").produces("application/json")
                    .responseMessage().code(202).message("accepted into the outbox").endResponseMessage()
                    .responseMessage().code(200).message("duplicate id: already accepted").endResponseMessage()
                    .responseMessage().code(400).message("malformed JSON").endResponseMessage()
                    .responseMessage().code(413).message("body over 1 MiB").endResponseMessage()
                    .responseMessage().code(422).message("unknown type or data breaking its JSON Schema; each field named").endResponseMessage()
                    .to("direct:post-event")
                .get("/admin/partners").id("list-partners").description("All partners, their scopes and key ids")
                    .produces("application/json")
                    .to("direct:list-partners")
                .post("/admin/partners").id("create-partner")
                    .description("Create a partner {name, scopes[]}; the answer holds its first API key, shown once")
                    .consumes("application/json").produces("application/json")
                    .responseMessage().code(201).message("created, with apiKey").endResponseMessage()
                    .responseMessage().code(409).message("name taken").endResponseMessage()
                    .responseMessage().code(422).message("invalid name or unknown scope").endResponseMessage()
                    .to("direct:create-partner")
                .get("/admin/partners/{id}").id("get-partner").description("One partner")
                    .param().name("id").type(RestParamType.path).description("partner id").endParam()
                    .produces("application/json")
                    .to("direct:get-partner")
                .put("/admin/partners/{id}").id("update-partner").description("Replace a partner's scopes {scopes[]}")
                    .param().name("id").type(RestParamType.path).description("partner id").endParam()
                    .consumes("application/json").produces("application/json")
                    .to("direct:update-partner")
                .post("/admin/partners/{id}/keys").id("issue-key").description("Issue another API key (shown once)")
                    .param().name("id").type(RestParamType.path).description("partner id").endParam()
                    .produces("application/json")
                    .responseMessage().code(201).message("the new key").endResponseMessage()
                    .to("direct:issue-key")
                .delete("/admin/partners/{id}/keys/{keyId}").id("revoke-key").description("Revoke an API key")
                    .param().name("id").type(RestParamType.path).description("partner id").endParam()
                    .param().name("keyId").type(RestParamType.path).description("key id").endParam()
                    .responseMessage().code(204).message("revoked").endResponseMessage()
                    .to("direct:revoke-key");

        from("direct:openapi").routeId("openapi-route")
                .process(e -> ApiSupport.respond(e, 200, openApi.render(getContext())));

        secured("list-connections", e -> ApiSupport.respond(e, 200, Map.of("connections",
                connectors.connections().stream().map(c -> {
                    Map<String, Object> view = new LinkedHashMap<>();
                    view.put("id", c.id());
                    view.put("connector", c.connector().name());
                    view.put("enabled", c.enabled());
                    view.put("settings", c.redactedSettings());
                    view.put("lastCheck", connectors.lastCheck(c.id()).orElse(null));
                    return view;
                }).toList())));

        secured("check-connection", e -> {
            String id = e.getIn().getHeader("id", String.class);
            var connection = connectors.connection(id).orElseThrow(() -> ApiException.notFound("no connection " + id));
            var outcome = connectors.check(connection);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", id);
            body.put("ok", outcome.ok());
            body.put("detail", outcome.detail());
            body.put("checkedAt", outcome.checkedAt());
            ApiSupport.respond(e, 200, body);
        });

        secured("get-order", e -> {
            String channel = e.getIn().getHeader("channel", String.class);
            String externalId = e.getIn().getHeader("externalId", String.class);
            OrderStore.StoredOrder stored = orders.find(channel, externalId)
                    .orElseThrow(() -> ApiException.notFound("no " + channel + " order " + externalId));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("order", stored.order());
            // the live profile: after a merge the order follows the survivor
            body.put("profileId", profiles.profileOfTransaction(stored.order().id()).orElse(null));
            body.put("eventId", stored.eventId());
            body.put("updatedAt", stored.updatedAt());
            ApiSupport.respond(e, 200, body);
        });

        secured("get-event", e -> {
            String id = e.getIn().getHeader("id", String.class);
            OutboxRecord r = outbox.find(id).orElseThrow(() -> ApiException.notFound("no event " + id));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", r.eventId());
            body.put("type", r.eventType());
            body.put("topic", r.topic());
            body.put("partitionKey", r.partitionKey());
            body.put("status", r.publishedAt() == null ? "pending" : "published");
            body.put("acceptedAt", r.createdAt());
            body.put("publishedAt", r.publishedAt());
            body.put("event", CanonicalJson.parse(r.payload()));
            ApiSupport.respond(e, 200, body);
        });

        secured("post-event", e -> {
            CanonicalEvent event = parseSubmittedEvent(e);
            boolean accepted = outbox.appendIfAbsent(EVENTS_TOPIC, event);
            ApiSupport.respond(e, accepted ? 202 : 200,
                    Map.of("id", event.id(), "type", event.type().typeName(), "status", accepted ? "accepted" : "duplicate"));
        });

        secured("list-partners", e -> ApiSupport.respond(e, 200, Map.of("partners", partners.list())));

        validated("create-partner", e -> {
            JsonNode body = ApiSchemas.body(e);
            Partners.IssuedPartner created = partners.create(body.get("name").asText(), strings(body, "scopes"));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("partner", created.partner());
            out.put("keyId", created.key().keyId());
            out.put("apiKey", created.key().apiKey());
            ApiSupport.respond(e, 201, out);
        });

        secured("get-partner", e -> {
            String id = e.getIn().getHeader("id", String.class);
            ApiSupport.respond(e, 200, partners.find(id).orElseThrow(() -> ApiException.notFound("no partner " + id)));
        });

        validated("update-partner", e -> ApiSupport.respond(e, 200,
                partners.updateScopes(e.getIn().getHeader("id", String.class), strings(ApiSchemas.body(e), "scopes"))));

        secured("issue-key", e -> {
            String id = e.getIn().getHeader("id", String.class);
            partners.find(id).orElseThrow(() -> ApiException.notFound("no partner " + id));
            Partners.IssuedKey key = partners.issueKey(id);
            ApiSupport.respond(e, 201, Map.of("keyId", key.keyId(), "apiKey", key.apiKey()));
        });

        secured("revoke-key", e -> {
            partners.revokeKey(e.getIn().getHeader("id", String.class), e.getIn().getHeader("keyId", String.class));
            ApiSupport.respond(e, 204, null);
        });
    }

    /** Body checked against the operation's request schema (422 naming each field) before the handler runs. */
    private void validated(String operation, org.apache.camel.Processor handler) {
        from("direct:" + operation).routeId(operation + "-route")
                .process(api.require(SCOPES.get(operation)))
                .process(schemas.validator(operation))
                .process(handler);
    }

    private void secured(String operation, org.apache.camel.Processor handler) {
        from("direct:" + operation).routeId(operation + "-route")
                .process(api.require(SCOPES.get(operation)))
                .process(handler);
    }

    private static CanonicalEvent parseSubmittedEvent(Exchange exchange) {
        JsonNode body = ApiSupport.jsonBody(exchange);
        try {
            if (body.has("specversion")) {
                return CanonicalEvent.fromStructuredJson(CanonicalJson.write(body));
            }
            List<String> unknown = new ArrayList<>();
            body.fieldNames().forEachRemaining(f -> {
                if (!List.of("id", "type", "source", "data").contains(f)) {
                    unknown.add(f + ": unknown field (expected id, type, source, data or a structured CloudEvent)");
                }
            });
            if (!unknown.isEmpty()) {
                throw new CanonicalValidationException("event", unknown);
            }
            String typeName = text(body, "type");
            EventType type = EventType.byTypeName(typeName).orElseThrow(() -> ApiException.unprocessable(
                    "type: unknown canonical event type '" + typeName + "'"));
            if (!body.hasNonNull("data")) {
                throw ApiException.unprocessable("data: required");
            }
            String id = body.hasNonNull("id") ? body.get("id").asText() : UUID.randomUUID().toString();
            if (id.isBlank() || id.length() > 128) {
                throw ApiException.unprocessable("id: 1 to 128 characters");
            }
            URI source = body.hasNonNull("source") ? URI.create(body.get("source").asText())
                    : URI.create("/partners/" + ApiSupport.principal(exchange).name());
            return CanonicalEvent.of(id, type, source, body.get("data"), Instant.now());
        } catch (CanonicalValidationException e) {
            throw ApiException.unprocessable(String.join("; ", e.violations()));
        } catch (io.cloudevents.rw.CloudEventRWException | IllegalArgumentException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            throw ApiException.unprocessable(e.getMessage());
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw ApiException.unprocessable(field + ": required string");
        }
        return value.asText();
    }

    /** A string array the request schema has already checked. */
    private static List<String> strings(JsonNode body, String field) {
        JsonNode value = body.get(field);
        List<String> out = new ArrayList<>();
        value.forEach(v -> out.add(v.asText()));
        return out;
    }
}
