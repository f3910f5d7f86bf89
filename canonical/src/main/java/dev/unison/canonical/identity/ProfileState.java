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
}
