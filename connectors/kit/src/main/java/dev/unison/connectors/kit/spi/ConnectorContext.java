package dev.unison.connectors.kit.spi;

import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.mapping.MappingLibrary;
import java.util.List;
import java.util.Optional;

/** What the hub lends a connector: its connections, the mappings, the inbox and outbound stores. */
public interface ConnectorContext {

    Optional<Connection> connection(String connectionId);

    /** The configured connections of one connector. */
    List<Connection> connectionsOf(String connectorName);

    MappingLibrary mappings();

    Inbox inbox();

    ExternalRefs refs();

    CoalescingQueue outboundQueue();

    DeadLetterSink deadLetters();

    ConnectionMetrics metrics();

    /**
     * Reports a connection's state found outside a check — a token that expired and could not be
     * refreshed, a seller who revoked the app — so that operators see it where they see checks
     * ({@code GET /api/v1/connections}).
     */
    void reportStatus(String connectionId, CheckResult status);
}
