package dev.unison.platform.edge;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A partner API scope. A partner holds a set of them; every operation requires one. The platform's
 * own scopes are declared here; each domain declares its own beside its routes (for example the
 * inventory domain's {@code inventory:read}) and contributes them as a {@link DeclaredScopes} bean,
 * so adding a domain never edits this class.
 *
 * <p>Some scopes widen what an operation shows or accepts: {@link #PII_READ} unmasks email addresses
 * and phone numbers, {@link #PRICES_WRITE} allows submitting price changes (the fan-out writes them
 * into shops) and {@link #ALL_PARTNERS} is the operator's: it reads and releases every partner's
 * events and reservations and submits records of any channel.
 */
public record Scope(String wireName) {

    /** The same pattern the partner admin API's request schemas give a scope, so every declared scope can be granted. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z:_-]{1,63}");

    public static final Scope ADMIN = new Scope("admin");
    public static final Scope OPS = new Scope("ops");
    public static final Scope EVENTS_READ = new Scope("events:read");
    public static final Scope EVENTS_WRITE = new Scope("events:write");
    public static final Scope METRICS_READ = new Scope("metrics:read");
    public static final Scope PII_READ = new Scope("pii:read");
    public static final Scope PRICES_WRITE = new Scope("prices:write");
    public static final Scope ALL_PARTNERS = new Scope("partners:all");

    public Scope {
        Objects.requireNonNull(wireName, "wireName");
        if (!NAME.matcher(wireName).matches()) {
            throw new IllegalArgumentException("scope '" + wireName + "' must match " + NAME.pattern());
        }
    }

    @Override
    public String toString() {
        return wireName;
    }
}
