package dev.unison.connectors.shopify;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import dev.unison.connectors.kit.http.ConnectionCircuitBreakers;
import dev.unison.connectors.kit.http.RequestSigner;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.Connector;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.spi.OutboundHandler;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;

/** The Shopify connector: signed webhooks in (see {@link ShopifyWebhookReceiver}), Admin API checks. */
public final class ShopifyConnector implements Connector {

    public static final String NAME = "shopify";

    private final ConnectorDescriptor descriptor = ConnectorDescriptor.bundled(ShopifyConnector.class, NAME);
    private final ShopifyInboundMapper mapper = new ShopifyInboundMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ConnectionCircuitBreakers breakers = ConnectionCircuitBreakers.defaults();
    /** "connectionId/kind" -> what takes the change (set up in routes()). */
    private final Map<String, OutboundHandler> handlers = new ConcurrentHashMap<>();

    @Override
    public ConnectorDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public Optional<OutboundHandler> outbound(String connectionId, String kind) {
        return Optional.ofNullable(handlers.get(connectionId + "/" + kind));
    }

    @Override
    public RoutesBuilder routes(ConnectorContext context) {
        ShopifyWebhookReceiver receiver = new ShopifyWebhookReceiver(context, Clock.systemUTC());
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("platform-http:/webhooks/shopify/{connectionId}?httpMethodRestrict=POST")
                        .routeId("shopify-webhooks")
                        .process(receiver);

                for (Connection connection : context.connectionsOf(NAME)) {
                    if (!connection.enabled()) {
                        continue;
                    }
                    // one client per shop: inventory and price writes share the shop's cost budget
                    ShopifyAdminClient shop = new ShopifyAdminClient(connection, http,
                            breakers.forConnection(connection.id()), context.metrics(), Clock.systemUTC());
                    ShopifyPriceSync prices = new ShopifyPriceSync(connection, context, shop, Clock.systemUTC());
                    // price changes reach prices.offer through routes/fan-out.yaml (outbound:...?kind=prices)
                    handlers.put(connection.id() + "/prices", prices::offer);
                    from("timer:shopify-" + connection.id() + "-prices?period=100&delay=1000")
                            .routeId("shopify-" + connection.id() + "-price-sender")
                            .process(e -> {
                                while (prices.tick() > 0) {
                                    // one product per call, while the budget lasts
                                }
                            });
                    if (!ShopifyInventorySync.enabledFor(connection)) {
                        continue;
                    }
                    ShopifyInventorySync sync = new ShopifyInventorySync(connection, context, shop, Clock.systemUTC());
                    // availability changes (routed by routes/fan-out.yaml) -> durable per-sku coalescing queue
                    handlers.put(connection.id() + "/inventory", sync::offer);
                    // queue -> batched inventorySetQuantities calls, as fast as the shop's budget allows
                    from("timer:shopify-" + connection.id() + "-inventory?period=50&delay=1000")
                            .routeId("shopify-" + connection.id() + "-inventory-sender")
                            .process(e -> {
                                while (sync.tick() > 0) {
                                    // keep sending while batches go through and the budget lasts
                                }
                            });
                }
            }
        };
    }

    /** {@code GET /admin/api/{version}/shop.json} with the access token: read-only, cheap (1 call). */
    @Override
    public CheckResult check(Connection connection) {
        ShopifySettings settings = ShopifySettings.of(connection);
        URI uri = URI.create(settings.adminBaseUrl() + "/admin/api/" + settings.apiVersion() + "/shop.json");
        HttpRequest request = signer(connection).sign(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json").GET(), uri, new byte[0]).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return switch (response.statusCode()) {
                case 200 -> CheckResult.ok("shop " + CanonicalJson.parse(response.body()).path("shop").path("name").asText("?")
                        + " reachable, credentials accepted");
                case 401, 403 -> CheckResult.failed("credentials rejected (HTTP " + response.statusCode() + ")");
                case 429 -> CheckResult.failed("rate limited (HTTP 429); try again later");
                default -> CheckResult.failed("unexpected HTTP " + response.statusCode() + " from " + uri);
            };
        } catch (IOException e) {
            return CheckResult.failed("cannot reach " + uri + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CheckResult.failed("interrupted");
        }
    }

    @Override
    public List<CanonicalEvent> mapInbound(InboundDelivery delivery, Connection connection, ConnectorContext context) {
        if (ShopifyTopic.INVENTORY_LEVELS_UPDATE.topic().equals(delivery.messageType())) {
            ShopifyInventoryEcho.handle(delivery, connection, context);
            return List.of();
        }
        return mapper.map(delivery, connection, context.mappings(), context.refs());
    }

    /** {@code posLocations}: each Shopify POS location's hub location. */
    @Override
    public Map<String, String> locationReferences(Connection connection) {
        Map<String, String> references = new java.util.TreeMap<>();
        ShopifySettings.of(connection).posLocations()
                .forEach((shopLocation, hubLocation) -> references.put(ShopifyInboundMapper.POS_LOCATIONS + "." + shopLocation, hubLocation));
        return references;
    }

    /** Admin API auth: {@code X-Shopify-Access-Token} on every call (shopify.dev "Authentication"). */
    static RequestSigner signer(Connection connection) {
        return (request, uri, body) -> request.header(ShopifyHeaders.ACCESS_TOKEN,
                connection.requireSecret("accessToken").reveal());
    }

}
