package dev.unison.attribution;

import dev.unison.canonical.model.AdExposure;
import dev.unison.canonical.model.AdSpend;
import dev.unison.canonical.model.AttributedConversion;
import dev.unison.canonical.model.Money;
import dev.unison.canonical.model.NetworkAttribution;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.OrderStatus;
import dev.unison.canonical.model.Refund;
import dev.unison.platform.jdbc.ColumnArrays;
import dev.unison.platform.jdbc.KeyedStatements;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The attribution domain's tables (migration V19): what it received (orders, refunds, exposures,
 * spend), its settings (networks, campaigns, advertisers' readers), its results (credits) and its
 * work queue ({@code attribution_dirty}). Every write joins the caller's transaction.
 */
public class AttributionStore {

    /** Kinds of work in {@code attribution_dirty}. */
    public enum Mark {
        ORDER("order"), EXPOSURE("exposure"), CART("cart"), PROFILE("profile"), ALL("all");

        final String column;

        Mark(String column) {
            this.column = column;
        }
    }

    /** A network's settings: how its hashes are made and its default windows (null: the hub's). */
    public record NetworkSettings(String network, String hashing, Integer clickLookbackDays, Integer viewLookbackDays,
            Instant updatedAt) {
    }

    /** A campaign's settings: its advertiser and its own windows (null: the network's). */
    public record CampaignSettings(String network, String campaignId, String advertiserId, String name,
            Integer clickLookbackDays, Integer viewLookbackDays, Instant updatedAt) {
    }

    /** A stored exposure. */
    public record StoredExposure(long id, String owner, String exposureId, String network, String advertiserId,
            String campaignId, String adId, String kind, Instant exposedAt, String profileId) {
    }

    /** A stored order. */
    public record StoredOrder(String orderId, String channel, String placedIn, Instant placedAt, String currency,
            BigDecimal total, boolean cancelled, String profileId) {
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private KeyedStatements keyed;

    public AttributionStore(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Many-key statements for this database (an array on PostgreSQL, short IN lists on H2). */
    KeyedStatements keyed() {
        if (keyed == null) {
            keyed = KeyedStatements.of(jdbc);
        }
        return keyed;
    }

    static OffsetDateTime utc(Instant t) {
        return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    // ---------------------------------------------------------------- intake

    /**
     * Keeps an order's attribution facts, newest version first: an update that is not newer than the
     * stored one changes nothing. Returns true when the row changed (the order is then marked).
     */
    public boolean storeOrder(Order order, Instant version) {
        if (order.total() == null || order.placedAt() == null) {
            return false;
        }
        // a cancelled or wholly refunded order earns nothing (partial refunds arrive as refunds)
        boolean cancelled = order.status() == OrderStatus.CANCELLED || order.status() == OrderStatus.REFUNDED;
        int updated = jdbc.update("UPDATE attribution_order SET channel = ?, placed_in = ?, placed_at = ?, currency = ?, "
                + "total = ?, cancelled = ?, fulfilled_from = ?, version = ? WHERE order_id = ? AND version < ?",
                order.channel(), order.placedIn().wireName(), utc(order.placedAt()), order.total().currency(),
                order.total().amount(), cancelled, order.fulfilledFromLocation(), utc(version), order.id(), utc(version));
        if (updated == 0) {
            updated = jdbc.update("INSERT INTO attribution_order (order_id, channel, placed_in, placed_at, currency, total, "
                    + "cancelled, fulfilled_from, version) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
                    + "(SELECT 1 FROM attribution_order WHERE order_id = ?)",
                    order.id(), order.channel(), order.placedIn().wireName(), utc(order.placedAt()), order.total().currency(),
                    order.total().amount(), cancelled, order.fulfilledFromLocation(), utc(version), order.id());
        }
        if (updated > 0) {
            mark(Mark.ORDER, order.id());
        }
        return updated > 0;
    }

    /** Keeps a refund once (by channel and refund id); it lowers its order's attributed revenue. */
    public boolean storeRefund(Refund refund) {
        String key = refund.channel() + ":" + refund.id();
        return jdbc.update("INSERT INTO attribution_refund (refund_key, order_id, currency, amount, refunded_at) "
                + "SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM attribution_refund WHERE refund_key = ?)",
                key, refund.orderId(), refund.amount().currency(), refund.amount().amount(),
                utc(refund.refundedAt() == null ? clock.instant() : refund.refundedAt()), key) > 0;
    }

    /**
     * Keeps an exposure once per sender, network and exposure id, with its match keys; a new one is
     * marked for matching. Returns false for a duplicate.
     */
    public boolean storeExposure(String owner, AdExposure e, Collection<String> matchKeys) {
        int inserted = jdbc.update("INSERT INTO ad_exposure (owner, exposure_id, network, advertiser_id, campaign_id, ad_id, "
                + "kind, exposed_at, received_at) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
                + "(SELECT 1 FROM ad_exposure WHERE owner = ? AND network = ? AND exposure_id = ?)",
                owner, e.exposureId(), e.network(), e.advertiserId(), e.campaignId(), e.adId(), e.kind().wireName(),
                utc(e.exposedAt()), utc(clock.instant()), owner, e.network(), e.exposureId());
        if (inserted == 0) {
            return false;
        }
        long id = jdbc.queryForObject("SELECT id FROM ad_exposure WHERE owner = ? AND network = ? AND exposure_id = ?",
                Long.class, owner, e.network(), e.exposureId());
        List<Object[]> keys = matchKeys.stream().distinct().map(k -> new Object[] {k, id}).toList();
        jdbc.batchUpdate("INSERT INTO ad_exposure_key (match_key, exposure) VALUES (?, ?)", keys);
        mark(Mark.EXPOSURE, Long.toString(id));
        return true;
    }

    /**
     * Keeps when a cart was first seen (by channel and cart id), with its match keys; a new one is
     * marked so the engine finds its shopper. Returns false when the cart was known.
     */
    public boolean storeCart(String channel, String cartId, Instant seenAt, Collection<String> matchKeys) {
        String key = channel + ":" + cartId;
        int inserted = jdbc.update("INSERT INTO attribution_cart (cart_key, channel, started_at) SELECT ?, ?, ? WHERE NOT EXISTS "
                + "(SELECT 1 FROM attribution_cart WHERE cart_key = ?)", key, channel, utc(seenAt), key);
        if (inserted == 0) {
            // an earlier sighting of a known cart moves its start back (deliveries may arrive out of order)
            jdbc.update("UPDATE attribution_cart SET started_at = ? WHERE cart_key = ? AND started_at > ?", utc(seenAt), key,
                    utc(seenAt));
        }
        List<String> known = jdbc.queryForList("SELECT match_key FROM attribution_cart_key WHERE cart_key = ?", String.class, key);
        List<Object[]> fresh = matchKeys.stream().distinct().filter(k -> !known.contains(k)).map(k -> new Object[] {k, key}).toList();
        jdbc.batchUpdate("INSERT INTO attribution_cart_key (match_key, cart_key) VALUES (?, ?)", fresh);
        if (inserted > 0 || !fresh.isEmpty()) {
            mark(Mark.CART, key);
            return true;
        }
        return false;
    }

    public Map<String, List<String>> keysOfCarts(Collection<String> cartKeys) {
        Map<String, List<String>> out = new HashMap<>();
        keyed().query("SELECT cart_key, match_key FROM attribution_cart_key WHERE cart_key", "", "varchar", List.copyOf(cartKeys),
                rs -> {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                });
        return out;
    }

    /** Carts holding any of these keys: cart key → the keys it holds among them, and its current profile. */
    public Map<String, String> cartProfilesByKeys(Collection<String> matchKeys, Map<String, List<String>> keysByCart) {
        keyed().query("SELECT match_key, cart_key FROM attribution_cart_key WHERE match_key", "", "varchar", List.copyOf(matchKeys),
                rs -> {
                    keysByCart.computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(rs.getString(1));
                });
        Map<String, String> profiles = new HashMap<>();
        keyed().query("SELECT cart_key, profile_id FROM attribution_cart WHERE cart_key", "", "varchar",
                List.copyOf(keysByCart.keySet()), rs -> {
                    profiles.put(rs.getString(1), rs.getString(2));
                });
        return profiles;
    }

    public void setCartProfiles(Map<String, String> profileByCart) {
        setColumn("attribution_cart", "profile_id", "cart_key", "varchar", profileByCart.entrySet().stream()
                .map(e -> new Object[] {e.getKey(), e.getValue()}).toList());
    }

    /** Records the profile of each order (for the metrics; the credits carry their own). */
    public void setOrderProfiles(Map<String, String> profileByOrder) {
        setColumn("attribution_order", "profile_id", "order_id", "varchar", profileByOrder.entrySet().stream()
                .map(e -> new Object[] {e.getKey(), e.getValue()}).toList());
    }

    /** Thrown when a sender reports spend for a campaign day another sender reported first. */
    public static class ForeignSpendException extends RuntimeException {
        ForeignSpendException(String message) {
            super(message);
        }
    }

    /** Thrown when a sender restates a network's attributed conversion another sender reported first. */
    public static class ForeignConversionException extends RuntimeException {
        ForeignConversionException(String message) {
            super(message);
        }
    }

    /**
     * Keeps a day of a campaign's spend, with the network's own attributed figures when the report
     * gives them; a later report of the same day (a restatement) replaces both (figures the
     * restatement does not give are cleared), an older one changes nothing. Only the sender that
     * reported the day first may restate it. The network's sales must be in the spend's currency
     * (money is never added across currencies): otherwise the day is refused whole.
     */
    public void storeSpend(String owner, AdSpend s, Instant reportedAt) {
        NetworkAttribution n = s.networkAttributed();
        String currency = s.spend().currency();
        if (n != null) {
            for (Money m : java.util.Arrays.asList(n.sales(), n.salesInStore(), n.salesOnline())) {
                if (m != null && !currency.equals(m.currency())) {
                    throw new IllegalArgumentException("spend of " + s.network() + "/" + s.campaignId() + " on " + s.day()
                            + " is in " + currency + " but the network's attributed sales are in " + m.currency()
                            + ": money is never added across currencies");
                }
            }
        }
        Object[] figures = n == null ? new Object[7] : new Object[] {n.clickWindowDays(), n.viewWindowDays(), n.orders(),
                n.units(), n.sales().amount(), amount(n.salesInStore()), amount(n.salesOnline())};
        List<String> owners = jdbc.queryForList("SELECT owner FROM ad_spend WHERE network = ? AND campaign_id = ? "
                + "AND spend_day = ? AND currency = ?", String.class, s.network(), s.campaignId(), s.day(), currency);
        if (owners.isEmpty()) {
            List<Object> args = new ArrayList<>(List.of(s.network(), s.campaignId(), s.day(), currency, owner,
                    s.spend().amount(), s.impressions(), s.clicks(), utc(reportedAt)));
            args.addAll(java.util.Arrays.asList(figures));
            jdbc.update("INSERT INTO ad_spend (network, campaign_id, spend_day, currency, owner, spend, impressions, clicks, "
                    + "reported_at, " + NETWORK_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    args.toArray());
        } else if (!owners.get(0).equals(owner)) {
            throw new ForeignSpendException("spend of " + s.network() + "/" + s.campaignId() + " on " + s.day()
                    + " was reported by another sender; only it may restate the day");
        } else {
            List<Object> args = new ArrayList<>(List.of(s.spend().amount(), s.impressions(), s.clicks(), utc(reportedAt)));
            args.addAll(java.util.Arrays.asList(figures));
            args.addAll(List.of(s.network(), s.campaignId(), s.day(), currency, utc(reportedAt)));
            jdbc.update("UPDATE ad_spend SET spend = ?, impressions = ?, clicks = ?, reported_at = ?, "
                    + String.join(" = ?, ", NETWORK_COLUMNS.split(", ")) + " = ? WHERE network = ? AND campaign_id = ? "
                    + "AND spend_day = ? AND currency = ? AND reported_at <= ?", args.toArray());
        }
    }

    private static final String NETWORK_COLUMNS = "network_click_window_days, network_view_window_days, network_orders, "
            + "network_units, network_sales, network_sales_in_store, network_sales_online";

    private static BigDecimal amount(Money m) {
        return m == null ? null : m.amount();
    }

    /**
     * Keeps a network's transaction-level claim once by network and conversion id; a later report of
     * it by the same sender (a restatement) replaces it, an older one changes nothing. Only the
     * sender that reported the conversion first may restate it. Returns true when the row changed.
     */
    public boolean storeConversion(String owner, AttributedConversion c, Instant reportedAt) {
        List<String> owners = jdbc.queryForList("SELECT owner FROM ad_attributed_conversion WHERE network = ? "
                + "AND conversion_id = ?", String.class, c.network(), c.conversionId());
        if (owners.isEmpty()) {
            return jdbc.update("INSERT INTO ad_attributed_conversion (network, conversion_id, owner, campaign_id, ad_id, "
                    + "converted_at, touch, window_days, channel, currency, sales, units, reported_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", c.network(), c.conversionId(), owner, c.campaignId(),
                    c.adId(), utc(c.convertedAt()), c.touch(), c.windowDays(), c.channel(), c.sales().currency(),
                    c.sales().amount(), c.units(), utc(reportedAt)) > 0;
        }
        if (!owners.get(0).equals(owner)) {
            throw new ForeignConversionException("conversion " + c.conversionId() + " of " + c.network()
                    + " was reported by another sender; only it may restate it");
        }
        return jdbc.update("UPDATE ad_attributed_conversion SET campaign_id = ?, ad_id = ?, converted_at = ?, touch = ?, "
                + "window_days = ?, channel = ?, currency = ?, sales = ?, units = ?, reported_at = ? WHERE network = ? "
                + "AND conversion_id = ? AND reported_at <= ?", c.campaignId(), c.adId(), utc(c.convertedAt()), c.touch(),
                c.windowDays(), c.channel(), c.sales().currency(), c.sales().amount(), c.units(), utc(reportedAt), c.network(),
                c.conversionId(), utc(reportedAt)) > 0;
    }

    /** A network's attributed conversion as stored. */
    public record StoredConversion(String network, String conversionId, String campaignId, String adId, Instant convertedAt,
            String touch, int windowDays, String channel, String currency, BigDecimal sales, long units, Instant reportedAt) {
    }

    /**
     * Attributed conversions, oldest first (then by network and id), filtered by network, campaign
     * and time ({@code from} inclusive, {@code to} exclusive; nulls: no bound), at most {@code limit}.
     * {@code readerPartnerId}: null for every campaign, else only campaigns of advertisers that partner reads.
     */
    public List<StoredConversion> conversions(String network, String campaignId, Instant from, Instant to,
            String readerPartnerId, int limit) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (network != null) {
            where.append(" AND a.network = ?");
            args.add(network);
        }
        if (campaignId != null) {
            where.append(" AND a.campaign_id = ?");
            args.add(campaignId);
        }
        if (from != null) {
            where.append(" AND a.converted_at >= ?");
            args.add(utc(from));
        }
        if (to != null) {
            where.append(" AND a.converted_at < ?");
            args.add(utc(to));
        }
        if (readerPartnerId != null) {
            where.append(" AND EXISTS (SELECT 1 FROM attribution_campaign c JOIN attribution_advertiser_reader r "
                    + "ON r.advertiser_id = c.advertiser_id WHERE c.network = a.network AND c.campaign_id = a.campaign_id "
                    + "AND r.partner_id = ?)");
            args.add(readerPartnerId);
        }
        args.add(limit);
        return jdbc.query("SELECT a.* FROM ad_attributed_conversion a" + where
                + " ORDER BY a.converted_at, a.network, a.conversion_id LIMIT ?", (rs, i) -> new StoredConversion(
                        rs.getString("network"), rs.getString("conversion_id"), rs.getString("campaign_id"),
                        rs.getString("ad_id"), instant(rs, "converted_at"), rs.getString("touch"), rs.getInt("window_days"),
                        rs.getString("channel"), rs.getString("currency"), rs.getBigDecimal("sales"), rs.getLong("units"),
                        instant(rs, "reported_at")), args.toArray());
    }

    /** Queues work for the engine, in the caller's transaction. */
    public void mark(Mark kind, String ref) {
        jdbc.update("INSERT INTO attribution_dirty (kind, ref, marked_at) VALUES (?, ?, ?)", kind.column, ref,
                utc(clock.instant()));
    }

    /** Queues many profiles at once. */
    public void markProfiles(Collection<String> profileIds) {
        OffsetDateTime now = utc(clock.instant());
        jdbc.batchUpdate("INSERT INTO attribution_dirty (kind, ref, marked_at) VALUES (?, ?, ?)",
                profileIds.stream().distinct().map(p -> new Object[] {Mark.PROFILE.column, p, now}).toList());
    }

    // ---------------------------------------------------------------- settings

    public void putNetwork(NetworkSettings n) {
        if (jdbc.update("UPDATE attribution_network SET hashing = ?, click_lookback_days = ?, view_lookback_days = ?, "
                + "updated_at = ? WHERE network = ?", n.hashing(), n.clickLookbackDays(), n.viewLookbackDays(),
                utc(n.updatedAt()), n.network()) == 0) {
            jdbc.update("INSERT INTO attribution_network (network, hashing, click_lookback_days, view_lookback_days, updated_at) "
                    + "VALUES (?, ?, ?, ?, ?)", n.network(), n.hashing(), n.clickLookbackDays(), n.viewLookbackDays(),
                    utc(n.updatedAt()));
        }
    }

    public List<NetworkSettings> networks() {
        return jdbc.query("SELECT * FROM attribution_network ORDER BY network", (rs, i) -> new NetworkSettings(
                rs.getString("network"), rs.getString("hashing"), (Integer) rs.getObject("click_lookback_days"),
                (Integer) rs.getObject("view_lookback_days"), instant(rs, "updated_at")));
    }

    public void putCampaign(CampaignSettings c) {
        if (jdbc.update("UPDATE attribution_campaign SET advertiser_id = ?, name = ?, click_lookback_days = ?, "
                + "view_lookback_days = ?, updated_at = ? WHERE network = ? AND campaign_id = ?", c.advertiserId(), c.name(),
                c.clickLookbackDays(), c.viewLookbackDays(), utc(c.updatedAt()), c.network(), c.campaignId()) == 0) {
            jdbc.update("INSERT INTO attribution_campaign (network, campaign_id, advertiser_id, name, click_lookback_days, "
                    + "view_lookback_days, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", c.network(), c.campaignId(),
                    c.advertiserId(), c.name(), c.clickLookbackDays(), c.viewLookbackDays(), utc(c.updatedAt()));
        }
    }

    public List<CampaignSettings> campaigns() {
        return jdbc.query("SELECT * FROM attribution_campaign ORDER BY network, campaign_id", (rs, i) -> new CampaignSettings(
                rs.getString("network"), rs.getString("campaign_id"), rs.getString("advertiser_id"), rs.getString("name"),
                (Integer) rs.getObject("click_lookback_days"), (Integer) rs.getObject("view_lookback_days"),
                instant(rs, "updated_at")));
    }

    /** Queues every order for crediting again (rules changed); returns the number of orders. */
    public long markAllOrders() {
        mark(Mark.ALL, "");
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM attribution_order", Long.class);
        return n == null ? 0 : n;
    }

    /** The stored key digests of these profiles (profiles never matched are left out). */
    public Map<String, String> keyDigests(Collection<String> profileIds) {
        Map<String, String> out = new HashMap<>();
        keyed().query("SELECT profile_id, keys_digest FROM attribution_profile WHERE profile_id", "", "varchar",
                List.copyOf(profileIds), rs -> {
                    out.put(rs.getString(1), rs.getString(2));
                });
        return out;
    }

    /** Records the key digests the profiles were matched with. */
    public void putKeyDigests(Map<String, String> digests) {
        if (digests.isEmpty()) {
            return;
        }
        keyed().update("DELETE FROM attribution_profile WHERE profile_id", "varchar", List.copyOf(digests.keySet()));
        OffsetDateTime now = utc(clock.instant());
        insertRows("attribution_profile (profile_id, keys_digest, matched_at)", List.of("varchar", "varchar", "timestamptz"),
                digests.entrySet().stream().map(e -> new Object[] {e.getKey(), e.getValue(), now}).toList());
    }

    /** The orders of these profiles (as recorded on the orders), with when they were placed. */
    public Map<String, List<Map.Entry<String, Instant>>> ordersOfProfiles(Collection<String> profileIds) {
        return ordersOfProfiles(profileIds, null);
    }

    /** As {@link #ordersOfProfiles(Collection)}, only those placed at or after {@code since} (null: all). */
    public Map<String, List<Map.Entry<String, Instant>>> ordersOfProfiles(Collection<String> profileIds, Instant since) {
        Map<String, List<Map.Entry<String, Instant>>> out = new HashMap<>();
        // (profile_id, placed_at, order_id) is one index: the read skips each shopper's older orders
        keyed().query("SELECT profile_id, order_id, placed_at FROM attribution_order WHERE profile_id",
                since == null ? "" : " AND placed_at >= ?", since == null ? List.of() : List.of(utc(since)), "varchar",
                List.copyOf(profileIds), rs -> {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(Map.entry(rs.getString(2), instant(rs, "placed_at")));
                });
        return out;
    }

    /** An order's candidate touch: one exposure of its shopper no further back than {@code maxDays}. */
    public record Candidate(String orderId, String profileId, Instant placedAt, Long exposure, String network,
            String campaignId, String kind, Instant exposedAt) {
    }

    /**
     * These orders with their shopper and every exposure of that shopper that can count for them:
     * from the longest click lookback (clicks) or view lookback (impressions) before the order up to
     * the order (one row per exposure; an order without any has one row with no
     * exposure, and an order of no known shopper one row without profile).
     */
    public void candidates(Collection<String> orderIds, int maxClickDays, int maxViewDays,
            java.util.function.Consumer<Candidate> rows) {
        keyed().query(candidateQuery(maxClickDays, maxViewDays) + " WHERE o.order_id", "", "varchar", List.copyOf(orderIds),
                candidateRows(rows));
    }

    /** As {@link #candidates}, for the orders of the profiles from {@code first} to {@code last} (inclusive, by id). */
    public void candidatesOfProfiles(String first, String last, int maxClickDays, int maxViewDays,
            java.util.function.Consumer<Candidate> rows) {
        jdbc.query(candidateQuery(maxClickDays, maxViewDays) + " WHERE o.profile_id >= ? AND o.profile_id <= ?",
                candidateRows(rows), first, last);
    }

    private static String candidateQuery(int maxClickDays, int maxViewDays) {
        int maxDays = Math.max(maxClickDays, maxViewDays);
        // the day counts are the hub's own settings (integers), never request text
        return "SELECT o.order_id, o.profile_id, o.placed_at, e.id, e.network, e.campaign_id, e.kind, e.exposed_at "
                + "FROM attribution_order o LEFT JOIN ad_exposure e ON e.profile_id = o.profile_id AND e.exposed_at <= o.placed_at "
                + "AND e.exposed_at >= o.placed_at - INTERVAL '" + maxDays + "' DAY AND (e.kind = 'click' AND e.exposed_at >= "
                + "o.placed_at - INTERVAL '" + maxClickDays + "' DAY OR e.kind = 'impression' AND e.exposed_at >= o.placed_at - "
                + "INTERVAL '" + maxViewDays + "' DAY)";
    }

    private static org.springframework.jdbc.core.RowCallbackHandler candidateRows(java.util.function.Consumer<Candidate> rows) {
        return rs -> {
                    long id = rs.getLong(4);
                    boolean none = rs.wasNull();
                    rows.accept(new Candidate(rs.getString(1), rs.getString(2), instant(rs, "placed_at"), none ? null : id,
                            rs.getString(5), rs.getString(6), rs.getString(7), none ? null : instant(rs, "exposed_at")));
        };
    }

    public void putReaders(String advertiserId, Collection<String> partnerIds) {
        jdbc.update("DELETE FROM attribution_advertiser_reader WHERE advertiser_id = ?", advertiserId);
        jdbc.batchUpdate("INSERT INTO attribution_advertiser_reader (advertiser_id, partner_id) VALUES (?, ?)",
                partnerIds.stream().distinct().map(p -> new Object[] {advertiserId, p}).toList());
    }

    public List<String> readers(String advertiserId) {
        return jdbc.queryForList("SELECT partner_id FROM attribution_advertiser_reader WHERE advertiser_id = ? ORDER BY partner_id",
                String.class, advertiserId);
    }

    /** The advertisers a partner may read. */
    public List<String> advertisersReadableBy(String partnerId) {
        return jdbc.queryForList("SELECT advertiser_id FROM attribution_advertiser_reader WHERE partner_id = ?", String.class,
                partnerId);
    }

    // ---------------------------------------------------------------- engine reads and writes

    public record DirtyMark(long seq, String kind, String ref, Instant markedAt) {
    }

    public List<DirtyMark> nextMarks(int limit) {
        return jdbc.query("SELECT seq, kind, ref, marked_at FROM attribution_dirty ORDER BY seq LIMIT ?",
                (rs, i) -> new DirtyMark(rs.getLong(1), rs.getString(2), rs.getString(3), instant(rs, "marked_at")), limit);
    }

    public void deleteMarks(List<Long> seqs) {
        keyed().update("DELETE FROM attribution_dirty WHERE seq", "int8", seqs);
    }

    /** Puts a mark back at the end of the queue (its order's identity verdict is not there yet). */
    public void requeue(DirtyMark mark) {
        jdbc.update("INSERT INTO attribution_dirty (kind, ref, marked_at) VALUES (?, ?, ?)", mark.kind(), mark.ref(),
                utc(mark.markedAt()));
    }

    /** An exposure as matching needs it: when, what kind, whose rules, and its match keys. */
    public record ExposureToMatch(long id, String network, String campaignId, String kind, Instant exposedAt, List<String> keys) {
    }

    /** These exposures with their match keys, in one read (an exposure stored without keys is left out). */
    public Map<Long, ExposureToMatch> exposuresToMatch(Collection<Long> ids) {
        Map<Long, ExposureToMatch> out = new HashMap<>();
        keyed().query("SELECT k.exposure, k.match_key, e.network, e.campaign_id, e.kind, e.exposed_at FROM ad_exposure_key k "
                + "JOIN ad_exposure e ON e.id = k.exposure WHERE k.exposure", "", "int8", List.copyOf(ids), rs -> {
                    long id = rs.getLong(1);
                    ExposureToMatch e = out.get(id);
                    if (e == null) {
                        e = new ExposureToMatch(id, rs.getString(3), rs.getString(4), rs.getString(5), instant(rs, "exposed_at"),
                                new ArrayList<>());
                        out.put(id, e);
                    }
                    e.keys().add(rs.getString(2));
                });
        return out;
    }

    /** The profiles that held each of these keys when last matched (a key may be held by several). */
    public Map<String, List<String>> profilesHoldingKeys(Collection<String> keys) {
        Map<String, List<String>> out = new HashMap<>();
        keyed().query("SELECT match_key, profile_id FROM attribution_profile_key WHERE match_key", "", "varchar",
                List.copyOf(keys), rs -> {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                });
        return out;
    }

    /** Replaces the keys recorded for these profiles with their current ones. */
    public void replaceProfileKeys(Map<String, ? extends Collection<String>> keysByProfile) {
        if (keysByProfile.isEmpty()) {
            return;
        }
        keyed().update("DELETE FROM attribution_profile_key WHERE profile_id", "varchar", List.copyOf(keysByProfile.keySet()));
        List<Object[]> rows = new ArrayList<>();
        keysByProfile.forEach((profile, keys) -> new java.util.TreeSet<>(keys).forEach(k -> rows.add(new Object[] {k, profile})));
        insertRows("attribution_profile_key (match_key, profile_id)", List.of("varchar", "varchar"), rows);
    }

    /**
     * Inserts rows: on PostgreSQL as one statement of column arrays ({@code unnest}), elsewhere as a
     * JDBC batch. Values are Strings, Longs, Integers or date-times ({@link ColumnArrays}).
     */
    private void insertRows(String tableAndColumns, List<String> types, List<Object[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        if (keyed().postgres()) {
            for (int from = 0; from < rows.size(); from += 10_000) {
                jdbc.update("INSERT INTO " + tableAndColumns + " SELECT * FROM " + ColumnArrays.unnest(types),
                        ColumnArrays.of(types, rows.subList(from, Math.min(rows.size(), from + 10_000))));
            }
        } else {
            jdbc.batchUpdate("INSERT INTO " + tableAndColumns + " VALUES (" + String.join(", ",
                    java.util.Collections.nCopies(types.size(), "?")) + ")", rows);
        }
    }

    /** Sets one column by key for many rows: one statement of arrays on PostgreSQL, a JDBC batch elsewhere. */
    private void setColumn(String table, String column, String key, String keyType, List<Object[]> keyAndValue) {
        if (keyAndValue.isEmpty()) {
            return;
        }
        if (keyed().postgres()) {
            jdbc.update("UPDATE " + table + " t SET " + column + " = u.v FROM " + ColumnArrays.unnest(List.of(keyType, "varchar"))
                    + " AS u(k, v) WHERE t." + key + " = u.k", ColumnArrays.of(List.of(keyType, "varchar"), keyAndValue));
        } else {
            jdbc.batchUpdate("UPDATE " + table + " SET " + column + " = ? WHERE " + key + " = ?",
                    keyAndValue.stream().map(r -> new Object[] {r[1], r[0]}).toList());
        }
    }

    /** Exposures holding any of these match keys, with the keys each holds among them. */
    public Map<StoredExposure, List<String>> exposuresByKeys(Collection<String> matchKeys) {
        Map<Long, StoredExposure> byId = new HashMap<>();
        Map<StoredExposure, List<String>> out = new HashMap<>();
        keyed().query("SELECT k.match_key, e.* FROM ad_exposure_key k JOIN ad_exposure e ON e.id = k.exposure WHERE k.match_key",
                "", "varchar", List.copyOf(matchKeys), rs -> {
                    StoredExposure e = byId.computeIfAbsent(rs.getLong("id"), id -> {
                        try {
                            return exposure(rs);
                        } catch (SQLException failed) {
                            throw new IllegalStateException(failed);
                        }
                    });
                    out.computeIfAbsent(e, x -> new ArrayList<>()).add(rs.getString("match_key"));
                });
        return out;
    }


    private static StoredExposure exposure(ResultSet rs) throws SQLException {
        return new StoredExposure(rs.getLong("id"), rs.getString("owner"), rs.getString("exposure_id"), rs.getString("network"),
                rs.getString("advertiser_id"), rs.getString("campaign_id"), rs.getString("ad_id"), rs.getString("kind"),
                instant(rs, "exposed_at"), rs.getString("profile_id"));
    }

    public Map<String, StoredOrder> orders(Collection<String> orderIds) {
        Map<String, StoredOrder> out = new HashMap<>();
        keyed().query("SELECT * FROM attribution_order WHERE order_id", "", "varchar", List.copyOf(orderIds), rs -> {
            out.put(rs.getString("order_id"), new StoredOrder(rs.getString("order_id"), rs.getString("channel"),
                    rs.getString("placed_in"), instant(rs, "placed_at"), rs.getString("currency"), rs.getBigDecimal("total"),
                    rs.getBoolean("cancelled"), rs.getString("profile_id")));
        });
        return out;
    }

    public Optional<StoredOrder> order(String orderId) {
        return Optional.ofNullable(orders(List.of(orderId)).get(orderId));
    }

    /**
     * A qualifying touch of an order: whether it won under last and first touch, and the number of
     * touches sharing the order under linear.
     */
    public record CreditRow(String orderId, long exposure, String profileId, String network, String campaignId, String kind,
            Instant exposedAt, boolean lastTouch, boolean firstTouch, int touches, int clicks, int views, int clickDays,
            int viewDays) {

        /** Whether this touch is credited under {@code model}. */
        public boolean under(AttributionModel model) {
            return switch (model) {
                case LAST_TOUCH -> lastTouch;
                case FIRST_TOUCH -> firstTouch;
                case LINEAR -> true;
            };
        }
    }

    /** Replaces the credits of these orders with {@code credits}. */
    public void replaceCredits(Collection<String> orderIds, List<CreditRow> credits) {
        keyed().update("DELETE FROM attribution_credit WHERE order_id", "varchar", List.copyOf(orderIds));
        insertRows("attribution_credit (order_id, exposure, profile_id, network, campaign_id, kind, exposed_at, last_touch, "
                + "first_touch, touches, clicks, views, click_days, view_days)", List.of("varchar", "int8", "varchar", "varchar",
                        "varchar", "varchar", "timestamptz", "bool", "bool", "int4", "int4", "int4", "int4", "int4"),
                credits.stream().map(c -> new Object[] {c.orderId(), c.exposure(), c.profileId(), c.network(), c.campaignId(),
                        c.kind(), utc(c.exposedAt()), c.lastTouch(), c.firstTouch(), c.touches(), c.clicks(), c.views(),
                        c.clickDays(), c.viewDays()}).toList());
    }

    /** The next page of profiles holding orders, after {@code after} in profile id order. */
    public List<String> profilesWithOrdersAfter(String after, int limit) {
        return jdbc.queryForList("SELECT DISTINCT profile_id FROM attribution_order WHERE profile_id > ? ORDER BY profile_id LIMIT ?",
                String.class, after, limit);
    }

    /** Orders of no known shopper lose any credit they had (a full re-crediting starts with them). */
    public int clearCreditsOfOrdersWithoutShopper() {
        return jdbc.update("DELETE FROM attribution_credit WHERE order_id IN (SELECT order_id FROM attribution_order WHERE "
                + "profile_id IS NULL)");
    }

    /** Records which profile each exposure matched (for the unmatched count). */
    public void setExposureProfiles(Map<Long, String> profileByExposure) {
        setColumn("ad_exposure", "profile_id", "id", "int8", profileByExposure.entrySet().stream()
                .map(e -> new Object[] {e.getKey(), e.getValue()}).toList());
    }

    public List<CreditRow> creditsOfOrder(String orderId) {
        return jdbc.query("SELECT * FROM attribution_credit WHERE order_id = ? ORDER BY exposed_at, exposure",
                (rs, i) -> new CreditRow(rs.getString("order_id"), rs.getLong("exposure"), rs.getString("profile_id"),
                        rs.getString("network"), rs.getString("campaign_id"), rs.getString("kind"), instant(rs, "exposed_at"),
                        rs.getBoolean("last_touch"), rs.getBoolean("first_touch"), rs.getInt("touches"), rs.getInt("clicks"),
                        rs.getInt("views"), rs.getInt("click_days"), rs.getInt("view_days")), orderId);
    }

    /** Exposures per campaign: how many match a known shopper, how many do not (yet). */
    public record ExposureCount(String network, String campaignId, long matched, long unmatched) {
    }

    public List<ExposureCount> exposureCounts(String network, String campaignId) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (network != null) {
            where.append(" AND network = ?");
            args.add(network);
        }
        if (campaignId != null) {
            where.append(" AND campaign_id = ?");
            args.add(campaignId);
        }
        return jdbc.query("SELECT network, campaign_id, COUNT(profile_id) AS matched, COUNT(*) - COUNT(profile_id) AS unmatched "
                + "FROM ad_exposure" + where + " GROUP BY network, campaign_id", (rs, i) -> new ExposureCount(rs.getString(1),
                        rs.getString(2), rs.getLong(3), rs.getLong(4)), args.toArray());
    }

    public BigDecimal refunded(String orderId, String currency) {
        BigDecimal r = jdbc.queryForObject("SELECT COALESCE(SUM(amount), 0) FROM attribution_refund WHERE order_id = ? "
                + "AND currency = ?", BigDecimal.class, orderId, currency);
        return r == null ? BigDecimal.ZERO : r;
    }

    public JdbcTemplate jdbc() {
        return jdbc;
    }
}
