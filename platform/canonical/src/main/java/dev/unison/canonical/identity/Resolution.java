package dev.unison.canonical.identity;

import dev.unison.canonical.model.Identifier;
import java.util.List;

/**
 * What resolving one observation did.
 *
 * @param profileId the profile the observation belongs to (the survivor after a merge); null when
 *        every identifier was invalid, blocked or demoted
 * @param merged profiles folded into {@code profileId} by this observation
 * @param used the identifiers the profile was matched on (normalized; without rejected ones)
 * @param added identifiers newly stored on the profile
 * @param rejected identifiers not used, each with its reason
 */
public record Resolution(String profileId, Outcome outcome, List<String> merged, List<Identifier> used,
        List<Identifier> added, List<Rejection> rejected) {

    public enum Outcome {
        /** a new profile */
        CREATED,
        /** an existing profile gained identifiers */
        ATTACHED,
        /** an existing profile, nothing new */
        MATCHED,
        /** several profiles became one */
        MERGED,
        /** no usable identifier */
        UNRESOLVED
    }

    public Resolution {
        merged = List.copyOf(merged);
        used = List.copyOf(used);
        added = List.copyOf(added);
        rejected = List.copyOf(rejected);
    }

    public boolean resolved() {
        return profileId != null;
    }
}
