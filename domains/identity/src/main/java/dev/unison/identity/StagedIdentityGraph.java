package dev.unison.identity;

import dev.unison.canonical.identity.Candidate;
import dev.unison.canonical.identity.IdentityGraph;
import dev.unison.canonical.identity.Observation;
import dev.unison.canonical.identity.ProfileState;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.platform.jdbc.ColumnArrays;
import dev.unison.platform.jdbc.InLists;
import dev.unison.platform.jdbc.TypedArguments;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

/**
 * The identity graph for one batch of sightings. Every profile the batch can reach (through any
 * of its match keys) is read and locked up front, in profile-id order like
 * {@link JdbcIdentityGraph}; the batch is then resolved against this copy in memory, by the same
 * resolver and rules as one sighting at a time, and what changed is written at the end in a few
 * batched statements. A profile the batch cannot reach cannot be affected by it, so the copy is
 * complete for the batch. Must run inside one transaction (the locks hold until it commits); a
 * concurrent writer creating the same identifier fails the batch on the primary key, and the
 * caller repeats it.
 */
final class StagedIdentityGraph implements IdentityGraph {

    /**
     * Keys (and rows) per statement where there is no array parameter (H2): lookups are by primary
     * key or indexed profile id, so longer lists than {@link InLists#SIZE} are cheap, but H2 checks
     * each row against the whole list. PostgreSQL takes all of a batch's in one statement.
     */
    private final int perStatement;
    private final boolean postgres;
    private static final int MAX_LOCK_ROUNDS = 8;

    private static final class Profile {
        final String id;
        final long age;
        final boolean stored;
        int mergeCount;
        boolean changed;
        final Map<String, IdentifierType> identifiers = new LinkedHashMap<>();

        Profile(String id, long age, int mergeCount, boolean stored) {
            this.id = id;
            this.age = age;
            this.mergeCount = mergeCount;
            this.stored = stored;
        }

        ProfileState state() {
            return new ProfileState(id, age, mergeCount, Collections.unmodifiableMap(identifiers));
        }
    }

    /** An identifier first stored by this batch, or a stored one seen again. */
    private static final class Sighting {
        final Candidate candidate;
        final String firstSource;
        final Instant firstSeen;
        String lastSource;
        Instant lastSeen;

        Sighting(Candidate candidate, String source, Instant at) {
            this.candidate = candidate;
            this.firstSource = source;
            this.firstSeen = at;
            this.lastSource = source;
            this.lastSeen = at;
        }

        void seen(String source, Instant at) {
            if (at.isAfter(lastSeen)) { // last_seen only moves forward, as in JdbcIdentityGraph
                lastSeen = at;
                lastSource = source;
            }
        }
    }

    private record Merge(String survivorId, List<String> mergedIds, String linkedBy, String source) {
    }

    private final Map<String, Profile> byKey = new HashMap<>();
    private final Map<String, Profile> live = new HashMap<>();
    private final Map<String, Profile> created = new LinkedHashMap<>();
    private final Map<String, Profile> storedMerged = new LinkedHashMap<>();
    private final Map<String, String> mergedInto = new HashMap<>();
    private final Map<String, Sighting> added = new LinkedHashMap<>();
    private final Map<String, Sighting> touched = new HashMap<>();
    private final List<Merge> merges = new ArrayList<>();
    private final Instant now;
    private long lastAge;

    private StagedIdentityGraph(Instant now, boolean postgres) {
        this.now = now;
        this.postgres = postgres;
        this.perStatement = 100;
        this.lastAge = ChronoUnit.MICROS.between(Instant.EPOCH, now);
    }

