package dev.unison.canonical.identity;

import dev.unison.canonical.model.IdentifierType;
import java.util.Map;

/**
 * What resolution needs to know of a profile: its identifiers by match key, its age (the oldest
 * of several profiles survives a merge) and how many merges it has absorbed.
 *
 * @param age smaller = older; ties are broken by id
 */
public record ProfileState(String id, long age, int mergeCount, Map<String, IdentifierType> identifiers) {

    public int count(IdentifierType type) {
        int n = 0;
        for (IdentifierType t : identifiers.values()) {
            if (t == type) {
                n++;
            }
        }
        return n;
    }

    public boolean has(IdentifierType type) {
        return identifiers.containsValue(type);
    }

    /** Whether the profile holds a value competing with this one (same slot, see {@link IdentityRules#slot}). */
    public boolean holdsAnotherIn(String matchKey, IdentifierType type) {
        if (!identifiers.containsValue(type)) {
            return false;
        }
        String slot = IdentityRules.slot(matchKey, type);
        for (Map.Entry<String, IdentifierType> e : identifiers.entrySet()) {
            if (e.getValue() == type && !e.getKey().equals(matchKey) && IdentityRules.slot(e.getKey(), type).equals(slot)) {
                return true;
            }
        }
        return false;
    }
}
