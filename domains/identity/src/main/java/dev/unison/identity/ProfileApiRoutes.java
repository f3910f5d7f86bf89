package dev.unison.identity;

import dev.unison.platform.edge.ApiException;
import dev.unison.platform.edge.ApiSchemas;
import dev.unison.platform.edge.ApiSupport;
import dev.unison.platform.edge.Scope;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.identity.Observation;
import dev.unison.canonical.identity.Rejection;
import dev.unison.canonical.identity.Resolution;
import dev.unison.canonical.identity.ScreenedObservation;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.identity.IdentityService;
import dev.unison.identity.ProfileDirectory;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Processor;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DuplicateKeyException;
import dev.unison.platform.edge.ApiRoutes;
import org.apache.camel.model.rest.RestParamType;

/**
 * The identity half of the partner API: profiles by id or by any identifier, partners' identifier
 * links, and the identity resolution rate. Scopes are in {@link IdentityScopes}.
 */
public class ProfileApiRoutes extends ApiRoutes {

    private static final int MAX_IDENTIFIERS = 50;
    /** Sightings per batch request (the request schema says the same). */
    static final int MAX_SIGHTINGS = 1000;

    private final IdentityService identity;
    private final ProfileDirectory directory;
    private final Clock clock;
    /** How a single sighting is resolved: by the sighting intake's group commit, or alone. */
    private final java.util.function.Function<ScreenedObservation, Resolution> single;

    /** {@code single}: how one sighting is resolved (the hub passes its group-commit intake). */
    public ProfileApiRoutes(ApiSupport api, ApiSchemas schemas, IdentityService identity, ProfileDirectory directory,
            Clock clock, java.util.function.Function<ScreenedObservation, Resolution> single) {
        super(api, schemas);
        this.identity = identity;
        this.directory = directory;
        this.clock = clock;
        this.single = single;
    }

