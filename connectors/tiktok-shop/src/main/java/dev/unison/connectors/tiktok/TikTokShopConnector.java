package dev.unison.connectors.tiktok;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import dev.unison.connectors.kit.http.ConnectionCircuitBreakers;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.Connector;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.spi.OutboundHandler;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;

/**
 * The TikTok Shop connector: signed notifications in (orders, cancellations, returns, products,
 * deauthorization), order and product details fetched with signed calls, available quantities
 * out per warehouse. See docs/connectors/tiktok-shop.md.
 */
public final class TikTokShopConnector implements Connector {

    public static final String NAME = "tiktok-shop";

    private final ConnectorDescriptor descriptor = ConnectorDescriptor.bundled(TikTokShopConnector.class, NAME);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ConnectionCircuitBreakers breakers = ConnectionCircuitBreakers.defaults();
    private final TikTokInboundMapper mapper = new TikTokInboundMapper();
    /** One client per connection: its token and its rate budget are shared by everything it sends. */
    private final Map<String, TikTokShopClient> clients = new ConcurrentHashMap<>();
    private volatile ConnectorContext context;
    /** "connectionId/kind" -> what takes the change (set up in routes()). */
    private final Map<String, OutboundHandler> handlers = new ConcurrentHashMap<>();

    @Override
    public Optional<OutboundHandler> outbound(String connectionId, String kind) {
        return Optional.ofNullable(handlers.get(connectionId + "/" + kind));
    }

    @Override
    public ConnectorDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public RoutesBuilder routes(ConnectorContext context) {
        this.context = context;
        TikTokWebhookReceiver receiver = new TikTokWebhookReceiver(context, id -> client(id), Clock.systemUTC());
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("platform-http:/webhooks/tiktok-shop/{connectionId}?httpMethodRestrict=POST")
                        .routeId("tiktok-shop-webhooks")
                        .process(receiver);
                for (Connection connection : context.connectionsOf(NAME)) {
                    if (!connection.enabled()) {
                        continue;
                    }
                    TikTokShopClient shop = client(connection.id()).orElseThrow();
                    TikTokInventorySync sync = new TikTokInventorySync(connection, context, shop, Clock.systemUTC());
                    // availability changes (routed by routes/fan-out.yaml) -> durable per-sku coalescing queue
                    handlers.put(connection.id() + "/inventory", sync::offer);
                    from("timer:tiktok-shop-" + connection.id() + "-inventory?period=50&delay=1000")
                            .routeId("tiktok-shop-" + connection.id() + "-inventory-sender")
                            .process(e -> {
                                while (sync.tick() > 0) {
                                    // one product per call, while the rate allows
                                }
                            });
                }
            }
        };
    }

    private Optional<TikTokShopClient> client(String connectionId) {
        ConnectorContext ctx = context;
        if (ctx == null) {
            return Optional.empty();
        }
        return ctx.connection(connectionId).filter(c -> c.connector().name().equals(NAME))
                .map(c -> clients.computeIfAbsent(c.id(), id -> new TikTokShopClient(c, http, breakers.forConnection(id),
                        ctx, Clock.systemUTC())));
    }

    /**
     * Get Authorized Shops ({@code GET /authorization/202309/shops}, signed, not shop-scoped): proves
     * the app key, secret and access token, and that this connection's shop cipher is among the
     * shops the token may act for. Read-only.
     */
    @Override
    public CheckResult check(Connection connection) {
        Optional<TikTokShopClient> client = client(connection.id());
        if (client.isEmpty()) {
            return CheckResult.failed("the connector is not started");
        }
        Optional<String> unauthorized = client.get().unauthorizedReason();
        if (unauthorized.isPresent()) {
            return CheckResult.failed("unauthorized: " + unauthorized.get());
        }
        TikTokShopClient.Outcome outcome = client.get().get("check", "/authorization/202309/shops", null);
        if (outcome instanceof TikTokShopClient.Outcome.Answered answered) {
            for (var shop : answered.data().path("shops")) {
                if (shop.path("cipher").asText().equals(TikTokShopSettings.of(connection).shopCipher())) {
                    return CheckResult.ok("shop " + shop.path("name").asText("?") + " (" + shop.path("region").asText("?")
                            + ") reachable, credentials accepted");
                }
            }
            return CheckResult.failed("credentials accepted, but shop cipher " + TikTokShopSettings.of(connection).shopCipher()
                    + " is not among the shops this token is authorised for");
        }
        if (outcome instanceof TikTokShopClient.Outcome.Refused refused) {
            return CheckResult.failed(refused.reason());
        }
        return CheckResult.failed(((TikTokShopClient.Outcome.Later) outcome).why());
    }

    @Override
    public List<CanonicalEvent> mapInbound(InboundDelivery delivery, Connection connection, ConnectorContext context) {
        return mapper.map(delivery, connection, context, client(connection.id()));
    }

    /** {@code warehouseLocations}: each TikTok warehouse's hub location (checked at start-up). */
    @Override
    public java.util.Map<String, String> locationReferences(Connection connection) {
        java.util.Map<String, String> references = new java.util.TreeMap<>();
        TikTokShopSettings.of(connection).warehouseLocations().forEach((warehouse, hubLocation) ->
                references.put(TikTokShopSettings.WAREHOUSE_LOCATIONS + "." + warehouse, hubLocation));
        return references;
    }
}
