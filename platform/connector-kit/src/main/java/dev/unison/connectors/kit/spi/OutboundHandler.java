package dev.unison.connectors.kit.spi;

import dev.unison.canonical.event.CanonicalEvent;

/**
 * What a connection does with a canonical event routed to it — usually offering it to its durable
 * coalescing queue. Which events reach which connection is decided by routes (routes/fan-out.yaml,
 * endpoint {@code outbound:}), not by the connector. Runs inside the bus consumer's transaction.
 */
@FunctionalInterface
public interface OutboundHandler {

    void accept(CanonicalEvent event);
}
