package dev.unison.platform.testkit;

import dev.unison.canonical.event.EventType;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import java.util.Map;

/**
 * What a connector that pulls (a system without webhooks: a search with a cursor, a report
 * listing) gives the pull checks of the connector TCK ({@link PullingConnectorTck}): its
 * simulator and ways to drive it, and the connection settings that point at it. The TCK runs the
 * connector as deployed (its own routes drive its {@code Poller}) inside a {@link TckHub}.
 */
public interface PullTckAdapter {

    String connectorName();

    /** Starts a fresh simulator, holding no records yet, on {@code port}. */
    SimulatorServer startSimulator(int port);

    /**
     * Settings of one connection against the simulator, polling often (a fraction of a second) and
     * retrying a paused stream soon (a second or two), so the checks run in seconds. Secret
     * fields are returned as values; the TCK supplies them through placeholders.
     */
    Map<String, String> settings(String simulatorBaseUrl);

    /** The canonical event type each pulled record becomes (one event per record). */
    EventType expectedType();

    /** Adds {@code count} new records to the source, after the ones already there. */
    void addRecords(int count);

    /** From now on the simulator refuses the connection's credentials (its token endpoint and data calls answer 401). */
    void refuseCredentials();

    /** The simulator accepts the configured credentials again (an operator fixed the client on the API's side). */
    void acceptCredentials();

    /**
     * The next data request blocks in the simulator until {@link #releaseHeldRequest()}: a fetch in
     * flight, so that the hub can stop between a fetch and its commit.
     */
    void holdNextRequest();

    /** True once a data request is blocked by {@link #holdNextRequest()}. */
    boolean requestHeld();

    void releaseHeldRequest();
}
