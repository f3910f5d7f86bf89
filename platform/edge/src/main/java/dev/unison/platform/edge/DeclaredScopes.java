package dev.unison.platform.edge;

import java.util.List;

/**
 * The scopes one module adds to the partner API, contributed as a Spring bean: the partner admin
 * API accepts exactly the scopes some module declared, and the bootstrap partner holds them all.
 *
 * @param owner the declaring module, named in errors and docs (e.g. {@code inventory})
 */
public record DeclaredScopes(String owner, List<Scope> scopes) {

    public DeclaredScopes {
        scopes = List.copyOf(scopes);
    }

    /** The platform's own scopes (partners, events, operations). */
    public static DeclaredScopes platform() {
        return new DeclaredScopes("platform", List.of(Scope.ADMIN, Scope.OPS, Scope.EVENTS_READ, Scope.EVENTS_WRITE,
                Scope.METRICS_READ, Scope.PII_READ, Scope.PRICES_WRITE, Scope.ALL_PARTNERS));
    }
}
