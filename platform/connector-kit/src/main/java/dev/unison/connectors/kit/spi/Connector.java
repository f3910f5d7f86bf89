package dev.unison.connectors.kit.spi;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import java.util.List;
import org.apache.camel.RoutesBuilder;

/**
 * A connector: the adapter of one external system. Implementations are found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.unison.connectors.kit.spi.Connector})
 * and know nothing of the hub beyond {@link ConnectorContext}.
 */
public interface Connector {

    /** The descriptor, usually loaded from {@code connectors/<name>.yaml} on the classpath. */
    ConnectorDescriptor descriptor();

    /** The Camel routes of this connector (e.g. its webhook endpoint), serving all its connections. */
    RoutesBuilder routes(ConnectorContext context);

    /** Probes connectivity and credentials of one connection without changing anything. */
    CheckResult check(Connection connection);

    /**
     * Maps one stored delivery to canonical events. The same delivery must always map to the same
     * event ids, so that reprocessing it publishes nothing twice. Throwing means the delivery goes to
     * the dead-letter table with its original body and the reason.
     */
    List<CanonicalEvent> mapInbound(InboundDelivery delivery, Connection connection, ConnectorContext context);

    /**
     * The handler of one kind of outbound change (e.g. {@code inventory}, {@code prices}) for a
     * connection, once {@link #routes} has set the connection up; empty when the connection does
     * not take that kind.
     */
    default java.util.Optional<OutboundHandler> outbound(String connectionId, String kind) {
        return java.util.Optional.empty();
    }

    /**
     * The hub locations a connection's settings name, by the setting path that names each (e.g.
     * Shopify's {@code posLocations.64213017 -> STORE-7}). The hub refuses to start when one is not a
     * declared location, so a typo cannot send stock movements to the wrong place.
     */
    default java.util.Map<String, String> locationReferences(Connection connection) {
        return java.util.Map.of();
    }

    /** The canonical channel a connection shows (its {@code channel} setting, else the connector's name). */
    default String channel(Connection connection) {
        String configured = connection.connector().configSchema().path("properties").has("channel")
                ? connection.setting("channel") : null;
        return configured != null ? configured : descriptor().name();
    }
}
