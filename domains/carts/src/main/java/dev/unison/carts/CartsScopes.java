package dev.unison.carts;

import dev.unison.platform.edge.DeclaredScopes;
import dev.unison.platform.edge.Scope;
import java.util.List;

/** The carts domain's partner API scopes: the brand app writes carts, the POS reads them. */
public final class CartsScopes {

    public static final Scope CARTS_READ = new Scope("carts:read");
    public static final Scope CARTS_WRITE = new Scope("carts:write");

    private CartsScopes() {
    }

    public static DeclaredScopes declared() {
        return new DeclaredScopes("carts", List.of(CARTS_READ, CARTS_WRITE));
    }
}
