package dev.unison.inventory;

import dev.unison.platform.edge.ApiException;
import dev.unison.platform.edge.ApiSchemas;
import dev.unison.platform.edge.ApiSupport;
import dev.unison.platform.edge.Partners;
import dev.unison.platform.edge.Scope;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.identity.IdentifierNormalizer;
import dev.unison.canonical.pos.PosTransaction;
import dev.unison.canonical.pos.PosTransactionParser;
import dev.unison.canonical.pos.PosValidationException;
import dev.unison.inventory.InventoryLedger;
import dev.unison.inventory.Movement;
import dev.unison.inventory.PosTransactions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Processor;
import dev.unison.platform.edge.ApiRoutes;
import org.apache.camel.model.rest.RestParamType;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The inventory half of the partner API: POS transactions in, stock adjustments and counts from
 * warehouses/ERPs, and each sku's positions and per-channel ATS out. Scopes are in
 * {@link InventoryScopes}.
 */
public class InventoryApiRoutes extends ApiRoutes {

    private final InventoryLedger ledger;
    /** Most transactions one batch request may carry. */
    static final int MAX_POS_BATCH = 500;

    private final PosTransactions pos;
    private final TransactionTemplate tx;
    private final IdentifierNormalizer identifiers;

    public InventoryApiRoutes(ApiSupport api, ApiSchemas schemas, InventoryLedger ledger, PosTransactions pos,
            TransactionTemplate tx, IdentifierNormalizer identifiers) {
        super(api, schemas);
        this.identifiers = identifiers;
        this.ledger = ledger;
        this.pos = pos;
        this.tx = tx;
    }