    @Override
    public void configure() {
        jsonErrors();

        rest(BASE)
                .get("/profiles/{id}").id("get-profile")
                    .description("A profile: identifiers (source, first/last seen), linked channel accounts, order count, "
                            + "merge history. A merged id answers with its survivor (id differs from requestedId).")
                    .param().name("id").type(RestParamType.path).description("profile id").endParam()
                    .produces("application/json")
                    .responseMessage().code(404).message("no profile with this id").endResponseMessage()
                    .to("direct:get-profile")
                .get("/profiles").id("find-profile")
                    .description("The profile holding an identifier, e.g. ?identifier=email:jane.doe@example.com (any type; "
                            + "the value is normalized first, so ' Jane.Doe@Example.com ' finds the same profile)")
                    .param().name("identifier").type(RestParamType.query).required(true)
                        .description("<type>:<value>; types: " + String.join(", ", typeNames())).endParam()
                    .produces("application/json")
                    .responseMessage().code(400).message("missing or malformed identifier").endResponseMessage()
                    .responseMessage().code(404).message("no profile holds it (or it is a blocked value)").endResponseMessage()
                    .to("direct:find-profile")
                .post("/identities").id("post-identities")
                    .description("Identifiers seen together, e.g. a loyalty sign-up linking a card and an email: "
                            + "{source, observedAt?, identifiers[{type, value}]}. Resolved at once with the same guards as "
                            + "events: blocked or demoted identifiers are reported, not stored.")
                    .consumes("application/json").produces("application/json")
                    .responseMessage().code(201).message("a new profile").endResponseMessage()
                    .responseMessage().code(200).message("an existing profile (matched, extended or merged)").endResponseMessage()
                    .responseMessage().code(422).message("invalid; every bad field named; nothing changed").endResponseMessage()
                    .responseMessage().code(503).message("busy (the same profiles changed by many requests at once) or "
                            + "overloaded (the hub is behind resolving sightings; nothing stored): retry, after Retry-After seconds "
                            + "when given").endResponseMessage()
                    .to("direct:post-identities")
                .post("/identities/batch").id("post-identities-batch")
                    .description("Up to " + MAX_SIGHTINGS + " sightings resolved in one transaction, in the order sent, "
                            + "with the same rules as one at a time (a CRM or loyalty backfill): {sightings: [{source, "
                            + "observedAt?, identifiers[]}]}. A sighting with an invalid identifier is answered 'invalid' "
                            + "with every bad field named and changes nothing; the others are resolved. Batches of one "
                            + "instance take turns: send them one after the other to keep the order.")
                    .consumes("application/json").produces("application/json")
                    .responseMessage().code(200).message("one result per sighting, by index").endResponseMessage()
                    .responseMessage().code(422).message("the body is not a batch of sightings; nothing changed")
                        .endResponseMessage()
                    .responseMessage().code(503).message("the same profiles are being changed by many requests at once; retry")
                        .endResponseMessage()
                    .to("direct:post-identities-batch")
                .get("/metrics/identity").id("get-identity-metrics")
                    .description("Identity resolution rate: transactions linked to a known profile ÷ all transactions, "
                            + "overall and per channel (unit: transactions); profile and identifier counts")
                    .produces("application/json")
                    .to("direct:get-identity-metrics");

        secured("get-profile", IdentityScopes.PROFILES_READ, e -> {
            String id = e.getIn().getHeader("id", String.class);
            ProfileDirectory.ProfileView view = directory.profile(id).orElseThrow(() -> ApiException.notFound("no profile with id " + id));
            ApiSupport.respond(e, 200, ApiSupport.principal(e).has(Scope.PII_READ) ? view : PiiMask.profile(view));
        });

        secured("find-profile", IdentityScopes.PROFILES_READ, e -> {
            String typed = e.getIn().getHeader("identifier", String.class);
            if (typed == null || typed.isBlank()) {
                throw ApiException.badRequest("query parameter 'identifier' is required, e.g. identifier=email:jane.doe@example.com");
            }
            Identifier identifier;
            try {
                // an unencoded '+' arrives as a space: "phone: 44 20..." can only have meant "+44 20..."
                identifier = Identifier.parse(typed.startsWith("phone: ") ? "phone:+" + typed.substring(7) : typed);
                if (directory.isBlocked(identifier)) {
                    throw ApiException.notFound(identifier.type().wireName() + " '" + identifier.value()
                            + "' is a blocked value: it is never used to link profiles");
                }
            } catch (IllegalArgumentException bad) {
                throw ApiException.badRequest((bad.getMessage().startsWith("No enum constant")
                        ? "unknown identifier type in '" + typed + "'; types: " + String.join(", ", typeNames()) : bad.getMessage())
                        + " (URL-encode the value: a '+' must be sent as %2B)");
            }
            ProfileDirectory.ProfileView view = directory.profileOf(identifier)
                    .orElseThrow(() -> ApiException.notFound("no profile holds " + identifier));
            ApiSupport.respond(e, 200, ApiSupport.principal(e).has(Scope.PII_READ) ? view : PiiMask.profile(view));
        });

        validated("post-identities", IdentityScopes.PROFILES_WRITE, e -> {
            List<String> problems = new ArrayList<>();
            ScreenedObservation sighting = sighting(ApiSchemas.body(e), ApiSupport.principal(e).name(), problems);
            if (!problems.isEmpty()) {
                throw ApiException.unprocessable(String.join("; ", problems));
            }
            Resolution r;
            try {
                r = single.apply(sighting);
            } catch (ConcurrencyFailureException | DuplicateKeyException busy) {
                // still losing races after every retry: the caller may simply send it again
                throw new ApiException(503, "busy", "the same profiles are being changed by many requests at once; retry shortly");
            }
            ApiSupport.respond(e, r.outcome() == Resolution.Outcome.CREATED ? 201 : 200, resolution(r));
        });

        validated("post-identities-batch", IdentityScopes.PROFILES_WRITE, e -> {
            JsonNode sightings = ApiSchemas.body(e).get("sightings");
            String partner = ApiSupport.principal(e).name();
            List<Map<String, Object>> results = new ArrayList<>(sightings.size());
            List<ScreenedObservation> valid = new ArrayList<>(sightings.size());
            List<Map<String, Object>> validResults = new ArrayList<>(sightings.size());
            for (int i = 0; i < sightings.size(); i++) {
                List<String> problems = new ArrayList<>();
                ScreenedObservation sighting = sighting(sightings.get(i), partner, problems);
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("index", i);
                if (problems.isEmpty()) {
                    result.put("status", "resolved");
                    valid.add(sighting);
                    validResults.add(result);
                } else {
                    result.put("status", "invalid");
                    result.put("errors", problems);
                }
                results.add(result);
            }
            if (!valid.isEmpty()) {
                List<Resolution> resolved;
                try {
                    resolved = identity.resolveAll(valid);
                } catch (ConcurrencyFailureException | DuplicateKeyException busy) {
                    // a turn not given in time, or the same profiles contended after every retry
                    throw new ApiException(503, "busy", (busy instanceof org.springframework.dao.CannotAcquireLockException
                            ? busy.getMessage() : "the same profiles are being changed by many requests at once")
                            + "; retry the batch shortly (nothing of it was stored)");
                }
                for (int i = 0; i < resolved.size(); i++) {
                    validResults.get(i).putAll(resolution(resolved.get(i)));
                }
            }
            ApiSupport.respond(e, 200, Map.of("results", results));
        });

        secured("get-identity-metrics", Scope.METRICS_READ, e -> ApiSupport.respond(e, 200, directory.metrics()));
    }

