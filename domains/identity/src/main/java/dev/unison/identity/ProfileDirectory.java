package dev.unison.identity;

import dev.unison.canonical.identity.IdentityResolver;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;

/** Reads profiles, their identifiers, orders and merge history, and the identity resolution rate. */
public class ProfileDirectory {

    /** A profile as the API shows it. {@code requestedId} differs from {@code id} when the requested one was merged. */
    public record ProfileView(String id, String requestedId, Instant createdAt, Instant updatedAt,
            List<IdentifierView> identifiers, List<ChannelAccount> channelAccounts, Orders orders, List<MergeView> merges) {
    }

    public record IdentifierView(String type, String value, String source, String lastSource, Instant firstSeen,
            Instant lastSeen) {
    }

    /** A channel customer id split into its parts: {@code shopify:<shop>:<id>}. */
    public record ChannelAccount(String channel, String account, String customerId, String identifier) {
    }

    public record Orders(long count, Map<String, Long> byChannel) {
    }

    public record MergeView(String mergedId, String survivorId, String source, String linkedBy, Instant mergedAt) {
    }

    /**
     * Transactions linked to a known profile ÷ all transactions (unit: transactions). A known
     * profile holds at least one identifier of a type that is not shared (not only a device id,
     * card token or click id).
     */
    public record ResolutionRate(long transactions, long linked, double rate) {
        static ResolutionRate of(long transactions, long linked) {
            return new ResolutionRate(transactions, linked, transactions == 0 ? 0 : (double) linked / transactions);
        }
    }

    public record IdentityMetrics(String unit, ResolutionRate overall, Map<String, ResolutionRate> channels, long profiles,
            long mergedProfiles, long identifiers) {
    }

    private final JdbcTemplate jdbc;
    private final IdentityResolver resolver;

    public ProfileDirectory(JdbcTemplate jdbc, IdentityResolver resolver) {
        this.jdbc = jdbc;
        this.resolver = resolver;
    }

    /** The live profile an id means: itself, or the survivor it was merged into. */
    public Optional<ProfileView> profile(String requestedId) {
        String id = requestedId;
        // merged_into names the live survivor; a merge committing meanwhile can add one more step
        for (int step = 0;; step++) {
            List<Map<String, Object>> rows = jdbc.queryForList("SELECT merged_into FROM identity_profile WHERE profile_id = ?", id);
            if (rows.isEmpty()) {
                return Optional.empty();
            }
            Object next = rows.get(0).get("merged_into");
            if (next == null || step == 10) {
                break;
            }
            id = (String) next;
        }
        String live = id;
        return jdbc.query("SELECT profile_id, created_at, updated_at FROM identity_profile WHERE profile_id = ?",
                (rs, i) -> view(live, requestedId, instant(rs.getObject("created_at", OffsetDateTime.class)),
                        instant(rs.getObject("updated_at", OffsetDateTime.class))), live).stream().findFirst();
    }

    /** The profile holding an identifier (normalized and matched by the same rules as resolution). */
    public Optional<ProfileView> profileOf(Identifier raw) {
        Identifier normalized = resolver.normalizer().normalize(raw);
        return jdbc.queryForList("SELECT profile_id FROM identity_identifier WHERE match_key = ?", String.class,
                resolver.rules().matchKey(normalized)).stream().findFirst().flatMap(this::profile);
    }

    /** The live profile a transaction (an order id) belongs to; empty when none of its identifiers resolved (yet). */
    public Optional<String> profileOfTransaction(String transactionId) {
        return jdbc.queryForList("SELECT profile_id FROM identity_transaction WHERE transaction_id = ? AND profile_id IS NOT NULL",
                String.class, transactionId).stream().findFirst();
    }

    // ---- batch reads for domains that derive from profiles (attribution): by many ids at once ----

