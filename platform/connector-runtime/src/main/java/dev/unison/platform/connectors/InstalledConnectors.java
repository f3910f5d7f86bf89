package dev.unison.platform.connectors;

import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.config.ConnectionsLoader;
import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import dev.unison.connectors.kit.mapping.MappingLibrary;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.CoalescingQueue;
import dev.unison.connectors.kit.spi.ConnectionMetrics;
import dev.unison.connectors.kit.spi.CredentialStore;
import dev.unison.connectors.kit.spi.DeadLetterSink;
import dev.unison.connectors.kit.spi.ExternalRefs;
import dev.unison.connectors.kit.spi.Connector;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.Inbox;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.springframework.core.io.Resource;

/**
 * The connectors on the classpath (found with {@link ServiceLoader}) and the connections
 * configured for them. Loading validates every connection against its connector's schema, so
 * a configuration error stops start-up with every problem named.
 */
public class InstalledConnectors implements ConnectorContext {

    public record CheckOutcome(boolean ok, String detail, Instant checkedAt) {
    }

    /** The channel of orders from the hub's own POS API (the POS connector's {@code PosTransaction.CHANNEL}). */
    private static final String POS_CHANNEL = "store";

    private final Map<String, Connector> connectors;
    private final Map<String, Connection> connections;
    private final MappingLibrary mappings;
    private final Inbox inbox;
    private final ExternalRefs refs;
    private final CoalescingQueue outboundQueue;
    private final DeadLetterSink deadLetters;
    private final ConnectionMetrics metrics;
    private final CredentialStore credentials;
    private final Clock clock;
    private final Map<String, CheckOutcome> lastChecks = new ConcurrentHashMap<>();

    /** The hub's stores a connector may use. */
    public record Stores(Inbox inbox, ExternalRefs refs, CoalescingQueue outboundQueue, DeadLetterSink deadLetters,
            ConnectionMetrics metrics, CredentialStore credentials) {
    }

    public InstalledConnectors(List<Connector> connectors, Resource connectionsFile, Function<String, String> env,
            MappingLibrary mappings, Stores stores, Clock clock) throws IOException {
        Map<String, Connector> byName = new LinkedHashMap<>();
        connectors.forEach(c -> byName.put(c.descriptor().name(), c));
        this.connectors = Map.copyOf(byName);
        Map<String, ConnectorDescriptor> descriptors = new LinkedHashMap<>();
        byName.forEach((name, c) -> descriptors.put(name, c.descriptor()));
        Map<String, Connection> loaded = new LinkedHashMap<>();
        if (connectionsFile != null && connectionsFile.exists()) {
            try (InputStream in = connectionsFile.getInputStream()) {
                new ConnectionsLoader(descriptors, env).load(in, connectionsFile.getDescription())
                        .forEach(c -> loaded.put(c.id(), c));
            }
        }
        this.connections = loaded;
        this.mappings = mappings;
        this.inbox = stores.inbox();
        this.refs = stores.refs();
        this.outboundQueue = stores.outboundQueue();
        this.deadLetters = stores.deadLetters();
        this.metrics = stores.metrics();
        this.credentials = stores.credentials();
        this.clock = clock;
    }

    public static List<Connector> discover() {
        return ServiceLoader.load(Connector.class).stream().map(ServiceLoader.Provider::get).toList();
    }

    public Map<String, Connector> connectors() {
        return connectors;
    }

    public List<Connection> connections() {
        return List.copyOf(connections.values());
    }

    @Override
    public List<Connection> connectionsOf(String connectorName) {
        return connections.values().stream().filter(c -> c.connector().name().equals(connectorName)).toList();
    }

    @Override
    public Optional<Connection> connection(String connectionId) {
        return Optional.ofNullable(connectionId == null ? null : connections.get(connectionId));
    }

    @Override
    public MappingLibrary mappings() {
        return mappings;
    }

    @Override
    public Inbox inbox() {
        return inbox;
    }

    @Override
    public ExternalRefs refs() {
        return refs;
    }

    @Override
    public CoalescingQueue outboundQueue() {
        return outboundQueue;
    }

    @Override
    public DeadLetterSink deadLetters() {
        return deadLetters;
    }

    @Override
    public ConnectionMetrics metrics() {
        return metrics;
    }

    @Override
    public CredentialStore credentials() {
        return credentials;
    }

    /** Runs the connector's check for a connection and remembers the outcome. */
    public CheckOutcome check(Connection connection) {
        CheckResult result;
        try {
            result = connectors.get(connection.connector().name()).check(connection);
        } catch (RuntimeException e) {
            result = CheckResult.failed("check failed: " + e.getMessage());
        }
        CheckOutcome outcome = new CheckOutcome(result.ok(), result.detail(), clock.instant());
        lastChecks.put(connection.id(), outcome);
        return outcome;
    }

    /** A connector's own report (e.g. its token was revoked): shown like the last check. */
    @Override
    public void reportStatus(String connectionId, CheckResult status) {
        lastChecks.put(connectionId, new CheckOutcome(status.ok(), status.detail(), clock.instant()));
    }

    /**
     * True when {@code name} is one of the hub's own channels or connections: a connection id, a
     * connector name, a connection's channel, or {@code store} (the POS channel). A partner reports
     * records under its own name as channel, so it may not take one of these.
     */
    public boolean isOwnChannel(String name) {
        if (POS_CHANNEL.equals(name) || connections.containsKey(name) || connectors.containsKey(name)) {
            return true;
        }
        return connections.values().stream().anyMatch(c -> name.equals(connectors.get(c.connector().name()).channel(c)));
    }

    public Optional<CheckOutcome> lastCheck(String connectionId) {
        return Optional.ofNullable(lastChecks.get(connectionId));
    }
}
