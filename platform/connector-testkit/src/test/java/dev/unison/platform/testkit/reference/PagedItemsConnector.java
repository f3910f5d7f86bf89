package dev.unison.platform.testkit.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.auth.ClientCredentials;
import dev.unison.connectors.kit.auth.CredentialsRefused;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import dev.unison.connectors.kit.pull.Poller;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.Connector;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;

/**
 * The pull TCK's reference connector (test code only): items pulled page by page from a cursor,
 * behind OAuth 2.0 client-credentials tokens, each page committed with its cursor by the kit's
 * {@link Poller}; a 401 after a fresh token is {@link CredentialsRefused}, which pauses the stream.
 */
public final class PagedItemsConnector implements Connector {

    public static final String NAME = "paged-items";

    private final ConnectorDescriptor descriptor = ConnectorDescriptor.bundled(PagedItemsConnector.class, NAME);
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
                    Poller poller = poller(connection, context);
                    from("timer:" + NAME + "-" + connection.id() + "?period=" + connection.integer("pollMillis"))
                            .routeId(NAME + "-" + connection.id() + "-poller")
                            .process(e -> poller.round());
                }
            }
        };
    }

    private Poller poller(Connection connection, ConnectorContext context) {
        String base = connection.setting("baseUrl");
        ClientCredentials tokens = new ClientCredentials(http, URI.create(base + "/oauth2/token"), connection.setting("clientId"),
                connection.requireSecret("clientSecret"), null, ClientCredentials.Authentication.BASIC, Clock.systemUTC(),
                Duration.ofSeconds(5));
        Poller.Source source = cursor -> {
            for (int attempt = 1;; attempt++) {
                String token = tokens.accessToken();
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/items?cursor="
                        + cursor.orElse("0"))).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 401 && attempt == 1) {
                    tokens.invalidate(token);
                    continue;
                }
                if (response.statusCode() == 401 || response.statusCode() == 403) {
                    throw new CredentialsRefused("the item listing answered " + response.statusCode());
                }
                if (response.statusCode() != 200) {
                    throw new IOException("the item listing answered " + response.statusCode());
                }
                JsonNode page = CanonicalJson.parse(response.body());
                List<InboundDelivery> deliveries = new ArrayList<>();
                for (JsonNode item : page.path("items")) {
                    deliveries.add(new InboundDelivery(connection.id(), NAME, "item", item.path("sku").asText(), Map.of(),
                            item.toString().getBytes(StandardCharsets.UTF_8), Clock.systemUTC().instant()));
                }
                return new Poller.Page(deliveries, page.path("next").asText(), page.path("more").asBoolean());
            }
        };
        return new Poller(connection.id(), "items", source, context, Clock.systemUTC(), Duration.ofMillis(200),
                Duration.ofSeconds(2), Duration.ofSeconds(connection.integer("pausedRetrySeconds")));
    }

    @Override
    public CheckResult check(Connection connection) {
        return CheckResult.ok("reference connector");
    }

    @Override
    public List<CanonicalEvent> mapInbound(InboundDelivery delivery, Connection connection, ConnectorContext context) {
        JsonNode item = CanonicalJson.parse(new String(delivery.body(), StandardCharsets.UTF_8));
        ObjectNode data = CanonicalJson.mapper().createObjectNode();
        data.put("sku", item.path("sku").asText()).put("title", item.path("title").asText());
        String id = UUID.nameUUIDFromBytes((connection.id() + "/" + delivery.dedupeKey()).getBytes(StandardCharsets.UTF_8))
                .toString();
        return List.of(CanonicalEvent.of(id, EventType.ITEM_UPSERTED, URI.create("/connectors/" + NAME + "/" + connection.id()),
                data, delivery.receivedAt()));
    }

}
