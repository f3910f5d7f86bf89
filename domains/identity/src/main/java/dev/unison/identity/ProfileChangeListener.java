package dev.unison.identity;

import java.util.Collection;

/**
 * Told, inside the transaction that made the change, which profiles gained identifiers, absorbed
 * others in a merge, or were given a transaction first recorded with nobody: a domain that derives something from a profile's identifiers (attribution
 * matches ad exposures by them) marks those profiles for another look, atomically with the change.
 * It must be quick and must only write rows of its own; a failure rolls the resolution back.
 */
@FunctionalInterface
public interface ProfileChangeListener {

    /** {@code profileIds}: profiles (survivors, after a merge) whose identifiers changed. */
    void profilesChanged(Collection<String> profileIds);
}
