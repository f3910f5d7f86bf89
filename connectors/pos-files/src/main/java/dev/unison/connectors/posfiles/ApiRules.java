package dev.unison.connectors.posfiles;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.pos.PosTransaction;
import dev.unison.canonical.pos.PosTransactionParser;
import dev.unison.canonical.pos.PosValidationException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON API's rules for a POS transaction, for values read from a file. The bounds of the API's
 * request schema ({@code post-pos-transaction.request.schema.json} in domains/inventory: id patterns,
 * date windows, 1..500 lines, whole quantities 1..100000, prices with at most 12+4 digits) are
 * checked here, naming the file's field, because the file's fields are not a JSON body; what the
 * schema cannot say (the store is a declared location, a GTIN's GS1 check digit, a return's sale) and
 * the making of the {@link PosTransaction} itself are {@link PosTransactionParser}'s, the very code the
 * API runs, so that a transaction read from a file is the transaction the API makes of the same sale.
 */
final class ApiRules {

    static final Pattern ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$");
    static final Pattern CURRENCY = Pattern.compile("^[A-Z]{3}$");
    static final Pattern GTIN = Pattern.compile("^([0-9]{8}|[0-9]{12}|[0-9]{13}|[0-9]{14})$");
    static final Pattern PRICE = Pattern.compile("^[0-9]{1,12}(\\.[0-9]{1,4})?$");
    static final long MAX_SEQUENCE = 9007199254740991L;
    static final int MAX_LINES = 500;
    static final BigDecimal MAX_QUANTITY = BigDecimal.valueOf(100000);
    static final Instant NOT_BEFORE = Instant.parse("2000-01-01T00:00:00Z");
    /** An extended amount may differ from quantity x unit price by rounding to the cent. */
    static final BigDecimal ROUNDING = new BigDecimal("0.01");

    private static final Pattern LINE_VIOLATION = Pattern.compile("^lines\\[(\\d+)\\]\\.(\\w+): (.*)$", Pattern.DOTALL);
    private static final Pattern TOP_VIOLATION = Pattern.compile("^(\\w+): (.*)$", Pattern.DOTALL);

    private ApiRules() {
    }

    static String id(String value, String field, List<String> problems) {
        if (value == null || value.isEmpty()) {
            problems.add(field + ": missing");
            return null;
        }
        if (!ID.matcher(value).matches()) {
            problems.add(field + ": '" + value + "' is not an id (a letter or digit, then letters, digits, '.', '_', '-'; at most 64)");
            return null;
        }
        return value;
    }

    static LocalDate businessDay(String value, String field, Clock clock, List<String> problems) {
        if (value == null || value.isEmpty()) {
            problems.add(field + ": missing");
            return null;
        }
        LocalDate day;
        try {
            day = LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            problems.add(field + ": '" + value + "' is not a date (YYYY-MM-DD)");
            return null;
        }
        Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        if (start.isBefore(NOT_BEFORE) || start.isAfter(clock.instant().plus(Duration.ofDays(2)))) {
            problems.add(field + ": " + day + " is outside 2000-01-01 .. two days from now");
            return null;
        }
        return day;
    }