    /** Reads and locks every live profile holding any of the keys (with all its identifiers). */
    static StagedIdentityGraph load(JdbcTemplate jdbc, Collection<String> matchKeys, Instant now, boolean postgres) {
        StagedIdentityGraph graph = new StagedIdentityGraph(now, postgres);
        List<String> keys = List.copyOf(matchKeys);
        TreeSet<String> locked = new TreeSet<>();
        for (int round = 0;; round++) {
            TreeSet<String> holders = graph.holders(jdbc, keys);
            holders.removeAll(locked);
            if (holders.isEmpty()) {
                break;
            }
            if (round == MAX_LOCK_ROUNDS || !locked.isEmpty() && holders.first().compareTo(locked.last()) < 0) {
                // locking it now would break the id order every writer locks in (a deadlock risk): start over
                throw new ConcurrencyFailureException("identity profiles changed while a batch was locking them; retrying");
            }
            // in id order; a profile merged meanwhile shows merged_into, and its identifiers have moved: the next round finds them
            graph.queryIn(jdbc, "SELECT profile_id, merged_into FROM identity_profile WHERE profile_id", " ORDER BY profile_id FOR UPDATE",
                    List.copyOf(holders), rs -> {
                        if (rs.getString(2) == null) {
                            locked.add(rs.getString(1));
                        }
                    });
        }
        List<String> lockedIds = List.copyOf(locked);
        graph.queryIn(jdbc, "SELECT profile_id, age, merge_count FROM identity_profile WHERE profile_id", "", lockedIds, rs -> {
            Profile p = new Profile(rs.getString(1), rs.getLong(2), rs.getInt(3), true);
            graph.live.put(p.id, p);
            graph.lastAge = Math.max(graph.lastAge, p.age);
        });
        graph.queryIn(jdbc, "SELECT match_key, type, profile_id FROM identity_identifier WHERE profile_id", "", lockedIds, rs -> {
            Profile p = graph.live.get(rs.getString(3));
            p.identifiers.put(rs.getString(1), IdentifierType.fromWireName(rs.getString(2)));
            graph.byKey.put(rs.getString(1), p);
        });
        return graph;
    }

    private TreeSet<String> holders(JdbcTemplate jdbc, List<String> keys) {
        TreeSet<String> holders = new TreeSet<>();
        queryIn(jdbc, "SELECT DISTINCT profile_id FROM identity_identifier WHERE match_key", "", keys, rs -> {
            holders.add(rs.getString(1));
        });
        return holders;
    }

    /**
     * A query of the rows whose column (the end of {@code selectWhere}) is one of the values: one
     * {@code = ANY(?)} with an array on PostgreSQL, {@code IN} lists of {@link #perStatement}
     * values elsewhere.
     */
    private void queryIn(JdbcTemplate jdbc, String selectWhere, String tail, List<String> values, RowCallbackHandler rows) {
        if (values.isEmpty()) {
            return;
        }
        if (postgres) {
            jdbc.query(selectWhere + " = ANY(?)" + tail, ColumnArrays.single("varchar", values), rows);
            return;
        }
        for (List<String> chunk : chunks(values)) {
            jdbc.query(selectWhere + " IN (" + InLists.placeholders(chunk.size()) + ")" + tail, TypedArguments.of(chunk), rows);
        }
    }

    private <T> List<List<T>> chunks(List<T> items) {
        List<List<T>> out = new ArrayList<>();
        for (int from = 0; from < items.size(); from += perStatement) {
            out.add(items.subList(from, Math.min(items.size(), from + perStatement)));
        }
        return out;
    }

    /**
     * PostgreSQL only ("UPDATE ... FROM", which H2 lacks): many rows' updates in one statement,
     * joined to the rows given as column arrays ({@code %s} in the statement is their
     * {@code unnest(...)}); one JDBC batch entry per row cost a statement each, and a batch's
     * merges and sightings were most of its time.
     */
    private static void updateFrom(JdbcTemplate jdbc, String statement, List<String> types, List<Object[]> rows) {
        if (!rows.isEmpty()) {
            jdbc.update(statement.formatted(ColumnArrays.unnest(types)), ColumnArrays.of(types, rows));
        }
    }

