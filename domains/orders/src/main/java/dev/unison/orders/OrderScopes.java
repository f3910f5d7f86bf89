package dev.unison.orders;

import dev.unison.platform.edge.DeclaredScopes;
import dev.unison.platform.edge.Scope;
import java.util.List;

/** The orders domain's partner API scopes. */
public final class OrderScopes {

    public static final Scope ORDERS_READ = new Scope("orders:read");

    private OrderScopes() {
    }

    public static DeclaredScopes declared() {
        return new DeclaredScopes("orders", List.of(ORDERS_READ));
    }
}
