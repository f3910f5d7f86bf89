package dev.unison.connectors.criteo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.model.AdSpend;
import dev.unison.canonical.model.AttributedConversion;
import dev.unison.canonical.model.Money;
import dev.unison.canonical.model.NetworkAttribution;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Report rows to canonical records, in Java with {@link BigDecimal}: an amount never passes through
 * a double (CanonicalJson reads JSON decimals as BigDecimal; text is parsed as text).
 *
 * <p>A campaign-day row is the merged row of {@link CriteoReports#merge}: {@code campaignId, date,
 * impressions, clicks, spend, attributedOrders, attributedUnits, attributedSales, salesOffline,
 * salesOnline}. It becomes one {@link AdSpend}: Criteo's attributed figures under the connection's
 * click and view windows (the ones the report was asked for), the offline part as
 * {@code salesInStore}, the online part as {@code salesOnline}.
 *
 * <p>An attributed-transactions row becomes one {@link AttributedConversion}. Criteo documents that
 * report type, but its row columns were not verifiable from public material for the campaign
 * report (the newer attributed-transactions report lists {@code purchasedDate, purchasedHour,
 * campaignId, lineItemId, advertisedEngagement, salesChannel, attributionWindow,
 * attributedSales, attributedUnits}, and no transaction id). So the reader takes the first present
 * of several plausible names and says which it needs: the id from {@code transactionId} /
 * {@code orderId} / {@code purchaseId} (else a hash of the row, stable for an unchanged row), the time
 * from {@code timestamp} / {@code purchasedAt} / {@code transactionDate} (an instant or a UTC
 * local time) or {@code purchasedDate} + {@code purchasedHour}, the touch from
 * {@code advertisedEngagement} / {@code engagement} / {@code attributionType} ("view" in it: a view,
 * else a click), the window from {@code attributionWindow} (its number of days, else the
 * connection's window of that touch), the channel from {@code salesChannel} / {@code saleChannel}
 * (offline or store: in-store, else online), the line item as {@code adId}.
 */
final class CriteoRows {

    /** The most decimals the canonical money schema takes. */
    private static final int MONEY_SCALE = 6;
    private static final Pattern DAYS = Pattern.compile("([0-9]{1,2})\\s*[dD]");

    private CriteoRows() {
    }

    static AdSpend adSpend(JsonNode row, CriteoSettings settings) {
        String currency = settings.currency();
        NetworkAttribution attributed = new NetworkAttribution(settings.clickWindowDays(), settings.viewWindowDays(),
                count(row, "attributedOrders"), count(row, "attributedUnits"), money(decimal(row, "attributedSales"), currency),
                money(decimal(row, "salesOffline"), currency), money(decimal(row, "salesOnline"), currency));
        return new AdSpend(settings.network(), required(row, "campaignId"), LocalDate.parse(required(row, "date")),
                money(decimal(row, "spend"), currency), count(row, "impressions"), count(row, "clicks"), attributed);
    }

    static AttributedConversion conversion(JsonNode row, CriteoSettings settings) {
        String touch = first(row, "advertisedEngagement", "engagement", "attributionType").toLowerCase(Locale.ROOT)
                .contains("view") ? "view" : "click";
        Matcher window = DAYS.matcher(first(row, "attributionWindow", "attributionWindowDays"));
        int windowDays;
        if (window.find()) {
            windowDays = Integer.parseInt(window.group(1));
        } else if (row.path("attributionWindowDays").canConvertToInt()) {
            windowDays = row.path("attributionWindowDays").asInt();
        } else {
            windowDays = touch.equals("view") ? (settings.viewWindowDays() == null ? 0 : settings.viewWindowDays())
                    : settings.clickWindowDays();
        }
        String channelText = first(row, "salesChannel", "saleChannel").toLowerCase(Locale.ROOT);
        String channel = channelText.contains("offline") || channelText.contains("store") ? "in-store" : "online";
        String id = first(row, "transactionId", "orderId", "purchaseId");
        String lineItem = first(row, "lineItemId");
        // without a transaction id the row is an aggregate (purchase date and hour, line item, engagement,
        // channel, window): its id comes from those identity columns only, so a restated row (more
        // sales) replaces the stored one instead of being counted beside it
        String identity = String.join("|", first(row, "campaignId"), lineItem, first(row, "purchasedDate", "date"),
                first(row, "purchasedHour", "hour"), first(row, "advertisedEngagement", "engagement"), channelText,
                first(row, "attributionWindow"));
        return new AttributedConversion(settings.network(), id.isEmpty() ? "row-" + hash(identity).substring(0, 32) : id,
                required(row, "campaignId"), lineItem.isEmpty() ? null : lineItem, convertedAt(row), touch, windowDays, channel,
                money(decimal(row, "attributedSales"), settings.currency()), count(row, "attributedUnits"));
    }

    /** The dedupe key of a campaign-day row: campaign, day and a hash of the content (a restated row is new). */
    static String campaignDayKey(JsonNode row) {
        return "campaign-day/" + row.path("campaignId").asText() + "/" + row.path("date").asText() + "/"
                + hash(row.toString()).substring(0, 16);
    }

    /** The dedupe key of a transaction row: its id when it has one, and a hash of the content. */
    static String transactionKey(JsonNode row) {
        return "transaction/" + first(row, "transactionId", "orderId", "purchaseId") + "/" + hash(row.toString()).substring(0, 16);
    }

    static Instant convertedAt(JsonNode row) {
        String at = first(row, "timestamp", "purchasedAt", "transactionDate", "transactionTimestamp");
        if (!at.isEmpty()) {
            try {
                return OffsetDateTime.parse(at).toInstant();
            } catch (java.time.format.DateTimeParseException notOffset) {
                try {
                    return LocalDateTime.parse(at.replace(' ', 'T')).toInstant(ZoneOffset.UTC); // the report is in UTC
                } catch (java.time.format.DateTimeParseException notLocal) {
                    return LocalDate.parse(at.substring(0, Math.min(10, at.length()))).atStartOfDay().toInstant(ZoneOffset.UTC);
                }
            }
        }
        String day = first(row, "purchasedDate", "date");
        if (day.isEmpty()) {
            throw new IllegalArgumentException("an attributed transaction without a time (timestamp, purchasedDate): " + row);
        }
        int hour = row.path("purchasedHour").isMissingNode() ? 0 : hour(row.path("purchasedHour").asText());
        return LocalDate.parse(day.substring(0, 10)).atTime(hour, 0).toInstant(ZoneOffset.UTC);
    }

    private static int hour(String text) {
        Matcher m = Pattern.compile("([0-9]{1,2})").matcher(text.length() > 10 ? text.substring(11) : text);
        return m.find() ? Integer.parseInt(m.group(1)) % 24 : 0;
    }

    /** A decimal column, a JSON number (read as BigDecimal) or decimal text; absent or null is zero. */
    static BigDecimal decimal(JsonNode row, String field) {
        JsonNode value = row.path(field);
        if (value.isMissingNode() || value.isNull() || (value.isTextual() && value.asText().isBlank())) {
            return BigDecimal.ZERO;
        }
        if (value.isNumber()) {
            return value.decimalValue();
        }
        try {
            return new BigDecimal(value.asText().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " is not a decimal: " + value, e);
        }
    }

    static long count(JsonNode row, String field) {
        BigDecimal value = decimal(row, field);
        if (value.signum() < 0) {
            throw new IllegalArgumentException(field + " cannot be negative: " + value);
        }
        return value.setScale(0, RoundingMode.UNNECESSARY).longValueExact();
    }

    /** Money of the schema's shape: plain decimal text, at most six decimals (rounded half-even beyond). */
    static Money money(BigDecimal amount, String currency) {
        BigDecimal plain = amount.scale() < 0 ? amount.setScale(0) : amount;
        if (plain.scale() > MONEY_SCALE) {
            plain = plain.setScale(MONEY_SCALE, RoundingMode.HALF_EVEN);
        }
        return new Money(plain, currency);
    }

    private static String required(JsonNode row, String field) {
        String value = row.path(field).asText("");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("report row without " + field + ": " + row);
        }
        return value;
    }

    private static String first(JsonNode row, String... fields) {
        for (String field : fields) {
            JsonNode value = row.path(field);
            if (!value.isMissingNode() && !value.isNull() && !value.asText().isEmpty()) {
                return value.asText();
            }
        }
        return "";
    }

    static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