    /**
     * Many rows per INSERT statement: on PostgreSQL one statement of column arrays
     * ({@link ColumnArrays}), elsewhere {@code VALUES (...), (...)} lists of {@link #perStatement}
     * rows (a JDBC batch still executes one statement per row, and those were most of a batch's time).
     *
     * @param types the columns' PostgreSQL types, one per column
     */
    private void insertRows(JdbcTemplate jdbc, String insertInto, List<String> types, List<Object[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        if (postgres) {
            jdbc.update(insertInto + " " + ColumnArrays.rowsInOrder(types), ColumnArrays.of(types, rows));
            return;
        }
        String row = ColumnArrays.row(types.size());
        for (List<Object[]> chunk : chunks(rows)) {
            List<Object> args = new ArrayList<>(chunk.size() * types.size());
            chunk.forEach(r -> args.addAll(java.util.Arrays.asList(r)));
            jdbc.update(insertInto + " VALUES " + String.join(", ", Collections.nCopies(chunk.size(), row)), TypedArguments.of(args));
        }
    }

    /** Sorted by id, as {@link JdbcIdentityGraph} returns them. */
    @Override
    public List<ProfileState> profilesHolding(Collection<String> matchKeys) {
        TreeMap<String, Profile> holders = new TreeMap<>();
        for (String key : matchKeys) {
            Profile p = byKey.get(key);
            if (p != null) {
                holders.put(p.id, p);
            }
        }
        List<ProfileState> states = new ArrayList<>(holders.size());
        holders.values().forEach(p -> states.add(p.state()));
        return states;
    }

    @Override
    public String create(List<Candidate> identifiers, Observation observation) {
        // younger than every profile already stored or created by this batch: the oldest survives a merge
        Profile p = new Profile(UUID.randomUUID().toString(), ++lastAge, 0, false);
        live.put(p.id, p);
        created.put(p.id, p);
        add(p, identifiers, observation);
        return p.id;
    }

    @Override
    public void attach(String profileId, List<Candidate> addedNow, List<Candidate> seen, Observation observation) {
        Profile p = live.get(profileId);
        add(p, addedNow, observation);
        for (Candidate c : seen) {
            if (addedNow.contains(c)) {
                continue;
            }
            Sighting first = added.get(c.matchKey());
            if (first != null) {
                first.seen(observation.source(), observation.at());
            } else {
                touched.computeIfAbsent(c.matchKey(), k -> new Sighting(c, observation.source(), observation.at()))
                        .seen(observation.source(), observation.at());
            }
        }
        p.changed |= !addedNow.isEmpty();
    }

    @Override
    public void merge(String survivorId, List<String> mergedIds, List<Candidate> addedNow, List<Candidate> seen,
            Observation observation) {
        Profile survivor = live.get(survivorId);
        for (String id : mergedIds) {
            Profile gone = live.remove(id);
            gone.identifiers.forEach((key, type) -> {
                survivor.identifiers.put(key, type);
                byKey.put(key, survivor);
            });
            survivor.mergeCount += 1 + gone.mergeCount;
            mergedInto.put(id, survivorId);
            if (gone.stored) {
                storedMerged.put(id, gone);
            }
        }
        survivor.changed = true;
        String linkedBy = seen.stream().map(Candidate::matchKey).collect(Collectors.joining(", "));
        merges.add(new Merge(survivorId, List.copyOf(mergedIds), linkedBy.length() > 2000 ? linkedBy.substring(0, 1997) + "..."
                : linkedBy, observation.source()));
        attach(survivorId, addedNow, seen, observation);
    }

    private void add(Profile p, List<Candidate> identifiers, Observation observation) {
        for (Candidate c : identifiers) {
            p.identifiers.put(c.matchKey(), c.identifier().type());
            byKey.put(c.matchKey(), p);
            added.put(c.matchKey(), new Sighting(c, observation.source(), observation.at()));
        }
    }

    /** The live profile an id means after this batch. */
    private String current(String profileId) {
        return IdentityGraph.survivorOf(mergedInto, profileId);
    }

    /** Writes what the batch changed: profiles, then identifiers, then merge history (the foreign keys' order). */
    void flush(JdbcTemplate jdbc) {
        Object at = JdbcIdentityGraph.ts(now);
        List<Object[]> profiles = new ArrayList<>(created.size());
        for (Profile p : created.values()) {
            // a profile created and merged within the batch is still stored: its id was answered and names its survivor
            profiles.add(new Object[] {p.id, p.age, mergedInto.containsKey(p.id) ? current(p.id) : null, p.mergeCount, at, at});
        }
        insertRows(jdbc, "INSERT INTO identity_profile (profile_id, age, merged_into, merge_count, created_at, updated_at)",
                List.of("varchar", "int8", "varchar", "int4", "timestamptz", "timestamptz"), profiles);

        // stored profiles folded into another stored one (the oldest survives, so never into one this batch created)
        if (postgres) {
            List<Object[]> folds = new ArrayList<>(storedMerged.size());
            storedMerged.keySet().forEach(id -> folds.add(new Object[] {id, current(id)}));
            List<String> pair = List.of("varchar", "varchar");
            updateFrom(jdbc, "UPDATE identity_identifier AS t SET profile_id = v.survivor FROM %s AS v(folded, survivor) "
                    + "WHERE t.profile_id = v.folded", pair, folds);
            updateFrom(jdbc, "UPDATE identity_transaction AS t SET profile_id = v.survivor FROM %s AS v(folded, survivor) "
                    + "WHERE t.profile_id = v.folded", pair, folds);
            // flatten: what was merged into the folded profiles before now points at the live survivor too
            List<Object[]> pointers = new ArrayList<>(folds.size());
            folds.forEach(f -> pointers.add(new Object[] {f[0], f[1], at}));
            List<String> triple = List.of("varchar", "varchar", "timestamptz");
            updateFrom(jdbc, "UPDATE identity_profile AS t SET merged_into = v.survivor, updated_at = v.at FROM %s "
                    + "AS v(folded, survivor, at) WHERE t.merged_into = v.folded", triple, pointers);
            updateFrom(jdbc, "UPDATE identity_profile AS t SET merged_into = v.survivor, updated_at = v.at FROM %s "
                    + "AS v(folded, survivor, at) WHERE t.profile_id = v.folded", triple, pointers);
        } else {
            Map<String, List<String>> foldedInto = new LinkedHashMap<>();
            storedMerged.keySet().forEach(id -> foldedInto.computeIfAbsent(current(id), s -> new ArrayList<>()).add(id));
            foldedInto.forEach((survivor, folded) -> {
                for (List<String> chunk : chunks(folded)) {
                    String in = InLists.placeholders(chunk.size());
                    List<Object> args = new ArrayList<>(chunk.size() * 2 + 2);
                    args.add(survivor);
                    args.addAll(chunk);
                    jdbc.update("UPDATE identity_identifier SET profile_id = ? WHERE profile_id IN (" + in + ")", args.toArray());
                    jdbc.update("UPDATE identity_transaction SET profile_id = ? WHERE profile_id IN (" + in + ")", args.toArray());
                    args.add(1, at);
                    args.addAll(chunk);
                    jdbc.update("UPDATE identity_profile SET merged_into = ?, updated_at = ? WHERE profile_id IN (" + in
                            + ") OR merged_into IN (" + in + ")", args.toArray());
                }
            });
        }
        List<Object[]> changed = new ArrayList<>();
        // stored profiles that changed, including one that absorbed others and was then folded itself
        for (Profile p : java.util.stream.Stream.concat(live.values().stream(), storedMerged.values().stream()).toList()) {
            if (p.stored && p.changed) {
                changed.add(new Object[] {p.mergeCount, at, p.id});
            }
        }
        if (postgres) {
            updateFrom(jdbc, "UPDATE identity_profile AS t SET merge_count = v.merges, updated_at = v.at FROM %s "
                    + "AS v(merges, at, id) WHERE t.profile_id = v.id", List.of("int4", "timestamptz", "varchar"), changed);
        } else {
            jdbc.batchUpdate("UPDATE identity_profile SET merge_count = ?, updated_at = ? WHERE profile_id = ?", changed);
        }

        // in key order: two batches inserting some of the same new identifiers then wait for each
        // other in one direction only (the second fails on the key and repeats) instead of deadlocking
        List<Object[]> identifiers = new ArrayList<>(added.size());
        for (Sighting s : new TreeMap<>(added).values()) {
            identifiers.add(new Object[] {s.candidate.matchKey(), s.candidate.identifier().type().wireName(),
                    s.candidate.identifier().value(), byKey.get(s.candidate.matchKey()).id, s.firstSource, s.lastSource,
                    JdbcIdentityGraph.ts(s.firstSeen), JdbcIdentityGraph.ts(s.lastSeen)});
        }
        insertRows(jdbc, "INSERT INTO identity_identifier (match_key, type, shown_value, profile_id, source, last_source, "
                + "first_seen, last_seen)", List.of("varchar", "varchar", "varchar", "varchar", "varchar", "varchar", "timestamptz",
                "timestamptz"), identifiers);
        List<Object[]> seenAgain = new ArrayList<>(touched.size());
        for (Sighting s : new TreeMap<>(touched).values()) {
            seenAgain.add(new Object[] {JdbcIdentityGraph.ts(s.lastSeen), s.lastSource, s.candidate.matchKey(),
                    JdbcIdentityGraph.ts(s.lastSeen)});
        }
        if (postgres) {
            updateFrom(jdbc, "UPDATE identity_identifier AS t SET last_seen = v.seen, last_source = v.source FROM %s "
                    + "AS v(seen, source, match_key, before) WHERE t.match_key = v.match_key AND t.last_seen < v.before",
                    List.of("timestamptz", "varchar", "varchar", "timestamptz"), seenAgain);
        } else {
            jdbc.batchUpdate("UPDATE identity_identifier SET last_seen = ?, last_source = ? WHERE match_key = ? AND last_seen < ?",
                    seenAgain);
        }

        List<Object[]> history = new ArrayList<>();
        for (Merge m : merges) {
            for (String id : m.mergedIds()) {
                history.add(new Object[] {id, m.survivorId(), m.source(), m.linkedBy(), at});
            }
        }
        insertRows(jdbc, "INSERT INTO identity_merge (merged_id, survivor_id, source, linked_by, merged_at)",
                List.of("varchar", "varchar", "varchar", "varchar", "timestamptz"), history);
    }
}
