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
}
