package dev.unison.platform.edge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.platform.jdbc.GroupCommit;
import dev.unison.platform.outbox.Outbox;
import dev.unison.platform.outbox.OutboxRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.model.rest.RestBindingMode;
import org.apache.camel.model.rest.RestParamType;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The platform's part of the partner API under {@code /api/v1}, in Camel's REST DSL on
 * platform-http: the OpenAPI document, partners' events (CloudEvents in, tracing out) and the
 * partner admin. Domains and the connector runtime add their own operations with their own
 * {@link ApiRoutes}; every operation checks the caller's API key and scope first.
 */
public class PartnerApiRoutes extends ApiRoutes {

    /** Same as {@link ApiRoutes#BASE}. */
    public static final String BASE = ApiRoutes.BASE;
    /** Partner-submitted events go to this bus topic. */
    public static final String EVENTS_TOPIC = "events";

    private final Partners partners;
    private final Outbox outbox;
    private final OpenApiDocument openApi;
    private final SubmittedEvents submitted;
    private final TransactionTemplate tx;
    /** Single-event requests share commits. */
    private final GroupCommit<Outbox.Submitted, Boolean> singleEvents;

    /** {@code singleEvents}: the intake one-event requests are stored through (see {@link #singleEventIntake}). */
    public PartnerApiRoutes(ApiSupport api, ApiSchemas schemas, Partners partners, Outbox outbox, OpenApiDocument openApi,
            TransactionTemplate tx, GroupCommit<Outbox.Submitted, Boolean> singleEvents) {
        super(api, schemas);
        this.tx = tx;
        this.singleEvents = singleEvents;
        this.submitted = new SubmittedEvents(partners::isReservedName);
        this.partners = partners;
        this.outbox = outbox;
        this.openApi = openApi;
    }

    @Override
    public void configure() {
        restConfiguration().component("platform-http").bindingMode(RestBindingMode.off);

        jsonErrors();

        rest(BASE).description("Unison partner API")
                .get("/openapi.json").id("openapi").description("This OpenAPI 3 document (no key needed)")
                    .produces("application/json")
                    .responseMessage().code(200).message("the OpenAPI document").endResponseMessage()
                    .to("direct:openapi")
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
                    .responseMessage().code(503).message("overloaded: the hub is behind storing events; nothing stored, send it "
                            + "again after Retry-After seconds").endResponseMessage()
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

        secured("get-event", Scope.EVENTS_READ, e -> {
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
            body.put("status", outbox.isPending(r.seq()) ? "pending" : "published");
            body.put("acceptedAt", r.createdAt());
            body.put("event", CanonicalJson.parse(r.payload()));
            ApiSupport.respond(e, 200, body);
        });

        secured("post-event", Scope.EVENTS_WRITE, e -> {
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

        secured("list-partners", Scope.ADMIN, e -> ApiSupport.respond(e, 200, Map.of("partners", partners.list())));

        validated("create-partner", Scope.ADMIN, e -> {
            JsonNode body = ApiSchemas.body(e);
            Partners.IssuedPartner created = partners.create(body.get("name").asText(), strings(body, "scopes"));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("partner", created.partner());
            out.put("keyId", created.key().keyId());
            out.put("apiKey", created.key().apiKey());
            ApiSupport.respond(e, 201, out);
        });

        secured("get-partner", Scope.ADMIN, e -> {
            String id = e.getIn().getHeader("id", String.class);
            ApiSupport.respond(e, 200, partners.find(id).orElseThrow(() -> ApiException.notFound("no partner " + id)));
        });

        validated("update-partner", Scope.ADMIN, e -> ApiSupport.respond(e, 200,
                partners.updateScopes(e.getIn().getHeader("id", String.class), strings(ApiSchemas.body(e), "scopes"))));

        secured("issue-key", Scope.ADMIN, e -> {
            String id = e.getIn().getHeader("id", String.class);
            partners.find(id).orElseThrow(() -> ApiException.notFound("no partner " + id));
            Partners.IssuedKey key = partners.issueKey(id);
            ApiSupport.respond(e, 201, Map.of("keyId", key.keyId(), "apiKey", key.apiKey()));
        });

        secured("revoke-key", Scope.ADMIN, e -> {
            partners.revokeKey(e.getIn().getHeader("id", String.class), e.getIn().getHeader("keyId", String.class));
            ApiSupport.respond(e, 204, null);
        });
    }

    /**
     * The intake of one-event requests: events submitted at the same moment by any partners are
     * appended to the outbox in one transaction (a partner sending events one request each, as
     * webhooks-style integrations do, paid a commit per event). Refuses with 503 once the oldest
     * event waiting has waited longer than {@code maxQueueWait}.
     */
    public static GroupCommit<Outbox.Submitted, Boolean> singleEventIntake(TransactionTemplate tx, Outbox outbox,
            java.time.Duration maxQueueWait, io.micrometer.core.instrument.MeterRegistry meters) {
        return new GroupCommit<>("partner-events", tx, events -> outbox.appendSubmitted(EVENTS_TOPIC, events), 500, 1,
                maxQueueWait, meters);
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
                if (events.size() == 1) {
                    return List.of(singleEvents.submit(events.get(0)));
                }
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