    @Override
    public void configure() {
        jsonErrors();

        rest(BASE)
                .post("/pos/transactions").id("post-pos-transaction")
                    .description("A till's sale or return {storeId, registerId, businessDay, sequence, type, occurredAt, "
                            + "currency, lines[{sku, gtin?, quantity, unitPrice}], loyaltyId?, paymentToken?, phone?, email?}. Idempotent on "
                            + "store + register + business day + sequence. Stock moves and online channels are updated at once.")
                    .consumes("application/json").produces("application/json")
                    .responseMessage().code(201).message("accepted: per line the ledger outcome and whether the sku was new").endResponseMessage()
                    .responseMessage().code(200).message("duplicate: the same transaction was accepted before").endResponseMessage()
                    .responseMessage().code(409).message("the same key was accepted with different content").endResponseMessage()
                    .responseMessage().code(422).message("invalid; every bad field named; nothing applied").endResponseMessage()
                    .responseMessage().code(503).message("overloaded: the hub is behind storing POS transactions; nothing "
                            + "stored; send the same transaction again after Retry-After seconds").endResponseMessage()
                    .to("direct:post-pos-transaction")
                .post("/pos/transactions/batch").id("post-pos-transactions-batch")
                    .description("Several POS transactions at once, as a store server forwards its tills' journal "
                            + "{transactions: [up to " + MAX_POS_BATCH + " transactions, each as for /pos/transactions]}. Each "
                            + "transaction stands alone: results[i] is accepted | duplicate | conflict | invalid (with every bad "
                            + "field named) | failed; an invalid or conflicting one does not hold back the others.")
                    .consumes("application/json").produces("application/json")
                    .responseMessage().code(200).message("one result per transaction, in order").endResponseMessage()
                    .responseMessage().code(422).message("not a batch: no transactions array, empty, or more than "
                            + MAX_POS_BATCH + "; nothing applied").endResponseMessage()
                    .responseMessage().code(503).message("overloaded: nothing of the batch stored; send it again after "
                            + "Retry-After seconds").endResponseMessage()
                    .to("direct:post-pos-transactions-batch")
                .get("/inventory/{sku}").id("get-inventory")
                    .description("Positions per location (onHand, reserved, version, countedAt) and ATS per channel")
                    .param().name("sku").type(RestParamType.path).description("stock keeping unit").endParam()
                    .produces("application/json")
                    .responseMessage().code(404).message("the hub has no stock record of this sku").endResponseMessage()
                    .to("direct:get-inventory")
                .post("/inventory/adjustments").id("post-inventory-adjustment")
                    .description("A stock delta {adjustmentId, sku, locationId, quantity (signed, not 0), kind: "
                            + "receipt|adjustment|return, occurredAt, reason?}; idempotent on adjustmentId")
                    .consumes("application/json").produces("application/json")
                    .responseMessage().code(200).message("outcome: applied | duplicate | superseded").endResponseMessage()
                    .responseMessage().code(422).message("invalid; every bad field named; nothing applied").endResponseMessage()
                    .to("direct:post-inventory-adjustment")
                .post("/inventory/counts").id("post-inventory-count")
                    .description("An absolute count at one location {countId, locationId, asOf, counts[{sku, quantity}]}: "
                            + "never overwrites movements newer than asOf; idempotent on countId + sku")
                    .consumes("application/json").produces("application/json")
                    .responseMessage().code(200).message("per sku: applied | duplicate | superseded").endResponseMessage()
                    .responseMessage().code(422).message("invalid; every bad field named; nothing applied").endResponseMessage()
                    .to("direct:post-inventory-count")
                .post("/inventory/reservations").id("post-reservation")
                    .description("Hold units for a cart {reservationId, sku, locationId, quantity, expiresAt}: reserved grows, "
                            + "ATS drops in every channel the location serves, until released or expired; idempotent on reservationId")
                    .consumes("application/json").produces("application/json")
                    .responseMessage().code(201).message("held").endResponseMessage()
                    .responseMessage().code(200).message("duplicate: held before").endResponseMessage()
                    .responseMessage().code(422).message("invalid; every bad field named; nothing held").endResponseMessage()
                    .to("direct:post-reservation")
                .delete("/inventory/reservations/{id}").id("delete-reservation")
                    .description("Release a held reservation (checkout done: the sale takes the stock; or cart abandoned)")
                    .param().name("id").type(RestParamType.path).description("reservation id").endParam()
                    .responseMessage().code(204).message("released").endResponseMessage()
                    .responseMessage().code(404).message("no held reservation with this id").endResponseMessage()
                    .to("direct:delete-reservation");

        validated("post-pos-transaction", InventoryScopes.POS_WRITE, e -> {
            JsonNode body = ApiSchemas.body(e);
            PosTransaction transaction;
            try {
                transaction = PosTransactionParser.parse(body, id -> ledger.network().location(id).isPresent(), identifiers);
            } catch (PosValidationException invalid) {
                throw ApiException.unprocessable(String.join("; ", invalid.violations()));
            }
            PosTransactions.Accepted accepted;
            try {
                accepted = pos.accept(transaction);
            } catch (PosTransactions.ConflictException conflict) {
                throw ApiException.conflict(conflict.getMessage());
            } catch (PosTransactions.OverloadedException busy) {
                throw ApiException.overloaded(busy.getMessage(), busy.retryAfterSeconds());
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("status", accepted.duplicate() ? "duplicate" : "accepted");
            out.put("transaction", accepted.key());
            out.put("orderId", accepted.orderId());
            if (!accepted.duplicate()) {
                out.put("lines", accepted.lines());
            }
            ApiSupport.respond(e, accepted.duplicate() ? 200 : 201, out);
        });

        validated("post-pos-transactions-batch", InventoryScopes.POS_WRITE, e -> {
            JsonNode items = ApiSchemas.body(e).path("transactions");
            List<Map<String, Object>> results = new ArrayList<>();
            List<PosTransaction> valid = new ArrayList<>();
            List<Integer> validAt = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("index", i);
                // each transaction stands alone: its schema violations make it invalid, not the batch
                List<String> violations = schemas.validateRequest("post-pos-transaction", items.get(i));
                if (!violations.isEmpty()) {
                    result.put("status", "invalid");
                    result.put("errors", violations);
                    results.add(result);
                    continue;
                }
                try {
                    valid.add(PosTransactionParser.parse(items.get(i), id -> ledger.network().location(id).isPresent(), identifiers));
                    validAt.add(i);
                } catch (PosValidationException invalid) {
                    result.put("status", "invalid");
                    result.put("errors", invalid.violations());
                }
                results.add(result);
            }
            List<Object> outcomes;
            try {
                outcomes = valid.isEmpty() ? List.of() : pos.acceptAll(valid);
            } catch (PosTransactions.OverloadedException busy) {
                throw ApiException.overloaded(busy.getMessage(), busy.retryAfterSeconds());
            }
            for (int k = 0; k < outcomes.size(); k++) {
                Map<String, Object> result = results.get(validAt.get(k));
                result.put("transaction", valid.get(k).key());
                if (outcomes.get(k) instanceof PosTransactions.Accepted accepted) {
                    result.put("status", accepted.duplicate() ? "duplicate" : "accepted");
                    result.put("orderId", accepted.orderId());
                    if (!accepted.duplicate()) {
                        result.put("lines", accepted.lines());
                    }
                } else if (outcomes.get(k) instanceof PosTransactions.ConflictException conflict) {
                    result.put("status", "conflict");
                    result.put("detail", conflict.getMessage());
                } else {
                    // not stored (e.g. the database was unavailable): the sender retries it; a retry is idempotent
                    result.put("status", "failed");
                    result.put("detail", ((RuntimeException) outcomes.get(k)).getMessage());
                }
            }
            ApiSupport.respond(e, 200, Map.of("results", results));
        });

        secured("get-inventory", InventoryScopes.INVENTORY_READ, e -> {
            String sku = e.getIn().getHeader("sku", String.class);
            InventoryLedger.SkuView view = ledger.view(sku).orElseThrow(() -> ApiException.notFound("no stock record of sku " + sku));
            ApiSupport.respond(e, 200, view);
        });

        validated("post-inventory-adjustment", InventoryScopes.INVENTORY_WRITE, e -> {
            JsonNode body = ApiSchemas.body(e);
            String id = body.get("adjustmentId").asText();
            String sku = body.get("sku").asText();
            String location = knownLocation(body, "locationId");
            JsonNode q = body.get("quantity");
            Movement.Kind kind = switch (body.get("kind").asText()) {
                case "receipt" -> Movement.Kind.RECEIPT;
                case "return" -> Movement.Kind.RETURN;
                default -> Movement.Kind.ADJUSTMENT;
            };
            Instant occurredAt = ApiSchemas.instant(body.get("occurredAt").asText());
            String reason = body.hasNonNull("reason") ? body.get("reason").asText() : null;
            Movement m = new Movement("adjustment:" + id, sku, location, kind, q.asLong(), occurredAt,
                    ApiSupport.principal(e).name(), reason);
            InventoryLedger.Result result = tx.execute(s -> ledger.apply(List.of(m)));
            ApiSupport.respond(e, 200, Map.of("adjustmentId", id, "sku", sku,
                    "outcome", result.outcomes().get(0).wireName(), "unknownSku", !result.unknownSkus().isEmpty()));
        });

        validated("post-inventory-count", InventoryScopes.INVENTORY_WRITE, e -> {
            JsonNode body = ApiSchemas.body(e);
            String id = body.get("countId").asText();
            String location = knownLocation(body, "locationId");
            Instant asOf = ApiSchemas.instant(body.get("asOf").asText());
            List<String> skus = new ArrayList<>();
            List<Long> quantities = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            JsonNode counts = body.get("counts");
            for (int i = 0; i < counts.size(); i++) {
                String sku = counts.get(i).get("sku").asText();
                if (!seen.add(sku)) {
                    problems.add("/counts/" + i + "/sku: " + sku + " is counted twice");
                }
                skus.add(sku);
                quantities.add(counts.get(i).get("quantity").asLong());
            }
            if (!problems.isEmpty()) {
                throw ApiException.unprocessable(String.join("; ", problems));
            }
            List<Movement> movements = new ArrayList<>();
            for (int i = 0; i < skus.size(); i++) {
                movements.add(new Movement("count:" + id + ":" + skus.get(i), skus.get(i), location, Movement.Kind.COUNT,
                        quantities.get(i), asOf, ApiSupport.principal(e).name(), null));
            }
            InventoryLedger.Result result = tx.execute(s -> ledger.apply(movements));
            List<Map<String, Object>> outcomes = new ArrayList<>();
            for (int i = 0; i < movements.size(); i++) {
                outcomes.add(Map.of("sku", skus.get(i), "outcome", result.outcomes().get(i).wireName()));
            }
            ApiSupport.respond(e, 200, Map.of("countId", id, "locationId", location, "results", outcomes));
        });

        reservationRoutes();
    }

