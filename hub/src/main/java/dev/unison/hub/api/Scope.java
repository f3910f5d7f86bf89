package dev.unison.hub.api;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Partner API scopes. A partner holds a set of them; every operation requires one. Some widen what
 * an operation shows or accepts: {@link #PII_READ} unmasks email addresses and phone numbers,
 * {@link #PRICES_WRITE} allows submitting price changes (the fan-out writes them into shops) and
 * {@link #ALL_PARTNERS} is the operator's: it reads and releases every partner's events and
 * reservations and submits records of any channel.
 */
public enum Scope {
    ADMIN("admin"),
    OPS("ops"),
    EVENTS_READ("events:read"),
    EVENTS_WRITE("events:write"),
    ORDERS_READ("orders:read"),
    INVENTORY_READ("inventory:read"),
    INVENTORY_WRITE("inventory:write"),
    POS_WRITE("pos:write"),
    PROFILES_READ("profiles:read"),
    PROFILES_WRITE("profiles:write"),
    METRICS_READ("metrics:read"),
    PII_READ("pii:read"),
    PRICES_WRITE("prices:write"),
    ALL_PARTNERS("partners:all");

    private final String wireName;

    Scope(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<Scope> byWireName(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst();
    }

    public static List<String> allWireNames() {
        return Arrays.stream(values()).map(Scope::wireName).toList();
    }
}
