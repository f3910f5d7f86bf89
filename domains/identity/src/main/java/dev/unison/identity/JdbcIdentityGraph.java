package dev.unison.identity;

import dev.unison.canonical.identity.Candidate;
import dev.unison.canonical.identity.IdentityGraph;
import dev.unison.canonical.identity.Observation;
import dev.unison.canonical.identity.ProfileState;
import dev.unison.canonical.model.IdentifierType;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The identity graph in SQL (H2 or PostgreSQL, tables of V7). Must run inside a transaction:
 * the profiles a lookup returns are locked ({@code FOR UPDATE}) until it commits, and the
 * primary key on {@code identity_identifier.match_key} makes a concurrent creation of the same
 * identifier fail, so the caller retries and finds the profile the other transaction made.
 */
public class JdbcIdentityGraph implements IdentityGraph {

    private static final int MAX_LOOKUPS = 8;

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public JdbcIdentityGraph(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public List<ProfileState> profilesHolding(Collection<String> matchKeys) {
        TreeSet<String> locked = new TreeSet<>();
        for (int attempt = 0; attempt < MAX_LOOKUPS; attempt++) {
            TreeSet<String> holders = new TreeSet<>(jdbc.queryForList(
                    "SELECT DISTINCT profile_id FROM identity_identifier WHERE match_key IN (" + marks(matchKeys.size()) + ")",
                    String.class, matchKeys.toArray()));
            if (holders.isEmpty()) {
                return List.of();
            }
            if (locked.containsAll(holders)) {
                return load(holders);
            }
            if (!locked.isEmpty() && holders.first().compareTo(locked.last()) < 0 && !locked.contains(holders.first())) {
                // locking it now would break the id order every transaction locks in (a deadlock risk): start over
                throw new ConcurrencyFailureException("identity profiles changed while they were being locked; retrying");
            }
            // Lock in id order; a profile merged meanwhile shows merged_into and its identifiers have moved: look again.
            List<Map<String, Object>> rows = jdbc.queryForList("SELECT profile_id, merged_into FROM identity_profile WHERE profile_id IN ("
                    + marks(holders.size()) + ") ORDER BY profile_id FOR UPDATE", holders.toArray());
            for (Map<String, Object> row : rows) {
                if (row.get("merged_into") == null) {
                    locked.add((String) row.get("profile_id"));
                }
            }
            // Identifiers may have moved between the lookup and the lock: the next round confirms with the locks held.
        }
        throw new ConcurrencyFailureException("identity profiles kept changing under the lookup of " + matchKeys.size()
                + " identifiers; retrying the observation");
    }

    private List<ProfileState> load(TreeSet<String> ids) {
        Map<String, Map<String, IdentifierType>> identifiers = new HashMap<>();
        jdbc.query("SELECT match_key, type, profile_id FROM identity_identifier WHERE profile_id IN (" + marks(ids.size()) + ")",
                rs -> {
                    identifiers.computeIfAbsent(rs.getString("profile_id"), k -> new LinkedHashMap<>())
                            .put(rs.getString("match_key"), IdentifierType.fromWireName(rs.getString("type")));
                }, ids.toArray());
        return jdbc.query("SELECT profile_id, age, merge_count FROM identity_profile WHERE profile_id IN (" + marks(ids.size())
                + ") ORDER BY profile_id", (rs, i) -> new ProfileState(rs.getString("profile_id"), rs.getLong("age"),
                        rs.getInt("merge_count"), identifiers.getOrDefault(rs.getString("profile_id"), Map.of())), ids.toArray());
    }

    @Override
    public String create(List<Candidate> identifiers, Observation observation) {
        String id = UUID.randomUUID().toString();
        Instant now = clock.instant();
        jdbc.update("INSERT INTO identity_profile (profile_id, age, merged_into, merge_count, created_at, updated_at) "
                + "VALUES (?, ?, NULL, 0, ?, ?)", id, ChronoUnit.MICROS.between(Instant.EPOCH, now), ts(now), ts(now));
        insertIdentifiers(id, identifiers, observation);
        return id;
    }

    @Override
    public void attach(String profileId, List<Candidate> added, List<Candidate> seen, Observation observation) {
        insertIdentifiers(profileId, added, observation);
        List<Object[]> touched = new ArrayList<>();
        for (Candidate c : seen) {
            if (!added.contains(c)) {
                touched.add(new Object[] {ts(observation.at()), observation.source(), c.matchKey(), ts(observation.at())});
            }
        }
        if (!touched.isEmpty()) {
            // last_seen only moves forward: a late-delivered old event does not make an identifier look fresher
            jdbc.batchUpdate("UPDATE identity_identifier SET last_seen = ?, last_source = ? WHERE match_key = ? AND last_seen < ?",
                    touched);
        }
        if (!added.isEmpty()) {
            jdbc.update("UPDATE identity_profile SET updated_at = ? WHERE profile_id = ?", ts(clock.instant()), profileId);
        }
    }

    @Override
    public void merge(String survivorId, List<String> mergedIds, List<Candidate> added, List<Candidate> seen,
            Observation observation) {
        Instant now = clock.instant();
        String in = marks(mergedIds.size());
        Object[] merged = mergedIds.toArray();
        Integer absorbed = jdbc.queryForObject("SELECT COALESCE(SUM(merge_count + 1), 0) FROM identity_profile WHERE profile_id IN ("
                + in + ")", Integer.class, merged);
        jdbc.update("UPDATE identity_identifier SET profile_id = ? WHERE profile_id IN (" + in + ")", prepend(survivorId, merged));
        jdbc.update("UPDATE identity_transaction SET profile_id = ? WHERE profile_id IN (" + in + ")", prepend(survivorId, merged));
        // Flatten: the merged profiles and everything merged into them before now point at the live survivor.
        Object[] args = new Object[2 + 2 * merged.length];
        args[0] = survivorId;
        args[1] = ts(now);
        System.arraycopy(merged, 0, args, 2, merged.length);
        System.arraycopy(merged, 0, args, 2 + merged.length, merged.length);
        jdbc.update("UPDATE identity_profile SET merged_into = ?, updated_at = ? WHERE profile_id IN (" + in + ") OR merged_into IN ("
                + in + ")", args);
        jdbc.update("UPDATE identity_profile SET merge_count = merge_count + ?, updated_at = ? WHERE profile_id = ?", absorbed,
                ts(now), survivorId);
        String linkedBy = seen.stream().map(Candidate::matchKey).collect(Collectors.joining(", "));
        if (linkedBy.length() > 2000) {
            linkedBy = linkedBy.substring(0, 1997) + "...";
        }
        List<Object[]> history = new ArrayList<>();
        for (String m : mergedIds) {
            history.add(new Object[] {m, survivorId, observation.source(), linkedBy, ts(now)});
        }
        jdbc.batchUpdate("INSERT INTO identity_merge (merged_id, survivor_id, source, linked_by, merged_at) VALUES (?, ?, ?, ?, ?)",
                history);
        attach(survivorId, added, seen, observation);
    }

    private void insertIdentifiers(String profileId, List<Candidate> identifiers, Observation observation) {
        if (identifiers.isEmpty()) {
            return;
        }
        List<Object[]> rows = new ArrayList<>(identifiers.size());
        // in match-key order, as a batch inserts them: two writers creating some of the same
        // identifiers then wait for each other in one direction only, never in a cycle
        for (Candidate c : identifiers.stream().sorted(java.util.Comparator.comparing(Candidate::matchKey)).toList()) {
            rows.add(new Object[] {c.matchKey(), c.identifier().type().wireName(), c.identifier().value(), profileId,
                    observation.source(), observation.source(), ts(observation.at()), ts(observation.at())});
        }
        jdbc.batchUpdate("INSERT INTO identity_identifier (match_key, type, shown_value, profile_id, source, last_source, first_seen, "
                + "last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows);
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    static String marks(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    static OffsetDateTime ts(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