    static Long sequence(String value, String field, List<String> problems) {
        if (value == null || value.isEmpty()) {
            problems.add(field + ": missing");
            return null;
        }
        try {
            long n = Long.parseLong(value);
            if (n >= 0 && n <= MAX_SEQUENCE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        problems.add(field + ": '" + value + "' is not a transaction number (a whole number 0..2^53-1)");
        return null;
    }

    /** The instant's text as the API takes it (RFC 3339, an offset required), or null. */
    static OffsetDateTime occurredAt(String value, String field, Clock clock, List<String> problems) {
        if (value == null || value.isEmpty()) {
            problems.add(field + ": missing");
            return null;
        }
        OffsetDateTime at;
        try {
            at = OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            problems.add(field + ": '" + value + "' is not an ISO-8601 date-time with an offset (2026-11-26T10:15:30+01:00)");
            return null;
        }
        return inWindow(at, field, clock, problems);
    }

    static OffsetDateTime inWindow(OffsetDateTime at, String field, Clock clock, List<String> problems) {
        Instant instant = at.toInstant();
        if (instant.isBefore(NOT_BEFORE) || instant.isAfter(clock.instant().plus(Duration.ofDays(1)))) {
            problems.add(field + ": " + at + " is outside 2000-01-01 .. one day from now");
            return null;
        }
        return at;
    }

    static String currency(String value, String field, List<String> problems) {
        if (value == null || value.isEmpty()) {
            problems.add(field + ": missing");
            return null;
        }
        if (!CURRENCY.matcher(value).matches()) {
            problems.add(field + ": '" + value + "' is not an ISO 4217 code (three capital letters)");
            return null;
        }
        return value;
    }

    static String sku(String value, String field, List<String> problems) {
        if (value == null || value.isBlank()) {
            problems.add(field + ": missing (every sold or returned item names its sku)");
            return null;
        }
        if (value.length() > 64) {
            problems.add(field + ": longer than 64 characters");
            return null;
        }
        return value;
    }

    /** The pattern only: the GS1 check digit is {@link PosTransactionParser}'s. */
    static String gtin(String value, String field, List<String> problems) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!GTIN.matcher(value).matches()) {
            problems.add(field + ": '" + value + "' is not a GTIN-8/12/13/14 (8, 12, 13 or 14 digits)");
            return null;
        }
        return value;
    }

    static BigDecimal decimal(String value, String field, boolean required, List<String> problems) {
        if (value == null || value.isEmpty()) {
            if (required) {
                problems.add(field + ": missing");
            }
            return null;
        }
        try {
            return new BigDecimal(value);
        } catch (NumberFormatException e) {
            problems.add(field + ": '" + value + "' is not a decimal number");
            return null;
        }
    }

    /** A unit price as the API takes it: the text as written ("89.90" stays "89.90"), >= 0, 12+4 digits. */
    static String price(String value, String field, List<String> problems) {
        if (value == null || value.isEmpty()) {
            problems.add(field + ": missing");
            return null;
        }
        if (!PRICE.matcher(value).matches()) {
            problems.add(field + ": '" + value + "' is not a price (a decimal >= 0, at most 12 digits and 4 decimals)");
            return null;
        }
        return value;
    }

