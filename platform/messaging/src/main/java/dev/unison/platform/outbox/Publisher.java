package dev.unison.platform.outbox;

import java.util.List;

/**
 * Where the relay hands committed outbox rows: the broker behind the bus. Declared here, beside
 * the relay that needs it, and implemented by the bus's transports, so the outbox depends on no
 * broker and the bus (which writes to the outbox) on nothing that depends back on it.
 */
@FunctionalInterface
public interface Publisher {

    /** Publishes a batch durably, in list order per partition key; returns only once the broker has it, else throws. */
    void publish(List<OutboxRecord> batch);
}
