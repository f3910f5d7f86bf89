package dev.unison.connectors.amazonads;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.AdSpend;
import dev.unison.canonical.model.Money;
import dev.unison.canonical.model.NetworkAttribution;
import dev.unison.connectors.kit.identity.DestinationHashing;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;

/**
 * A row of a daily {@code spCampaigns} report ("Reporting v3: Columns": {@code cost} in the
 * campaign's budget currency, {@code purchases14d}, {@code unitsSoldClicks14d} and {@code sales14d}:
 * conversions within 14 days of an ad click) as canonical spend with Amazon's own figures.
 */
final class CampaignDayRows {

    /** Amounts are read as decimals, never through a double. */
    private static final ObjectMapper DECIMALS = CanonicalJson.mapper().copy()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    /** Amazon's sponsored products report columns count purchases within 14 days of a click; views are not counted. */
    static final int CLICK_WINDOW_DAYS = 14;

    private CampaignDayRows() {
    }

    /**
     * The row's dedupe key: campaign, day and a digest of everything it says, so a day Amazon
     * restates (more attributed sales) is a new delivery and the same figures again are not.
     */
    static String key(JsonNode row) {
        return row.path("campaignId").asText() + "/" + row.path("date").asText() + "/"
                + DestinationHashing.sha256Hex(row.toString()).substring(0, 16);
    }

    static AdSpend spend(byte[] body, String network, String defaultCurrency) {
        JsonNode row;
        try {
            row = DECIMALS.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("the report row is not JSON: " + e.getMessage(), e);
        }
        String campaignId = required(row, "campaignId").asText();
        LocalDate day;
        try {
            day = LocalDate.parse(required(row, "date").asText());
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("the report row's date is not YYYY-MM-DD: " + row.get("date"), e);
        }
        String currency = row.path("campaignBudgetCurrencyCode").asText("");
        currency = currency.isEmpty() ? defaultCurrency : currency;
        Money cost = new Money(decimal(row, "cost"), currency);
        NetworkAttribution amazon = new NetworkAttribution(CLICK_WINDOW_DAYS, null, count(row, "purchases14d"),
                count(row, "unitsSoldClicks14d"), new Money(decimal(row, "sales14d"), currency), null, null);
        return new AdSpend(network, campaignId, day, cost, count(row, "impressions"), count(row, "clicks"), amazon);
    }

    private static JsonNode required(JsonNode row, String column) {
        JsonNode value = row.get(column);
        if (value == null || value.isNull() || value.asText().isEmpty()) {
            throw new IllegalArgumentException("the report row has no " + column + ": " + abbreviated(row));
        }
        return value;
    }

    private static BigDecimal decimal(JsonNode row, String column) {
        JsonNode value = row.get(column);
        if (value == null || value.isNull()) {
            return BigDecimal.ZERO; // Amazon leaves a metric out of a row without activity
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException("the report row's " + column + " is not a number: " + value);
        }
        BigDecimal amount = value.decimalValue();
        if (amount.scale() < 0) {
            amount = amount.setScale(0); // Jackson strips trailing zeros (14000.00 -> 1.4E+4): a plain amount again
        }
        if (amount.signum() < 0) {
            throw new IllegalArgumentException("the report row's " + column + " is negative: " + value);
        }
        return amount;
    }

    private static long count(JsonNode row, String column) {
        BigDecimal value = decimal(row, column);
        try {
            return value.longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("the report row's " + column + " is not a whole number: " + value, e);
        }
    }

    private static String abbreviated(JsonNode row) {
        String text = row.toString();
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
