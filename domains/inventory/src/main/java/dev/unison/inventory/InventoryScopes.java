package dev.unison.inventory;

import dev.unison.platform.edge.DeclaredScopes;
import dev.unison.platform.edge.Scope;
import java.util.List;

/** The inventory domain's partner API scopes. */
public final class InventoryScopes {

    public static final Scope INVENTORY_READ = new Scope("inventory:read");
    public static final Scope INVENTORY_WRITE = new Scope("inventory:write");
    public static final Scope POS_WRITE = new Scope("pos:write");

    private InventoryScopes() {
    }

    public static DeclaredScopes declared() {
        return new DeclaredScopes("inventory", List.of(INVENTORY_READ, INVENTORY_WRITE, POS_WRITE));
    }
}
