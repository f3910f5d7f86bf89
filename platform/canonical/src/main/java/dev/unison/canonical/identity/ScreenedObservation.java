package dev.unison.canonical.identity;

import java.util.List;

/**
 * An observation whose identifiers have been normalized and screened once
 * ({@link IdentityResolver#screen(Observation)}): the candidates resolution matches on, strongest
 * first, and the identifiers left out (invalid or blocked). Normalizing a phone number with
 * libphonenumber is the costliest step of resolution; a backfill that checks a sighting at the
 * door, collects its match keys and then resolves it does this once, not three times.
 */
public record ScreenedObservation(Observation observation, List<Candidate> candidates, List<Rejection> rejected) {
    public ScreenedObservation {
        candidates = List.copyOf(candidates);
        rejected = List.copyOf(rejected);
    }

    /** The match keys resolution looks up (normalized, unblocked, without duplicates). */
    public List<String> matchKeys() {
        return candidates.stream().map(Candidate::matchKey).toList();
    }

    /** The identifiers that are neither valid values of their type nor placeholders (an input door refuses these). */
    public List<Rejection> invalid() {
        return rejected.stream().filter(r -> r.reason() == Rejection.Reason.INVALID).toList();
    }
}
