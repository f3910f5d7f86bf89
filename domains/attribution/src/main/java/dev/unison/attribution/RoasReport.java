package dev.unison.attribution;

import dev.unison.attribution.AttributionStore.CampaignSettings;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The ROAS report: per campaign (or day, or network) and currency, the spend the networks reported
 * beside the revenue the hub attributed to their exposures, online and in stores, and the two ROAS
 * figures: online revenue ÷ spend (what a measurement that cannot see stores reports, "disconnected")
 * and all attributed revenue ÷ spend ("connected"). Revenue is the order total less its refunds, in
 * the order's currency; money is never added across currencies. Revenue and orders count by the day
 * the order was placed, spend by the day it was spent. Rows backed by fewer distinct shoppers than
 * the threshold show no shopper-derived figure (the aggregation threshold of clean rooms).
 *
 * <p>Beside the hub's figures, each row shows the networks' own ({@link NetworkFigures}): what they
 * credit to the row's campaigns by their own windows, from the network figures of the spend rows of
 * the period's days, or, for a campaign whose spend rows of the period carry none, from its
 * attributed conversions of the period (by the day of the conversion); never both. They are the
 * networks' published aggregates, so the thin-row rule does not withhold them.
 */
public class RoasReport {

    public enum GroupBy {
        CAMPAIGN, DAY, NETWORK;

        public static GroupBy fromWireName(String value) {
            try {
                return valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("groupBy must be campaign, day or network, got '" + value + "'");
            }
        }
    }

    /**
     * What to report. {@code from}/{@code to}: inclusive days (UTC), null for open ends;
     * {@code readableAdvertisers}: null for all campaigns, else only campaigns of these advertisers.
     */
    public record Query(LocalDate from, LocalDate to, String network, String campaignId, AttributionModel model,
            GroupBy groupBy, Set<String> readableAdvertisers) {
    }

    /**
     * One report row. Shopper-derived fields are null when {@code suppressed}; the network's own
     * figures ({@code network*}, {@code roasNetwork}) never are, and are null when no network said any.
     */
    public record Row(String network, String campaignId, String advertiserId, LocalDate day, String currency,
            BigDecimal spend, long impressions, long clicks, Long attributedOrders, BigDecimal revenueOnline,
            BigDecimal revenueInStore, BigDecimal revenue, BigDecimal roasOnline, BigDecimal roasConnected,
            Long shoppers, boolean suppressed, LookbackWindows windows, Long networkOrders, Long networkUnits,
            BigDecimal networkRevenue, BigDecimal networkRevenueInStore, BigDecimal networkRevenueOnline,
            BigDecimal roasNetwork, String networkWindow) {
    }

    private final JdbcTemplate jdbc;
    private final AttributionStore store;
    private final AttributionEngine engine;
    private final int minShoppers;

    public RoasReport(JdbcTemplate jdbc, AttributionStore store, AttributionEngine engine, int minShoppers) {
        this.jdbc = jdbc;
        this.store = store;
        this.engine = engine;
        this.minShoppers = minShoppers;
    }

    private static final class Acc {
        final String network;
        final String campaignId;
        final LocalDate day;
        final String currency;
        BigDecimal spend = BigDecimal.ZERO;
        long impressions;
        long clicks;
        final Set<String> orders = new HashSet<>();
        final Set<String> shoppers = new HashSet<>();
        BigDecimal online = BigDecimal.ZERO;
        BigDecimal inStore = BigDecimal.ZERO;
        final NetworkFigures networkFigures = new NetworkFigures();

        Acc(String network, String campaignId, LocalDate day, String currency) {
            this.network = network;
            this.campaignId = campaignId;
            this.day = day;
            this.currency = currency;
        }
    }