    static String optionalText(String value, String field, int maxLength, List<String> problems) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > maxLength) {
            problems.add(field + ": longer than " + maxLength + " characters");
            return null;
        }
        return value;
    }

    /** A line's quantity and unit price as the API takes them, or null (a problem named). */
    /** One sale or return line as the POS API takes it. */
    record ApiLine(String sku, String gtin, Units units) {
    }

    /**
     * The body of {@code POST /api/v1/pos/transactions} a file's transaction becomes: both readers
     * hand the API's own parser the same shape, so a transaction by file and by API is the same.
     */
    static com.fasterxml.jackson.databind.node.ObjectNode apiBody(String storeId, String registerId, java.time.LocalDate day,
            long sequence, boolean isReturn, String occurredAt, String currency, List<ApiLine> items, String loyaltyId,
            String paymentToken) {
        com.fasterxml.jackson.databind.node.ObjectNode body = dev.unison.canonical.json.CanonicalJson.mapper().createObjectNode();
        body.put("storeId", storeId).put("registerId", registerId).put("businessDay", day.toString()).put("sequence", sequence)
                .put("type", isReturn ? "return" : "sale").put("occurredAt", occurredAt).put("currency", currency);
        com.fasterxml.jackson.databind.node.ArrayNode lines = body.putArray("lines");
        for (ApiLine item : items) {
            com.fasterxml.jackson.databind.node.ObjectNode line = lines.addObject().put("sku", item.sku());
            if (item.gtin() != null) {
                line.put("gtin", item.gtin());
            }
            line.put("quantity", item.units().quantity()).put("unitPrice", item.units().unitPrice());
        }
        if (loyaltyId != null) {
            body.put("loyaltyId", loyaltyId);
        }
        if (paymentToken != null) {
            body.put("paymentToken", paymentToken);
        }
        return body;
    }

    record Units(long quantity, String unitPrice) {
    }

    /**
     * @param quantityField e.g. {@code line 7 qty}
     * @param extendedAmount the line's extended amount (quantity x unit price), for a fractional quantity
     */
    static Units units(String quantityText, String quantityField, String unitPrice, BigDecimal extendedAmount, String extendedField,
            String unitOfMeasure, PosFileOptions options, List<String> problems, List<String> notes) {
        BigDecimal quantity = decimal(quantityText, quantityField, true, problems);
        if (quantity == null) {
            return null;
        }
        if (quantity.signum() <= 0 || quantity.compareTo(MAX_QUANTITY) > 0) {
            problems.add(quantityField + ": " + quantityText + " is not a quantity (more than 0, at most 100000; a return's quantity is positive too)");
            return null;
        }
        BigDecimal whole = quantity.stripTrailingZeros();
        if (whole.scale() <= 0) {
            return unitPrice == null ? null : new Units(whole.longValueExact(), unitPrice);
        }
        String measured = quantityText + (unitOfMeasure == null || unitOfMeasure.isBlank() ? "" : " " + unitOfMeasure);
        if (options.fractionalQuantity() == PosFileOptions.FractionalQuantity.REJECT) {
            problems.add(quantityField + ": " + measured + " is not a whole number of units (a weighed item?): a POS transaction "
                    + "carries whole units (fractionalQuantity ONE_UNIT_AT_EXTENDED_AMOUNT takes it as 1 unit at its extended amount)");
            return null;
        }
        if (extendedAmount == null) {
            problems.add(extendedField + ": missing (a weighed quantity is taken as 1 unit at its extended amount)");
            return null;
        }
        String price = price(extendedAmount.toPlainString(), extendedField, problems);
        if (price == null) {
            return null;
        }
        notes.add(quantityField + ": " + measured + " taken as 1 unit at its extended amount " + price);
        return new Units(1, price);
    }

    /** Whether an extended amount is quantity x unit price, to the cent. */
    static boolean extendsTo(BigDecimal quantity, BigDecimal unitPrice, BigDecimal extendedAmount) {
        return quantity.multiply(unitPrice).subtract(extendedAmount).abs().compareTo(ROUNDING) < 0;
    }

    /**
     * Hands a body in the API's shape to {@link PosTransactionParser}: the transaction, or the parser's
     * violations with the API's field names replaced by the file's ({@code lines[2].gtin} becomes
     * what {@code lineField} says of line 2 and gtin).
     */
    static PosFileOutcome finish(ObjectNode body, String key, PosFilePosition position, List<String> notes, PosFileOptions options,
            Function<String, String> topField, BiFunction<Integer, String, String> lineField) {
        try {
            PosTransaction tx = PosTransactionParser.parse(body, options.storeKnown(), options.identifiers());
            return new PosFileOutcome.Accepted(tx, position, notes);
        } catch (PosValidationException refused) {
            List<String> reasons = new ArrayList<>();
            for (String v : refused.violations()) {
                Matcher line = LINE_VIOLATION.matcher(v);
                Matcher top = TOP_VIOLATION.matcher(v);
                if (line.matches()) {
                    reasons.add(lineField.apply(Integer.parseInt(line.group(1)), line.group(2)) + ": " + line.group(3));
                } else if (top.matches()) {
                    reasons.add(topField.apply(top.group(1)) + ": " + top.group(2));
                } else {
                    reasons.add(v);
                }
            }
            return new PosFileOutcome.Rejected(key, position, reasons);
        }
    }
}
