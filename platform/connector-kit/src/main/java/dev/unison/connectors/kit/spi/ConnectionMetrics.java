package dev.unison.connectors.kit.spi;

/**
 * Per-connection counters (exported by the hub as {@code unison_connection_events_total} with
 * tags connection, what, outcome). Use a small fixed vocabulary for {@code what} and
 * {@code outcome}, never values from payloads, so the number of series stays bounded.
 */
public interface ConnectionMetrics {

    void add(String connectionId, String what, String outcome, long amount);

    default void count(String connectionId, String what, String outcome) {
        add(connectionId, what, outcome, 1);
    }
}