    /**
     * The transactions the identity group has seen among {@code transactionIds}, each with its live
     * profile (empty when none of its identifiers resolved). An id missing from the map has not been
     * seen yet: the identity group has not handled its order.
     */
    public Map<String, Optional<String>> profilesOfTransactions(java.util.Collection<String> transactionIds) {
        Map<String, Optional<String>> out = new java.util.HashMap<>();
        keyed().query("SELECT transaction_id, profile_id FROM identity_transaction WHERE transaction_id", "", "varchar",
                List.copyOf(new java.util.LinkedHashSet<>(transactionIds)), rs -> {
                    out.put(rs.getString(1), Optional.ofNullable(rs.getString(2)));
                });
        return out;
    }

    /** The transactions (order ids) of each of these live profiles. */
    public Map<String, List<String>> transactionsOf(java.util.Collection<String> profileIds) {
        Map<String, List<String>> out = new java.util.HashMap<>();
        keyed().query("SELECT profile_id, transaction_id FROM identity_transaction WHERE profile_id", "", "varchar",
                List.copyOf(new java.util.LinkedHashSet<>(profileIds)), rs -> {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                });
        return out;
    }

    /** The identifiers (normalized, as stored) of each of these live profiles. */
    public Map<String, List<Identifier>> identifiersOf(java.util.Collection<String> profileIds) {
        Map<String, List<Identifier>> out = new java.util.HashMap<>();
        keyed().query("SELECT profile_id, type, shown_value FROM identity_identifier WHERE profile_id", "", "varchar",
                List.copyOf(new java.util.LinkedHashSet<>(profileIds)), rs -> {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(new Identifier(IdentifierType.fromWireName(rs.getString(2)), rs.getString(3)));
                });
        return out;
    }

    /**
     * The profile holding each of these identifiers (already normalized, e.g. as stored on a profile
     * or as an exposure carried them after normalization); identifiers nobody holds are left out.
     */
    public Map<Identifier, String> holders(java.util.Collection<Identifier> identifiers) {
        // several identifiers can share a match key (e.g. gmail addresses with and without dots, when matched so)
        Map<String, List<Identifier>> byKey = new LinkedHashMap<>();
        for (Identifier id : identifiers) {
            byKey.computeIfAbsent(resolver.rules().matchKey(id), k -> new ArrayList<>()).add(id);
        }
        Map<Identifier, String> out = new java.util.HashMap<>();
        keyed().query("SELECT match_key, profile_id FROM identity_identifier WHERE match_key", "", "varchar",
                List.copyOf(byKey.keySet()), rs -> {
                    String profile = rs.getString(2);
                    byKey.get(rs.getString(1)).forEach(id -> out.put(id, profile));
                });
        return out;
    }

    /** Each id's live profile: itself, or the survivor it was merged into; unknown ids are left out. */
    public Map<String, String> liveProfiles(java.util.Collection<String> profileIds) {
        Map<String, String> out = new java.util.HashMap<>();
        // merged_into always names the live survivor (chains are flattened on merge)
        keyed().query("SELECT profile_id, merged_into FROM identity_profile WHERE profile_id", "", "varchar",
                List.copyOf(new java.util.LinkedHashSet<>(profileIds)), rs -> {
                    String into = rs.getString(2);
                    out.put(rs.getString(1), into == null ? rs.getString(1) : into);
                });
        return out;
    }

    private dev.unison.platform.jdbc.KeyedStatements keyed;

    private dev.unison.platform.jdbc.KeyedStatements keyed() {
        if (keyed == null) {
            keyed = dev.unison.platform.jdbc.KeyedStatements.of(jdbc);
        }
        return keyed;
    }

    /** Every live profile that holds at least one transaction (a full re-attribution starts from these). */
    public List<String> profilesWithTransactions() {
        return jdbc.queryForList("SELECT DISTINCT profile_id FROM identity_transaction WHERE profile_id IS NOT NULL", String.class);
    }

    /** Normalizes an identifier as resolution does (throws {@code InvalidIdentifierException} when it cannot be). */
    public Identifier normalize(Identifier raw) {
        return resolver.normalizer().normalize(raw);
    }

    /** Whether an identifier is one the guards never promote (so a lookup can say why nothing is found). */
    public boolean isBlocked(Identifier raw) {
        return resolver.rules().isBlocked(resolver.screen(raw.type(), raw.value()));
    }