    /**
     * One sighting of a request body (schema-checked), its identifiers normalized and screened once
     * for the door and for resolution; every bad identifier goes to {@code problems}, in order.
     */
    private ScreenedObservation sighting(JsonNode body, String partner, List<String> problems) {
        Instant observedAt = body.hasNonNull("observedAt") ? ApiSchemas.instant(body.get("observedAt").asText()) : clock.instant();
        Map<Integer, String> bad = new java.util.TreeMap<>();
        List<Identifier> identifiers = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        identifiers(body.get("identifiers"), identifiers, positions, bad);
        String seenAt = "api:" + partner + ":" + body.get("source").asText();
        ScreenedObservation screened = identity.resolver().screen(
                new Observation(seenAt.length() <= 128 ? seenAt : seenAt.substring(0, 128), observedAt, identifiers));
        // a placeholder is reported as blocked by resolution, not refused: only a value that is neither is a 422
        for (Rejection invalid : screened.invalid()) {
            for (int i = 0; i < identifiers.size(); i++) {
                if (identifiers.get(i) == invalid.identifier() && !bad.containsKey(positions.get(i))) {
                    bad.put(positions.get(i), "identifiers[" + positions.get(i) + "].value: " + invalid.detail());
                    break;
                }
            }
        }
        problems.addAll(bad.values());
        return screened;
    }

    private static Map<String, Object> resolution(Resolution r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("profileId", r.profileId());
        out.put("outcome", r.outcome().name().toLowerCase(Locale.ROOT));
        out.put("merged", r.merged());
        out.put("added", r.added());
        List<Map<String, String>> rejected = new ArrayList<>();
        for (Rejection rej : r.rejected()) {
            rejected.add(Map.of("type", rej.identifier().type().wireName(), "value", rej.identifier().value(),
                    "reason", rej.reason().wireName(), "detail", rej.detail()));
        }
        out.put("rejected", rejected);
        return out;
    }

    /**
     * Reads every identifier's type and value as sent ({@code out}, with each one's index in
     * {@code positions}), naming each malformed one in {@code bad} by index; values are checked by
     * screening afterwards.
     */
    private void identifiers(JsonNode array, List<Identifier> out, List<Integer> positions, Map<Integer, String> bad) {
        if (array == null || !array.isArray() || array.isEmpty() || array.size() > MAX_IDENTIFIERS) {
            bad.put(-1, "identifiers: required array of 1.." + MAX_IDENTIFIERS + " {type, value}");
            return;
        }
        for (int i = 0; i < array.size(); i++) {
            JsonNode node = array.get(i);
            String at = "identifiers[" + i + "].";
            JsonNode type = node.get("type");
            JsonNode value = node.get("value");
            if (node.size() != 2 || type == null || value == null || !type.isTextual() || !value.isTextual()) {
                bad.put(i, at.substring(0, at.length() - 1) + ": must be {type, value} with string fields");
                continue;
            }
            IdentifierType t;
            try {
                t = IdentifierType.fromWireName(type.asText());
            } catch (IllegalArgumentException unknown) {
                bad.put(i, at + "type: unknown '" + type.asText() + "'; types: " + String.join(", ", typeNames()));
                continue;
            }
            out.add(new Identifier(t, value.asText()));
            positions.add(i);
        }
    }

    private static List<String> typeNames() {
        List<String> names = new ArrayList<>();
        for (IdentifierType t : IdentifierType.values()) {
            names.add(t.wireName());
        }
        return names;
    }


}
