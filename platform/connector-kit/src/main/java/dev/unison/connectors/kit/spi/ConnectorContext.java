package dev.unison.connectors.kit.spi;

import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.mapping.MappingLibrary;
import java.util.List;
import java.util.Optional;

/** What the hub lends a connector: its connections, the mappings, the inbox, outbound and credential stores. */
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
     * Rotated tokens and revocations of connections, kept across restarts (encrypted at rest by
     * the hub): consult it before sending, so that a revoked connection stays silent.
     */
    CredentialStore credentials();

    /**
     * Reports a connection's state found outside a check — a token that expired and could not be
     * refreshed, a seller who revoked the app — so that operators see it where they see checks
     * ({@code GET /api/v1/connections}).
     */
    void reportStatus(String connectionId, CheckResult status);

    /**
     * This hub process, as operators see it ({@code <host>/<pid>}): the owner a sender writes when
     * it takes a queue lease, so {@code GET /api/v1/connections} shows which instance sends.
     */
    default String instanceId() {
        return InstanceId.OF_THIS_PROCESS;
    }
}
