package dev.unison.platform.edge;

/**
 * Names a partner may not take, contributed as a bean by whoever owns them (the connector runtime:
 * its connections and their channels). A partner's name is the channel it reports records for, so
 * a partner named like a connection could pass its records off as that system's.
 */
@FunctionalInterface
public interface ReservedChannels {

    boolean isReserved(String name);
}
