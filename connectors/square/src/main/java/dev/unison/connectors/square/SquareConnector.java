package dev.unison.connectors.square;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import dev.unison.connectors.kit.http.ConnectionCircuitBreakers;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.Connector;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;

/**
 * The Square connector: signed webhook notifications in ({@link SquareWebhookReceiver}), mapped by
 * {@link SquareInboundMapper} with the orders and catalog skus read from the Square API
 * ({@link SquareApi}); checks with RetrieveMerchant. It sends nothing to Square. See
 * docs/connectors/square.md.
 */
public final class SquareConnector implements Connector {

    public static final String NAME = "square";

    private final ConnectorDescriptor descriptor = ConnectorDescriptor.bundled(SquareConnector.class, NAME);
    private final SquareInboundMapper mapper = new SquareInboundMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ConnectionCircuitBreakers breakers = ConnectionCircuitBreakers.defaults();
    /** One API per connection: its rate budget and circuit breaker are shared by every read for that seller. */
    private final Map<String, SquareApi> apis = new ConcurrentHashMap<>();

    @Override
    public ConnectorDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public RoutesBuilder routes(ConnectorContext context) {
        // settings the schema cannot check fail here, at start, naming the connection and field
        context.connectionsOf(NAME).forEach(SquareSettings::of);
        SquareWebhookReceiver receiver = new SquareWebhookReceiver(context, Clock.systemUTC());
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("platform-http:/webhooks/square/{connectionId}?httpMethodRestrict=POST")
                        .routeId("square-webhooks")
                        .process(receiver);
            }
        };
    }

    @Override
    public CheckResult check(Connection connection) {
        return SquareApi.check(connection, http);
    }

    @Override
    public List<CanonicalEvent> mapInbound(InboundDelivery delivery, Connection connection, ConnectorContext context) {
        return mapper.map(delivery, connection, context, c -> api(c, context));
    }

    SquareApi api(Connection connection, ConnectorContext context) {
        return apis.computeIfAbsent(connection.id(), id -> new SquareApi(connection, http, breakers.forConnection(id), context,
                Clock.systemUTC()));
    }

    /** {@code locations}: each Square location's hub location (the hub refuses to start when one is not declared). */
    @Override
    public Map<String, String> locationReferences(Connection connection) {
        Map<String, String> references = new TreeMap<>();
        SquareSettings.of(connection).locations().forEach((squareLocation, hubLocation) ->
                references.put(SquareSettings.LOCATIONS + "." + squareLocation, hubLocation));
        return references;
    }
}
