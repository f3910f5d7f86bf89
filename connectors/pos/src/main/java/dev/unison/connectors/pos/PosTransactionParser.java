package dev.unison.connectors.pos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.identity.IdentifierNormalizer;
import dev.unison.canonical.model.IdentifierType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Reads and validates the POS transaction JSON:
 *
 * <pre>{@code
 * {"storeId": "STORE-7", "registerId": "R1", "businessDay": "2026-11-26", "sequence": 1042,
 *  "type": "sale", "occurredAt": "2026-11-26T10:15:30Z", "currency": "USD",
 *  "lines": [{"sku": "TRAIL-SHOE-42", "gtin": "00012345678905", "quantity": 1, "unitPrice": "89.90"}],
 *  "loyaltyId": "L-000123", "paymentToken": "tok_4f9a", "phone": "+1 415-555-0100", "email": "jane@example.com"}
 * }</pre>
 *
 * Every problem is collected (not just the first), each naming its field. Quantities are positive:
 * a return is {@code "type": "return"}, never a negative quantity. A GTIN, when present, must carry
 * a valid GS1 check digit (GS1 General Specifications, "Check digit calculation").
 */
public final class PosTransactionParser {

    private static final Set<String> FIELDS = Set.of("storeId", "registerId", "businessDay", "sequence", "type",
            "occurredAt", "currency", "lines", "loyaltyId", "paymentToken", "phone", "email");
    private static final Set<String> LINE_FIELDS = Set.of("sku", "gtin", "quantity", "unitPrice");
    private static final Pattern ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$");
    private static final Pattern CURRENCY = Pattern.compile("^[A-Z]{3}$");
    private static final Pattern GTIN = Pattern.compile("^(\\d{8}|\\d{12}|\\d{13}|\\d{14})$");
    private static final Pattern PRICE = Pattern.compile("^\\d{1,12}(\\.\\d{1,4})?$");
    static final int MAX_LINES = 500;

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
     * @param identifiers normalizes the customer's phone (to E.164, national numbers in its default
     *        region) and email given at the till; a value it refuses is a bad field
     */
    public static PosTransaction parse(JsonNode json, Predicate<String> storeKnown, IdentifierNormalizer identifiers) {
        List<String> problems = new ArrayList<>();
        for (Iterator<String> it = json.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                problems.add(field + ": unknown field");
            }
        }
        String storeId = id(json, "storeId", problems);
        if (storeId != null && !storeKnown.test(storeId)) {
            problems.add("storeId: unknown store '" + storeId + "' (not a declared location)");
        }
        String registerId = id(json, "registerId", problems);
        LocalDate day = null;
        String dayText = text(json, "businessDay", problems);
        if (dayText != null) {
            try {
                day = LocalDate.parse(dayText);
            } catch (DateTimeParseException e) {
                problems.add("businessDay: not a date (YYYY-MM-DD): '" + dayText + "'");
            }
        }
        long sequence = -1;
        JsonNode seq = json.get("sequence");
        if (seq == null || !seq.canConvertToLong() || !seq.isIntegralNumber() || seq.asLong() < 0) {
            problems.add("sequence: required non-negative integer");
        } else {
            sequence = seq.asLong();
        }
        PosTransaction.Type type = null;
        String typeText = text(json, "type", problems);
        if (typeText != null) {
            switch (typeText) {
                case "sale" -> type = PosTransaction.Type.SALE;
                case "return" -> type = PosTransaction.Type.RETURN;
                default -> problems.add("type: must be sale or return, got '" + typeText + "'");
            }
        }
        Instant occurredAt = null;
        String occurredText = text(json, "occurredAt", problems);
        if (occurredText != null) {
            try {
                occurredAt = Instant.parse(occurredText);
            } catch (DateTimeParseException e) {
                problems.add("occurredAt: not an ISO-8601 instant (e.g. 2026-11-26T10:15:30Z): '" + occurredText + "'");
            }
        }
        String currency = text(json, "currency", problems);
        if (currency != null && !CURRENCY.matcher(currency).matches()) {
            problems.add("currency: ISO 4217 code of three capital letters, got '" + currency + "'");
        }
        List<PosTransaction.Line> lines = lines(json.get("lines"), problems);
        String loyaltyId = optionalText(json, "loyaltyId", 128, problems);
        String paymentToken = optionalText(json, "paymentToken", 256, problems);
        String phone = identifier(json, "phone", IdentifierType.PHONE, identifiers, problems);
        String email = identifier(json, "email", IdentifierType.EMAIL, identifiers, problems);
        if (!problems.isEmpty()) {
            throw new PosValidationException(problems);
        }
        return new PosTransaction(storeId, registerId, day, sequence, type, occurredAt, currency, lines, loyaltyId,
                paymentToken, phone, email);
    }

    private static String identifier(JsonNode json, String field, IdentifierType type, IdentifierNormalizer normalizer,
            List<String> problems) {
        String raw = optionalText(json, field, 256, problems);
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

    private static List<PosTransaction.Line> lines(JsonNode lines, List<String> problems) {
        List<PosTransaction.Line> out = new ArrayList<>();
        if (lines == null || !lines.isArray() || lines.isEmpty()) {
            problems.add("lines: required, at least one line");
            return out;
        }
        if (lines.size() > MAX_LINES) {
            problems.add("lines: at most " + MAX_LINES + " lines per transaction");
            return out;
        }
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            String at = "lines[" + i + "].";
            if (!line.isObject()) {
                problems.add("lines[" + i + "]: must be an object");
                continue;
            }
            for (Iterator<String> it = line.fieldNames(); it.hasNext();) {
                String field = it.next();
                if (!LINE_FIELDS.contains(field)) {
                    problems.add(at + field + ": unknown field");
                }
            }
            JsonNode skuNode = line.get("sku");
            String sku = null;
            if (skuNode == null || !skuNode.isTextual() || skuNode.asText().isBlank() || skuNode.asText().length() > 64) {
                problems.add(at + "sku: required string of 1..64 characters");
            } else {
                sku = skuNode.asText();
            }
            String gtin = null;
            JsonNode gtinNode = line.get("gtin");
            if (gtinNode != null && !gtinNode.isNull()) {
                gtin = gtinNode.asText();
                if (!gtinNode.isTextual() || !GTIN.matcher(gtin).matches() || !gs1CheckDigitValid(gtin)) {
                    problems.add(at + "gtin: not a valid GTIN-8/12/13/14 (digits with a GS1 check digit): '" + gtin + "'");
                }
            }
            JsonNode q = line.get("quantity");
            long quantity = 0;
            if (q == null || !q.isIntegralNumber()) {
                problems.add(at + "quantity: required positive integer");
            } else if (!q.canConvertToLong()) {
                // asLong() of 2^64+1 is 1: a number beyond long must be refused, not wrapped
                problems.add(at + "quantity: at most 100000 units per line");
            } else if (q.asLong() <= 0) {
                problems.add(at + "quantity: must be positive, got " + q.asLong()
                        + " (send a return as \"type\": \"return\" with positive quantities)");
            } else if (q.asLong() > 100_000) {
                problems.add(at + "quantity: at most 100000 units per line");
            } else {
                quantity = q.asLong();
            }
            JsonNode p = line.get("unitPrice");
            BigDecimal price = null;
            if (p == null || !p.isTextual() || !PRICE.matcher(p.asText()).matches()) {
                problems.add(at + "unitPrice: required decimal string >= 0 with up to 4 decimals, e.g. \"89.90\"");
            } else {
                price = new BigDecimal(p.asText());
            }
            out.add(new PosTransaction.Line(sku, gtin, quantity, price));
        }
        return out;
    }

    /** GS1 mod-10: weights 3 and 1 alternate from the rightmost digit before the check digit. */
    static boolean gs1CheckDigitValid(String gtin) {
        int sum = 0;
        for (int i = gtin.length() - 2, weight = 3; i >= 0; i--, weight = 4 - weight) {
            sum += (gtin.charAt(i) - '0') * weight;
        }
        return (10 - sum % 10) % 10 == gtin.charAt(gtin.length() - 1) - '0';
    }

    private static String id(JsonNode json, String field, List<String> problems) {
        String value = text(json, field, problems);
        if (value != null && !ID.matcher(value).matches()) {
            problems.add(field + ": 1..64 letters, digits, '.', '_' or '-', got '" + value + "'");
            return null;
        }
        return value;
    }

    private static String text(JsonNode json, String field, List<String> problems) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            problems.add(field + ": required");
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            problems.add(field + ": must be a non-empty string");
            return null;
        }
        return value.asText();
    }

    private static String optionalText(JsonNode json, String field, int max, List<String> problems) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank() || value.asText().length() > max) {
            problems.add(field + ": when present, a string of 1.." + max + " characters");
            return null;
        }
        return value.asText().trim();
    }
}
