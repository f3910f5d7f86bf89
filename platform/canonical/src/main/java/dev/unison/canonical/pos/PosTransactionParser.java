package dev.unison.canonical.pos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.identity.IdentifierNormalizer;
import dev.unison.canonical.model.IdentifierType;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Turns a POS transaction body into a {@link PosTransaction}:
 *
 * <pre>{@code
 * {"storeId": "STORE-7", "registerId": "R1", "businessDay": "2026-11-26", "sequence": 1042,
 *  "type": "sale", "occurredAt": "2026-11-26T10:15:30Z", "currency": "USD",
 *  "lines": [{"sku": "TRAIL-SHOE-42", "gtin": "00012345678905", "quantity": 1, "unitPrice": "89.90"}],
 *  "loyaltyId": "L-000123", "paymentToken": "tok_4f9a", "phone": "+1 415-555-0100", "email": "jane@example.com",
 *  "cartId": "app-cart-81"}
 * }</pre>
 *
 * {@code cartId} (optional, sales only) names the shopper's open cart that the sale buys.
 *
 * The body's shape (required fields, types, patterns, ranges, no unknown fields) is its JSON Schema's
 * business, checked by whoever receives it before this runs (the partner API validates against
 * {@code post-pos-transaction.request.schema.json}); this class adds only what a schema cannot say,
 * collecting every problem with its field: the store must be a declared location, a GTIN must carry
 * a valid GS1 check digit (GS1 General Specifications, "Check digit calculation"), and phone and
 * email must normalize. A body that breaks the schema anyway is refused, never half-read.
 */
public final class PosTransactionParser {

    private PosTransactionParser() {
    }

    /**
     * @param storeKnown whether a store id is a declared location (an unknown store is refused)
     * @throws PosValidationException naming every bad field
     */
    public static PosTransaction parse(JsonNode json, Predicate<String> storeKnown) {
        return parse(json, storeKnown, new IdentifierNormalizer("US"));
    }

    /**
     * @param json a body valid against the POS transaction schema
     * @param identifiers normalizes the customer's phone (to E.164, national numbers in its default
     *        region) and email given at the till; a value it refuses is a bad field
     */
    public static PosTransaction parse(JsonNode json, Predicate<String> storeKnown, IdentifierNormalizer identifiers) {
        try {
            return read(json, storeKnown, identifiers);
        } catch (RuntimeException offSchema) {
            if (offSchema instanceof PosValidationException refused) {
                throw refused;
            }
            // only reachable when the caller skipped the schema: refuse, naming what broke
            throw new PosValidationException(List.of("body does not match the POS transaction schema: " + offSchema));
        }
    }

    private static PosTransaction read(JsonNode json, Predicate<String> storeKnown, IdentifierNormalizer identifiers) {
        List<String> problems = new ArrayList<>();
        String storeId = json.get("storeId").textValue();
        if (!storeKnown.test(storeId)) {
            problems.add("storeId: unknown store '" + storeId + "' (not a declared location)");
        }
        List<PosTransaction.Line> lines = new ArrayList<>();
        JsonNode items = json.get("lines");
        for (int i = 0; i < items.size(); i++) {
            JsonNode line = items.get(i);
            String gtin = line.path("gtin").textValue();
            if (gtin != null && !gs1CheckDigitValid(gtin)) {
                problems.add("lines[" + i + "].gtin: not a valid GTIN-8/12/13/14 (digits with a GS1 check digit): '" + gtin + "'");
            }
            lines.add(new PosTransaction.Line(line.get("sku").textValue(), gtin, line.get("quantity").longValue(),
                    new BigDecimal(line.get("unitPrice").textValue())));
        }
        String phone = identifier(json, "phone", IdentifierType.PHONE, identifiers, problems);
        String email = identifier(json, "email", IdentifierType.EMAIL, identifiers, problems);
        PosTransaction.Type type = "return".equals(json.get("type").textValue()) ? PosTransaction.Type.RETURN
                : PosTransaction.Type.SALE;
        JsonNode returned = json.path("returnOf");
        String returnOf = null;
        if (returned.isObject()) {
            if (type != PosTransaction.Type.RETURN) {
                problems.add("returnOf: only a return names the sale it returns");
            }
            returnOf = returned.get("storeId").textValue() + ":" + returned.get("registerId").textValue() + ":"
                    + LocalDate.parse(returned.get("businessDay").textValue()) + ":" + returned.get("sequence").longValue();
        }
        String cartId = optional(json, "cartId");
        if (cartId != null && type != PosTransaction.Type.SALE) {
            problems.add("cartId: only a sale converts a cart");
        }
        if (!problems.isEmpty()) {
            throw new PosValidationException(problems);
        }
        return new PosTransaction(storeId, json.get("registerId").textValue(), LocalDate.parse(json.get("businessDay").textValue()),
                json.get("sequence").longValue(), type, OffsetDateTime.parse(json.get("occurredAt").textValue()).toInstant(),
                json.get("currency").textValue(), lines, optional(json, "loyaltyId"), optional(json, "paymentToken"), phone, email,
                returnOf, cartId);
    }

    private static String identifier(JsonNode json, String field, IdentifierType type, IdentifierNormalizer normalizer,
            List<String> problems) {
        String raw = optional(json, field);
        if (raw == null) {
            return null;
        }
        try {
            return normalizer.normalize(type, raw).value();
        } catch (IdentifierNormalizer.InvalidIdentifierException invalid) {
            problems.add(field + ": " + invalid.getMessage());
            return null;
        }
    }

    private static String optional(JsonNode json, String field) {
        String value = json.path(field).textValue();
        return value == null ? null : value.trim();
    }

    /** GS1 mod-10: weights 3 and 1 alternate from the rightmost digit before the check digit. */
    static boolean gs1CheckDigitValid(String gtin) {
        int sum = 0;
        for (int i = gtin.length() - 2, weight = 3; i >= 0; i--, weight = 4 - weight) {
            sum += (gtin.charAt(i) - '0') * weight;
        }
        return (10 - sum % 10) % 10 == gtin.charAt(gtin.length() - 1) - '0';
    }
}