    private ProfileView view(String id, String requestedId, Instant createdAt, Instant updatedAt) {
        List<IdentifierView> identifiers = jdbc.query("SELECT type, shown_value, source, last_source, first_seen, last_seen "
                + "FROM identity_identifier WHERE profile_id = ? ORDER BY first_seen, match_key",
                (rs, i) -> new IdentifierView(rs.getString("type"), rs.getString("shown_value"), rs.getString("source"),
                        rs.getString("last_source"), instant(rs.getObject("first_seen", OffsetDateTime.class)),
                        instant(rs.getObject("last_seen", OffsetDateTime.class))), id);
        List<ChannelAccount> accounts = new ArrayList<>();
        for (IdentifierView v : identifiers) {
            if (v.type().equals(IdentifierType.CHANNEL_CUSTOMER_ID.wireName())) {
                String[] parts = v.value().split(":", 3);
                accounts.add(parts.length == 3 ? new ChannelAccount(parts[0], parts[1], parts[2], v.value())
                        : new ChannelAccount(parts[0], null, parts.length > 1 ? parts[1] : null, v.value()));
            }
        }
        Map<String, Long> byChannel = new LinkedHashMap<>();
        jdbc.query("SELECT channel, COUNT(*) AS n FROM identity_transaction WHERE profile_id = ? GROUP BY channel ORDER BY channel",
                rs -> {
                    byChannel.put(rs.getString("channel"), rs.getLong("n"));
                }, id);
        long orders = byChannel.values().stream().mapToLong(Long::longValue).sum();
        List<MergeView> merges = jdbc.query("SELECT m.merged_id, m.survivor_id, m.source, m.linked_by, m.merged_at FROM identity_merge m "
                + "JOIN identity_profile p ON p.profile_id = m.merged_id WHERE p.merged_into = ? ORDER BY m.merged_at, m.merged_id",
                (rs, i) -> new MergeView(rs.getString("merged_id"), rs.getString("survivor_id"), rs.getString("source"),
                        rs.getString("linked_by"), instant(rs.getObject("merged_at", OffsetDateTime.class))), id);
        return new ProfileView(id, requestedId, createdAt, updatedAt, identifiers, accounts, new Orders(orders, byChannel), merges);
    }

    public IdentityMetrics metrics() {
        Map<String, ResolutionRate> channels = new LinkedHashMap<>();
        long[] total = new long[2];
        // linked = the transaction's profile stands for a person: it holds an identifier of a type that is not shared
        // (a till sale with only a card token made a profile of that token, but nobody is known by it)
        List<String> shared = new java.util.ArrayList<>();
        for (IdentifierType type : IdentifierType.values()) {
            if (resolver.rules().shared(type)) {
                shared.add("'" + type.wireName() + "'");
            }
        }
        String identifying = shared.isEmpty() ? "" : " AND i.type NOT IN (" + String.join(", ", shared) + ")";
        jdbc.query("SELECT t.channel, COUNT(*) AS n, SUM(CASE WHEN EXISTS (SELECT 1 FROM identity_identifier i "
                + "WHERE i.profile_id = t.profile_id" + identifying + ") THEN 1 ELSE 0 END) AS linked "
                + "FROM identity_transaction t GROUP BY t.channel ORDER BY t.channel",
                rs -> {
                    channels.put(rs.getString("channel"), ResolutionRate.of(rs.getLong("n"), rs.getLong("linked")));
                    total[0] += rs.getLong("n");
                    total[1] += rs.getLong("linked");
                });
        Long profiles = jdbc.queryForObject("SELECT COUNT(*) FROM identity_profile WHERE merged_into IS NULL", Long.class);
        Long merged = jdbc.queryForObject("SELECT COUNT(*) FROM identity_profile WHERE merged_into IS NOT NULL", Long.class);
        Long identifiers = jdbc.queryForObject("SELECT COUNT(*) FROM identity_identifier", Long.class);
        return new IdentityMetrics("transactions", ResolutionRate.of(total[0], total[1]), channels, profiles, merged, identifiers);
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