    private void reservationRoutes() {
        validated("post-reservation", InventoryScopes.INVENTORY_WRITE, e -> {
            JsonNode body = ApiSchemas.body(e);
            String id = body.get("reservationId").asText();
            String sku = body.get("sku").asText();
            String location = knownLocation(body, "locationId");
            JsonNode q = body.get("quantity");
            Instant expiresAt = ApiSchemas.instant(body.get("expiresAt").asText());
            // the key is namespaced by the partner: another partner can neither take nor release this id
            Partners.Principal caller = ApiSupport.principal(e);
            InventoryLedger.ReservationOutcome outcome = tx.execute(s -> ledger.reserve(reservationKey(caller.partnerId(), id),
                    caller.partnerId(), sku, location, q.asLong(), expiresAt));
            boolean held = outcome == InventoryLedger.ReservationOutcome.HELD;
            ApiSupport.respond(e, held ? 201 : 200, Map.of("reservationId", id, "status", held ? "held" : "duplicate"));
        });
        secured("delete-reservation", InventoryScopes.INVENTORY_WRITE, e -> {
            String id = e.getIn().getHeader("id", String.class);
            Partners.Principal caller = ApiSupport.principal(e);
            // an operator (partners:all) may also name any partner's reservation by its full key, <partner id>:<id>
            boolean released = Boolean.TRUE.equals(tx.execute(s -> ledger.release(reservationKey(caller.partnerId(), id), "released")
                    || (caller.has(Scope.ALL_PARTNERS) && ledger.release(id, "released"))));
            if (!released) {
                throw ApiException.notFound("no held reservation " + id + " of yours");
            }
            ApiSupport.respond(e, 204, null);
        });
    }

    /** A reservation's key: the partner's id for it, inside the partner's own namespace. */
    private static String reservationKey(String partnerId, String reservationId) {
        return partnerId + ":" + reservationId;
    }



    /** Locations are configuration, not schema: an undeclared one is refused by name. */
    private String knownLocation(JsonNode body, String field) {
        String id = body.get(field).asText();
        if (ledger.network().location(id).isEmpty()) {
            throw ApiException.unprocessable("/" + field + ": unknown location '" + id + "' (not declared in unison.inventory.locations)");
        }
        return id;
    }
}
