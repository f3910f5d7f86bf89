package dev.unison.canonical.identity;

import dev.unison.canonical.model.IdentifierType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The identity graph in one JVM's memory: an index from match key to profile, with merged
 * profiles re-pointed to their survivor (so a lookup never walks a chain). Not thread-safe:
 * one resolver thread owns it. Used by the benchmark and as the reference the SQL graph is
 * tested against.
 */
public final class InMemoryIdentityGraph implements IdentityGraph {

    private static final class Profile {
        final String id;
        final long age;
        int mergeCount;
        final Map<String, IdentifierType> identifiers = new HashMap<>(8);
        final Map<String, IdentifierType> view = Collections.unmodifiableMap(identifiers);

        Profile(String id, long age) {
            this.id = id;
            this.age = age;
        }

        ProfileState state() {
            return new ProfileState(id, age, mergeCount, view);
        }
    }

    private final Map<String, Profile> byKey;
    private final Map<String, Profile> byId;
    private final Map<String, String> mergedInto = new HashMap<>();
    private long created;

    public InMemoryIdentityGraph() {
        this(1 << 16);
    }

    public InMemoryIdentityGraph(int expectedIdentifiers) {
        this.byKey = new HashMap<>(expectedIdentifiers * 4 / 3 + 1);
        this.byId = new HashMap<>(expectedIdentifiers / 2 + 1);
    }

    @Override
    public List<ProfileState> profilesHolding(Collection<String> matchKeys) {
        Profile first = null;
        List<ProfileState> many = null;
        for (String key : matchKeys) {
            Profile p = byKey.get(key);
            if (p == null || p == first) {
                continue;
            }
            if (first == null) {
                first = p;
                continue;
            }
            if (many == null) {
                many = new ArrayList<>(3);
                many.add(first.state());
            }
            boolean listed = false;
            for (ProfileState s : many) {
                listed |= s.id().equals(p.id);
            }
            if (!listed) {
                many.add(p.state());
            }
        }
        return many != null ? many : first == null ? List.of() : List.of(first.state());
    }

    @Override
    public String create(List<Candidate> identifiers, Observation observation) {
        Profile p = new Profile("p" + (++created), created);
        byId.put(p.id, p);
        for (Candidate c : identifiers) {
            p.identifiers.put(c.matchKey(), c.identifier().type());
            byKey.put(c.matchKey(), p);
        }
        return p.id;
    }

    @Override
    public void attach(String profileId, List<Candidate> added, List<Candidate> seen, Observation observation) {
        Profile p = byId.get(profileId);
        for (Candidate c : added) {
            p.identifiers.put(c.matchKey(), c.identifier().type());
            byKey.put(c.matchKey(), p);
        }
    }

    @Override
    public void merge(String survivorId, List<String> mergedIds, List<Candidate> added, List<Candidate> seen,
            Observation observation) {
        Profile survivor = byId.get(survivorId);
        for (String id : mergedIds) {
            Profile gone = byId.remove(id);
            for (Map.Entry<String, IdentifierType> e : gone.identifiers.entrySet()) {
                survivor.identifiers.put(e.getKey(), e.getValue());
                byKey.put(e.getKey(), survivor);
            }
            survivor.mergeCount += 1 + gone.mergeCount;
            mergedInto.put(id, survivorId);
        }
        attach(survivorId, added, seen, observation);
    }

    /** The live profile an id means today (itself, or the survivor it was merged into). */
    public String current(String profileId) {
        return IdentityGraph.survivorOf(mergedInto, profileId);
    }

    /** The profile holding a match key, or null. */
    public String profileOf(String matchKey) {
        Profile p = byKey.get(matchKey);
        return p == null ? null : p.id;
    }

    public int profileCount() {
        return byId.size();
    }

    public int identifierCount() {
        return byKey.size();
    }
}
