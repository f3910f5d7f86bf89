package dev.unison.platform.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import dev.unison.connectors.kit.spi.Connector;
import dev.unison.connectors.kit.spi.OutboundHandler;
import java.util.Map;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * {@code outbound:<target>?kind=<kind>}: hands the {@link CanonicalEvent} body to connections'
 * {@link OutboundHandler}s, so that routes (routes/fan-out.yaml), not connectors, decide which
 * events reach which connection.
 * <ul>
 * <li>{@code outbound:by-channel?kind=inventory}: every enabled connection whose channel is the
 *     event's {@code data.channel} and which takes that kind;</li>
 * <li>{@code outbound:by-location?kind=positions}: every enabled connection that takes that kind and
 *     names the event's {@code data.locationId} among its locations (a connector's location
 *     references, e.g. SFCC's {@code ociLocations});</li>
 * <li>{@code outbound:<connectionId>?kind=inventory}: that connection only (it must exist and take
 *     the kind, else the exchange fails and the bus dead-letters the event with the reason).</li>
 * </ul>
 */
public class OutboundComponent extends DefaultComponent {

    public static final String BY_CHANNEL = "by-channel";
    public static final String BY_LOCATION = "by-location";
    /** The {@code source} the partner API gives every event a partner submits. */
    public static final String PARTNER_SOURCE_PREFIX = "/partners/";

    private final InstalledConnectors installed;

    public OutboundComponent(InstalledConnectors installed) {
        this.installed = installed;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        Object kind = parameters.remove("kind");
        if (kind == null || kind.toString().isBlank()) {
            throw new IllegalArgumentException(uri + ": needs ?kind=<kind of change>, e.g. inventory or prices");
        }
        boolean fanOut = BY_CHANNEL.equals(remaining) || BY_LOCATION.equals(remaining);
        if (!fanOut && installed.connection(remaining).isEmpty()) {
            throw new IllegalArgumentException(uri + ": no connection '" + remaining + "' in the connections file");
        }
        // a misspelt kind would deliver to nobody, silently: refuse it when the route starts
        if (!ConnectorDescriptor.OUTBOUND_KINDS.contains(kind.toString())) {
            throw new IllegalArgumentException(uri + ": unknown kind '" + kind + "' (kinds: "
                    + String.join(", ", new java.util.TreeSet<>(ConnectorDescriptor.OUTBOUND_KINDS)) + ")");
        }
        if (!fanOut
                && !installed.connection(remaining).orElseThrow().connector().outboundKinds().contains(kind.toString())) {
            throw new IllegalArgumentException(uri + ": connection " + remaining + " does not take kind '" + kind
                    + "' (it takes: " + String.join(", ", installed.connection(remaining).orElseThrow().connector().outboundKinds())
                    + ")");
        }
        OutboundEndpoint endpoint = new OutboundEndpoint(uri, this, remaining, kind.toString());
        setProperties(endpoint, parameters);
        return endpoint;
    }

    @org.apache.camel.spi.UriEndpoint(scheme = "outbound", title = "Unison outbound", syntax = "outbound:target",
            producerOnly = true, category = {org.apache.camel.Category.MESSAGING}, firstVersion = "0.1.0")
    final class OutboundEndpoint extends DefaultEndpoint {
        @org.apache.camel.spi.UriPath(description = "by-channel (every enabled connection showing the event's channel), "
                + "by-location (every enabled connection naming the event's location) or one connection's id")
        @org.apache.camel.spi.Metadata(required = true)
        private final String target;
        @org.apache.camel.spi.UriParam(description = "The kind of change (inventory, prices); the connection's connector "
                + "must take it")
        @org.apache.camel.spi.Metadata(required = true)
        private final String kind;

        OutboundEndpoint(String uri, OutboundComponent component, String target, String kind) {
            super(uri, component);
            this.target = target;
            this.kind = kind;
        }

        @Override
        public Producer createProducer() {
            return new DefaultProducer(this) {
                @Override
                public void process(Exchange exchange) {
                    CanonicalEvent event = exchange.getIn().getBody(CanonicalEvent.class);
                    if (event == null) {
                        throw new IllegalArgumentException("outbound: the body must be a CanonicalEvent");
                    }
                    // Defence in depth: the partner API refuses derived types, but should one ever reach the
                    // bus from outside, it must not be written into a shop (it would be forged stock).
                    if (event.type().hubOnly() && event.source().toString().startsWith(PARTNER_SOURCE_PREFIX)) {
                        throw new IllegalArgumentException("outbound: " + event.type().typeName() + " " + event.id()
                                + " came from a partner (" + event.source() + "); only the hub produces this type");
                    }
                    if (BY_LOCATION.equals(target)) {
                        JsonNode location = event.data().get("locationId");
                        if (location == null) {
                            throw new IllegalArgumentException("outbound:by-location: " + event.type().typeName()
                                    + " has no locationId; route it to a connection by id");
                        }
                        for (Connection connection : installed.connections()) {
                            Connector connector = installed.connectors().get(connection.connector().name());
                            if (connection.enabled() && connector.locationReferences(connection).containsValue(location.asText())) {
                                connector.outbound(connection.id(), kind).ifPresent(h -> h.accept(event));
                            }
                        }
                        return;
                    }
                    if (BY_CHANNEL.equals(target)) {
                        JsonNode channel = event.data().get("channel");
                        if (channel == null) {
                            throw new IllegalArgumentException("outbound:by-channel: " + event.type().typeName()
                                    + " has no channel; route it to a connection by id");
                        }
                        for (Connection connection : installed.connections()) {
                            Connector connector = installed.connectors().get(connection.connector().name());
                            if (connection.enabled() && channel.asText().equals(connector.channel(connection))) {
                                connector.outbound(connection.id(), kind).ifPresent(h -> h.accept(event));
                            }
                        }
                        return;
                    }
                    Connection connection = installed.connection(target).orElseThrow();
                    installed.connectors().get(connection.connector().name()).outbound(target, kind)
                            .orElseThrow(() -> new IllegalStateException("connection " + target + " takes no '" + kind
                                    + "' changes (is it enabled and configured for them?)"))
                            .accept(event);
                }
            };
        }

        @Override
        public Consumer createConsumer(Processor processor) {
            throw new UnsupportedOperationException("outbound: is a producer only");
        }
    }
}
