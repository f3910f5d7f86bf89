package dev.unison.attribution;

import dev.unison.platform.edge.DeclaredScopes;
import dev.unison.platform.edge.Scope;
import java.util.List;

/**
 * The attribution domain's partner API scopes. Reading a report needs {@code attribution:read} and
 * shows the campaigns of the advertisers the partner was made a reader of ({@code partners:all}:
 * every campaign); sending exposure and spend files needs {@code attribution:write}. Settings
 * (networks, campaigns, readers, a full re-attribution) are {@code admin} operations.
 */
public final class AttributionScopes {

    public static final Scope ATTRIBUTION_READ = new Scope("attribution:read");
    public static final Scope ATTRIBUTION_WRITE = new Scope("attribution:write");

    private AttributionScopes() {
    }

    public static DeclaredScopes declared() {
        return new DeclaredScopes("attribution", List.of(ATTRIBUTION_READ, ATTRIBUTION_WRITE));
    }
}
