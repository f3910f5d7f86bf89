package dev.unison.identity;

import dev.unison.platform.edge.DeclaredScopes;
import dev.unison.platform.edge.Scope;
import java.util.List;

/** The identity domain's partner API scopes. */
public final class IdentityScopes {

    public static final Scope PROFILES_READ = new Scope("profiles:read");
    public static final Scope PROFILES_WRITE = new Scope("profiles:write");

    private IdentityScopes() {
    }

    public static DeclaredScopes declared() {
        return new DeclaredScopes("identity", List.of(PROFILES_READ, PROFILES_WRITE));
    }
}
