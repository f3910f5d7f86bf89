package dev.unison.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.hub.connectors.InstalledConnectors;
import dev.unison.hub.identity.ProfileDirectory;
import dev.unison.hub.inbox.InboxDispatcher;
import dev.unison.hub.orders.OrderStore;
import dev.unison.hub.outbox.Outbox;
import dev.unison.hub.outbox.RelayShards;
import dev.unison.hub.outbox.OutboxRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;
import org.apache.camel.model.rest.RestParamType;
import org.springframework.transaction.support.TransactionTemplate;

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
            Map.entry("get-cluster", Scope.OPS),
            Map.entry("get-storage", Scope.OPS),
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
            Map.entry("post-identities-batch", Scope.PROFILES_WRITE),
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
    private final SubmittedEvents submitted;
    private final TransactionTemplate tx;
    private final RelayShards relayShards;

    public PartnerApiRoutes(ApiSupport api, ApiSchemas schemas, Partners partners, Outbox outbox, OpenApiDocument openApi,
            InstalledConnectors connectors, OrderStore orders, ProfileDirectory profiles, TransactionTemplate tx,
            RelayShards relayShards) {
        this.relayShards = relayShards;
        this.profiles = profiles;
        this.schemas = schemas;
        this.tx = tx;
        this.submitted = new SubmittedEvents(partners::isReservedName);
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
                    .description("Configured connections: connector, enabled, settings with secrets masked, last check, and "
                            + "which hub instance holds each sender lease; 'instance' is the instance that answered")
                    .produces("application/json")
                    .to("direct:list-connections")
                .get("/cluster").id("get-cluster")
                    .description("The hub instances sharing this database and which one publishes each outbox shard "
                            + "(its lease); 'instance' is the instance that answered")
                    .produces("application/json")
                    .to("direct:get-cluster")
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
                    .description("An event you submitted, by the id you gave it, with its relay status (for tracing). "
                            + "Holders of partners:all may also read any event by its bus id.")
                    .produces("application/json")
                    .param().name("id").type(RestParamType.path).description("the event's id as you submitted it").endParam()
                    .responseMessage().code(200).message("the event: status pending|published, the CloudEvent").endResponseMessage()
                    .responseMessage().code(404).message("no such event of yours").endResponseMessage()
                    .to("direct:get-event")
                .post("/events").id("post-event")
                    .description("Submit canonical events as CloudEvents 1.0 over HTTP: binary mode (ce-* headers, "
                            + "application/json data), structured mode (" + SubmittedEvents.STRUCTURED + "), batched mode ("
                            + SubmittedEvents.BATCH + ", up to " + SubmittedEvents.MAX_BATCH + " events, a result per event) "
                            + "or the short form {type, data, id?} as application/json. The id is your idempotency key: the "
                            + "same id again is not published twice. The hub sets source to /partners/<your partner id>; "
                            + "types the hub computes itself (availability, oversell, profiles) are refused.")
                    .consumes("application/json," + SubmittedEvents.STRUCTURED + "," + SubmittedEvents.BATCH)
                    .produces("application/json")
                    .responseMessage().code(202).message("accepted into the outbox").endResponseMessage()
                    .responseMessage().code(200).message("duplicate id: already accepted; or, for a batch, one result per event")
                        .endResponseMessage()
                    .responseMessage().code(400).message("malformed JSON or an invalid CloudEvent; the attribute named").endResponseMessage()
                    .responseMessage().code(403).message("a type only the hub produces, another channel's record, or a price "
                            + "change without prices:write").endResponseMessage()
                    .responseMessage().code(413).message("body over 1 MiB").endResponseMessage()
                    .responseMessage().code(415).message("not JSON, a CloudEvent or a CloudEvents batch").endResponseMessage()
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

        secured("list-connections", e -> {
            java.time.Instant now = java.time.Instant.now();
            Map<String, Object> body = new LinkedHashMap<>();
            // several instances share one database: say which one answers and which one sends
            body.put("instance", connectors.instanceId());
            body.put("connections", connectors.connections().stream().map(c -> {
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("id", c.id());
                view.put("connector", c.connector().name());
                view.put("enabled", c.enabled());
                view.put("settings", c.redactedSettings());
                view.put("lastCheck", connectors.lastCheck(c.id()).orElse(null));
                var leases = connectors.outboundQueue().leases(c.id());
                view.put("senders", leases.stream().filter(lease -> !InboxDispatcher.LEASE_KIND.equals(lease.kind())).map(lease -> {
                    Map<String, Object> sender = new LinkedHashMap<>();
                    sender.put("kind", lease.kind());
                    sender.put("instance", lease.owner());
                    sender.put("leaseExpiresAt", lease.expiresAt());
                    sender.put("active", lease.expiresAt().isAfter(now));
                    return sender;
                }).toList());
                view.put("inbox", leases.stream().filter(lease -> InboxDispatcher.LEASE_KIND.equals(lease.kind())).findFirst()
                        .map(lease -> {
                            Map<String, Object> inbox = new LinkedHashMap<>();
                            inbox.put("instance", lease.owner());
                            inbox.put("leaseExpiresAt", lease.expiresAt());
                            inbox.put("active", lease.expiresAt().isAfter(now));
                            return inbox;
                        }).orElse(null));
                return view;
            }).toList());
            ApiSupport.respond(e, 200, body);
        });

        secured("get-cluster", e -> {
            java.time.Instant now = java.time.Instant.now();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("instance", relayShards.instance());
            body.put("members", relayShards.members().stream().map(m -> {
                Map<String, Object> member = new LinkedHashMap<>();
                member.put("instance", m.instance());
                member.put("expiresAt", m.expiresAt());
                member.put("live", m.expiresAt().isAfter(now));
                return member;
            }).toList());
            body.put("relayShards", relayShards.leases().stream().map(lease -> {
                Map<String, Object> shard = new LinkedHashMap<>();
                shard.put("shard", lease.shard());
                shard.put("instance", lease.owner());
                shard.put("leaseExpiresAt", lease.expiresAt());
                shard.put("active", lease.owner() != null && lease.expiresAt() != null && lease.expiresAt().isAfter(now));
                return shard;
            }).toList());
            ApiSupport.respond(e, 200, body);
        });

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
            if (ApiSupport.principal(e).has(Scope.PII_READ)) {
                body.put("order", stored.order());
            } else {
                body.put("order", PiiMask.order(stored.order()));
                body.put("maskedIdentifiers", PiiMask.maskedContacts(stored.order()));
            }
            // the live profile: after a merge the order follows the survivor
            body.put("profileId", profiles.profileOfTransaction(stored.order().id()).orElse(null));
            body.put("eventId", stored.eventId());
            body.put("updatedAt", stored.updatedAt());
            ApiSupport.respond(e, 200, body);
        });

        secured("get-event", e -> {
            String id = e.getIn().getHeader("id", String.class);
            Partners.Principal caller = ApiSupport.principal(e);
            OutboxRecord r = outbox.findOwned(caller.partnerId(), id)
                    .or(() -> caller.has(Scope.ALL_PARTNERS) ? outbox.find(id) : java.util.Optional.empty())
                    .orElseThrow(() -> ApiException.notFound("no event " + id + " of yours"));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", r.ownerEventId() != null && r.owner().equals(caller.partnerId()) ? r.ownerEventId() : r.eventId());
            body.put("eventId", r.eventId());
            body.put("owner", r.owner());
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
            Partners.Principal caller = ApiSupport.principal(e);
            SubmittedEvents.Mode mode = SubmittedEvents.mode(e);
            if (mode == SubmittedEvents.Mode.BATCH) {
                List<SubmittedEvents.Item> items = submitted.batch(e, caller);
                List<Boolean> accepted = appendAccepted(items);
                List<Map<String, Object>> results = new ArrayList<>(items.size());
                for (int i = 0, k = 0; i < items.size(); i++) {
                    SubmittedEvents.Item item = items.get(i);
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("index", i);
                    result.put("id", item.partnerEventId());
                    if (item.refused() == null) {
                        result.put("status", accepted.get(k++) ? "accepted" : "duplicate");
                    } else {
                        result.put("status", "rejected");
                        result.put("httpStatus", item.refused().status());
                        result.put("error", item.refused().error());
                        result.put("detail", item.refused().detail());
                    }
                    results.add(result);
                }
                ApiSupport.respond(e, 200, Map.of("results", results));
                return;
            }
            SubmittedEvents.Item item = submitted.single(e, mode, caller);
            boolean accepted = appendAccepted(List.of(item)).get(0);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", item.partnerEventId());
            body.put("eventId", item.submitted().event().id());
            body.put("type", item.type().typeName());
            body.put("status", accepted ? "accepted" : "duplicate");
            ApiSupport.respond(e, accepted ? 202 : 200, body);
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

    /**
     * Appends the events that were not refused, in one transaction; returns per appended event whether
     * it was new. A concurrent request inserting the same id first rolls this one back; the retry
     * finds that event and answers duplicate for it.
     */
    private List<Boolean> appendAccepted(List<SubmittedEvents.Item> items) {
        List<Outbox.Submitted> events = items.stream().filter(i -> i.refused() == null).map(SubmittedEvents.Item::submitted)
                .toList();
        if (events.isEmpty()) {
            return List.of();
        }
        for (int attempt = 1;; attempt++) {
            try {
                return tx.execute(status -> outbox.appendSubmitted(EVENTS_TOPIC, events));
            } catch (org.springframework.dao.DuplicateKeyException raced) {
                if (attempt == 3) {
                    throw raced;
                }
            }
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
