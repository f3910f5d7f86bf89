package dev.unison.platform.edge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every scope the installed modules declare, and the scope each partner API operation requires.
 * Operations register themselves when their routes are built ({@link ApiRoutes}); the OpenAPI
 * document and the 403 answers read the same entry, so they cannot disagree.
 */
public final class ScopeCatalog {

    private final Map<String, Scope> known = new LinkedHashMap<>();
    private final Map<String, Scope> byOperation = new ConcurrentHashMap<>();

    public ScopeCatalog(List<DeclaredScopes> declared) {
        Map<String, String> owners = new LinkedHashMap<>();
        for (DeclaredScopes module : declared) {
            for (Scope scope : module.scopes()) {
                String previous = owners.putIfAbsent(scope.wireName(), module.owner());
                if (previous != null && !previous.equals(module.owner())) {
                    throw new IllegalStateException("scope '" + scope.wireName() + "' is declared by both " + previous
                            + " and " + module.owner());
                }
                known.put(scope.wireName(), scope);
            }
        }
    }

    /** A catalog of the platform's scopes only (tests, tools). */
    public static ScopeCatalog platformOnly() {
        return new ScopeCatalog(List.of(DeclaredScopes.platform()));
    }

    public Optional<Scope> byWireName(String name) {
        return Optional.ofNullable(known.get(name));
    }

    public List<String> allWireNames() {
        return new ArrayList<>(known.keySet());
    }

    /** Records that {@code operation} (a route id of the partner API) requires {@code scope}. */
    public void require(String operation, Scope scope) {
        if (!known.containsKey(scope.wireName())) {
            throw new IllegalStateException("operation " + operation + " requires scope '" + scope.wireName()
                    + "', which no module declares (add it to the module's DeclaredScopes bean)");
        }
        Scope previous = byOperation.putIfAbsent(operation, scope);
        if (previous != null && !previous.equals(scope)) {
            throw new IllegalStateException("operation " + operation + " requires both " + previous + " and " + scope);
        }
    }

    public Optional<Scope> requiredBy(String operation) {
        return Optional.ofNullable(byOperation.get(operation));
    }

    public Set<String> operations() {
        return new LinkedHashSet<>(byOperation.keySet());
    }
}