    public List<Row> run(Query q) {
        Map<String, CampaignSettings> campaigns = new HashMap<>();
        store.campaigns().forEach(c -> campaigns.put(c.network() + "\u0000" + c.campaignId(), c));
        // the settings once per report, not per row
        Map<String, AttributionStore.NetworkSettings> networks = new HashMap<>();
        store.networks().forEach(n -> networks.put(n.network(), n));
        Map<List<Object>, Acc> rows = new TreeMap<>(Comparator.comparing(Object::toString));

        StringBuilder where = new StringBuilder(switch (q.model()) {
            case LAST_TOUCH -> " WHERE c.last_touch = TRUE";
            case FIRST_TOUCH -> " WHERE c.first_touch = TRUE";
            case LINEAR -> " WHERE 1 = 1";
        });
        List<Object> args = new ArrayList<>();
        boolean linear = q.model() == AttributionModel.LINEAR;
        if (q.from() != null) {
            where.append(" AND o.placed_at >= ?");
            args.add(AttributionStore.utc(q.from().atStartOfDay(ZoneOffset.UTC).toInstant()));
        }
        if (q.to() != null) {
            where.append(" AND o.placed_at < ?");
            args.add(AttributionStore.utc(q.to().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
        }
        if (q.network() != null) {
            where.append(" AND c.network = ?");
            args.add(q.network());
        }
        if (q.campaignId() != null) {
            where.append(" AND c.campaign_id = ?");
            args.add(q.campaignId());
        }
        jdbc.query("SELECT c.order_id, c.profile_id, c.network, c.campaign_id, c.touches, o.placed_in, o.placed_at, o.currency, "
                + "o.total, o.cancelled, (SELECT COALESCE(SUM(r.amount), 0) FROM attribution_refund r WHERE r.order_id = o.order_id "
                + "AND r.currency = o.currency) AS refunded FROM attribution_credit c JOIN attribution_order o "
                + "ON o.order_id = c.order_id" + where, rs -> {
                    String network = rs.getString("network");
                    String campaignId = rs.getString("campaign_id");
                    if (!readable(q, campaigns, network, campaignId)) {
                        return;
                    }
                    Instant placedAt = AttributionStore.instant(rs, "placed_at");
                    Acc acc = rows.computeIfAbsent(key(q.groupBy(), network, campaignId,
                            placedAt.atZone(ZoneOffset.UTC).toLocalDate(), rs.getString("currency")), k -> acc(q.groupBy(), k));
                    BigDecimal net = rs.getBoolean("cancelled") ? BigDecimal.ZERO
                            : rs.getBigDecimal("total").subtract(rs.getBigDecimal("refunded")).max(BigDecimal.ZERO);
                    BigDecimal share = linear ? net.divide(BigDecimal.valueOf(rs.getInt("touches")), 10, RoundingMode.HALF_EVEN) : net;
                    if ("store".equals(rs.getString("placed_in"))) {
                        acc.inStore = acc.inStore.add(share);
                    } else {
                        acc.online = acc.online.add(share);
                    }
                    acc.orders.add(rs.getString("order_id"));
                    acc.shoppers.add(rs.getString("profile_id"));
                }, args.toArray());

        StringBuilder spendWhere = new StringBuilder(" WHERE 1 = 1");
        List<Object> spendArgs = new ArrayList<>();
        if (q.from() != null) {
            spendWhere.append(" AND spend_day >= ?");
            spendArgs.add(q.from());
        }
        if (q.to() != null) {
            spendWhere.append(" AND spend_day <= ?");
            spendArgs.add(q.to());
        }
        if (q.network() != null) {
            spendWhere.append(" AND network = ?");
            spendArgs.add(q.network());
        }
        if (q.campaignId() != null) {
            spendWhere.append(" AND campaign_id = ?");
            spendArgs.add(q.campaignId());
        }
        // the campaigns whose spend rows of the period carry the network's figures: their conversions are not added
        Set<List<String>> withSpendFigures = new HashSet<>();
        jdbc.query("SELECT network, campaign_id, spend_day, currency, spend, impressions, clicks, network_click_window_days, "
                + "network_view_window_days, network_orders, network_units, network_sales, network_sales_in_store, "
                + "network_sales_online FROM ad_spend" + spendWhere, rs -> {
            String network = rs.getString("network");
            String campaignId = rs.getString("campaign_id");
            if (!readable(q, campaigns, network, campaignId)) {
                return;
            }
            Acc acc = rows.computeIfAbsent(key(q.groupBy(), network, campaignId, rs.getObject("spend_day", LocalDate.class),
                    rs.getString("currency")), k -> acc(q.groupBy(), k));
            acc.spend = acc.spend.add(rs.getBigDecimal("spend"));
            acc.impressions += rs.getLong("impressions");
            acc.clicks += rs.getLong("clicks");
            BigDecimal networkSales = rs.getBigDecimal("network_sales");
            if (networkSales != null) {
                withSpendFigures.add(List.of(network, campaignId));
                acc.networkFigures.addSpendRow(rs.getInt("network_click_window_days"),
                        (Integer) rs.getObject("network_view_window_days", Integer.class), rs.getLong("network_orders"),
                        rs.getLong("network_units"), networkSales, rs.getBigDecimal("network_sales_in_store"),
                        rs.getBigDecimal("network_sales_online"));
            }
        }, spendArgs.toArray());

        StringBuilder conversionWhere = new StringBuilder(" WHERE 1 = 1");
        List<Object> conversionArgs = new ArrayList<>();
        if (q.from() != null) {
            conversionWhere.append(" AND converted_at >= ?");
            conversionArgs.add(AttributionStore.utc(q.from().atStartOfDay(ZoneOffset.UTC).toInstant()));
        }
        if (q.to() != null) {
            conversionWhere.append(" AND converted_at < ?");
            conversionArgs.add(AttributionStore.utc(q.to().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
        }
        if (q.network() != null) {
            conversionWhere.append(" AND network = ?");
            conversionArgs.add(q.network());
        }
        if (q.campaignId() != null) {
            conversionWhere.append(" AND campaign_id = ?");
            conversionArgs.add(q.campaignId());
        }
        jdbc.query("SELECT network, campaign_id, converted_at, touch, window_days, channel, currency, sales, units "
                + "FROM ad_attributed_conversion" + conversionWhere, rs -> {
            String network = rs.getString("network");
            String campaignId = rs.getString("campaign_id");
            if (withSpendFigures.contains(List.of(network, campaignId)) || !readable(q, campaigns, network, campaignId)) {
                return; // never both: the spend rows' figures already say what the network credits
            }
            Instant convertedAt = AttributionStore.instant(rs, "converted_at");
            Acc acc = rows.computeIfAbsent(key(q.groupBy(), network, campaignId, convertedAt.atZone(ZoneOffset.UTC).toLocalDate(),
                    rs.getString("currency")), k -> acc(q.groupBy(), k));
            acc.networkFigures.addConversion(rs.getString("touch"), rs.getInt("window_days"), rs.getString("channel"),
                    rs.getLong("units"), rs.getBigDecimal("sales"));
        }, conversionArgs.toArray());

        List<Row> out = new ArrayList<>(rows.size());
        for (Acc a : rows.values()) {
            CampaignSettings settings = a.campaignId == null ? null : campaigns.get(a.network + "\u0000" + a.campaignId);
            LookbackWindows windows = a.campaignId == null ? null : engine.windowsOf(a.network, a.campaignId, networks, campaigns);
            int shoppers = a.shoppers.size();
            boolean suppressed = shoppers > 0 && shoppers < minShoppers;
            BigDecimal online = money(a.online, a.currency);
            BigDecimal inStore = money(a.inStore, a.currency);
            BigDecimal revenue = online.add(inStore);
            // the network's own figures: its published aggregates, not shopper-derived, so never suppressed
            NetworkFigures n = a.networkFigures;
            BigDecimal networkRevenue = n.any() ? money(n.revenue(), a.currency) : null;
            out.add(new Row(a.network, a.campaignId, settings == null ? null : settings.advertiserId(), a.day, a.currency,
                    money(a.spend, a.currency), a.impressions, a.clicks, suppressed ? null : (long) a.orders.size(),
                    suppressed ? null : online, suppressed ? null : inStore, suppressed ? null : revenue,
                    suppressed ? null : roas(online, a.spend), suppressed ? null : roas(revenue, a.spend),
                    suppressed ? null : (long) shoppers, suppressed, windows, n.any() ? n.orders() : null,
                    n.any() ? n.units() : null, networkRevenue, n.inStore() == null ? null : money(n.inStore(), a.currency),
                    n.online() == null ? null : money(n.online(), a.currency),
                    networkRevenue == null ? null : roas(networkRevenue, a.spend), n.window()));
        }
        return out;
    }

    private static boolean readable(Query q, Map<String, CampaignSettings> campaigns, String network, String campaignId) {
        if (q.readableAdvertisers() == null) {
            return true;
        }
        CampaignSettings c = campaigns.get(network + "\u0000" + campaignId);
        return c != null && c.advertiserId() != null && q.readableAdvertisers().contains(c.advertiserId());
    }

    private static List<Object> key(GroupBy by, String network, String campaignId, LocalDate day, String currency) {
        return switch (by) {
            case CAMPAIGN -> List.of(network, campaignId, currency);
            case NETWORK -> List.of(network, currency);
            case DAY -> List.of(day, currency);
        };
    }

    private static Acc acc(GroupBy by, List<Object> key) {
        return switch (by) {
            case CAMPAIGN -> new Acc((String) key.get(0), (String) key.get(1), null, (String) key.get(2));
            case NETWORK -> new Acc((String) key.get(0), null, null, (String) key.get(1));
            case DAY -> new Acc(null, null, (LocalDate) key.get(0), (String) key.get(1));
        };
    }

    /** Rounded to the currency's minor unit (2 for USD, 0 for JPY), half to even, once, after summing. */
    private static BigDecimal money(BigDecimal amount, String currency) {
        int digits;
        try {
            digits = java.util.Currency.getInstance(currency).getDefaultFractionDigits();
        } catch (IllegalArgumentException notIso) {
            digits = 2; // never stored (canonical money refuses it); a report must not fail on one row
        }
        return amount.setScale(Math.max(digits, 0), RoundingMode.HALF_EVEN);
    }

    /** Revenue ÷ spend to two decimals; null without spend (a ratio over nothing is not 0). */
    private static BigDecimal roas(BigDecimal revenue, BigDecimal spend) {
        return spend.signum() == 0 ? null : revenue.divide(spend, 2, RoundingMode.HALF_EVEN);
    }
}
