package dev.unison.canonical.identity;

import java.util.Collection;
import java.util.List;

/**
 * Where the identity graph lives: in memory (benchmarks, tests) or in SQL (the hub). The
 * {@link IdentityResolver} decides; a graph only looks up and records. A SQL graph is called
 * inside one transaction per observation and locks the profiles it returns until it commits.
 */
public interface IdentityGraph {

    /** The live profiles holding any of the match keys; a merged profile is reported as its survivor, once. */
    List<ProfileState> profilesHolding(Collection<String> matchKeys);

    /** Creates a profile holding the identifiers and returns its id. */
    String create(List<Candidate> identifiers, Observation observation);

    /** Adds new identifiers to a profile and marks the ones seen again as seen now. */
    void attach(String profileId, List<Candidate> added, List<Candidate> seen, Observation observation);

    /**
     * Folds {@code merged} into {@code survivor}: their identifiers, transactions and history
     * follow the survivor; each merged id keeps meaning "this person" by pointing at the survivor.
     */
    void merge(String survivorId, List<String> mergedIds, List<Candidate> added, List<Candidate> seen, Observation observation);

    /** The live profile an id means: itself, or the end of its chain of merges ({@code mergedInto}: merged id to survivor). */
    static String survivorOf(java.util.Map<String, String> mergedInto, String profileId) {
        String id = profileId;
        String next;
        while ((next = mergedInto.get(id)) != null) {
            id = next;
        }
        return id;
    }
}
