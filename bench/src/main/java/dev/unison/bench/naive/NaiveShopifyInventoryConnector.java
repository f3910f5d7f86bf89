package dev.unison.bench.naive;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import dev.unison.connectors.kit.mapping.MappingException;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.Connector;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;

/**
 * The freshness benchmark's naive baseline as a connector of its own, kept out of the shipped
 * Shopify connector: the benchmark puts this module's small plugin jar on the hub's class path
 * ({@code loader.path}) and configures one connection of it next to a Shopify connection that
 * receives the shop's webhooks. Each of its connections has its own bus consumer group and sends
 * one call per availability event ({@link NaivePerEventSync}).
 */
public final class NaiveShopifyInventoryConnector implements Connector {

    public static final String NAME = "naive-shopify-inventory";

    private final ConnectorDescriptor descriptor = ConnectorDescriptor.bundled(NaiveShopifyInventoryConnector.class, NAME);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    public ConnectorDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public RoutesBuilder routes(ConnectorContext context) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                for (Connection connection : context.connectionsOf(NAME)) {
                    if (!connection.enabled()) {
                        continue;
                    }
                    NaivePerEventSync naive = new NaivePerEventSync(connection, context, http, Clock.systemUTC());
                    from("bus:events?group=" + naive.consumerGroup() + "&types=commerce.availability.changed.v1")
                            .routeId(naive.consumerGroup() + "-inventory")
                            .process(e -> naive.send(e.getIn().getBody(CanonicalEvent.class)));
                }
            }
        };
    }

    /** Nothing to probe that the Shopify connection's own check does not. */
    @Override
    public CheckResult check(Connection connection) {
        return CheckResult.ok("benchmark baseline; the shop is checked by connection " + connection.setting("shopifyConnection"));
    }

    /**
     * The baseline only sends: it registers no webhook route, so no delivery is ever stored for it.
     * Should one arrive anyway, it is refused as unmappable, which dead-letters it with this reason.
     */
    @Override
    public List<CanonicalEvent> mapInbound(InboundDelivery delivery, Connection connection, ConnectorContext context) {
        throw new MappingException(NAME + " sends only and maps no inbound " + delivery.messageType() + " delivery");
    }
}
