package dev.unison.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.ChannelAvailability;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.http.RetryAfter;
import dev.unison.connectors.kit.spi.ConnectorContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The naive way, kept only as the benchmark's baseline ({@code inventoryMode: per-event}; see
 * docs/benchmarks.md): every availability event becomes its own {@code inventorySetQuantities}
 * call with one quantity, sent at once from the bus consumer — no coalescing, no batching, no
 * pacing. A 429 or THROTTLED answer is waited out (Retry-After, else one second) and the same call
 * repeated, so nothing is lost; it simply falls behind. Never use it for a real shop.
 */
final class ShopifyPerEventInventorySync {

    private final Connection connection;
    private final ConnectorContext context;
    private final HttpClient http;
    private final Clock clock;
    private final String channel;
    private final String locationGid;
    private final URI graphqlUrl;

    ShopifyPerEventInventorySync(Connection connection, ConnectorContext context, HttpClient http, Clock clock) {
        this.connection = connection;
        this.context = context;
        this.http = http;
        this.clock = clock;
        ShopifySettings settings = ShopifySettings.of(connection);
        this.channel = settings.channel();
        this.locationGid = settings.locationGid().orElseThrow();
        this.graphqlUrl = URI.create(settings.graphqlUrl());
    }

    static boolean enabledFor(Connection connection) {
        return ShopifyInventorySync.enabledFor(connection)
                && ShopifySettings.of(connection).inventoryMode() == ShopifySettings.InventoryMode.PER_EVENT;
    }

    String consumerGroup() {
        return "shopify-" + connection.id() + "-per-event";
    }

    void send(CanonicalEvent event) throws InterruptedException {
        if (event.type() != EventType.AVAILABILITY_CHANGED) {
            return;
        }
        ChannelAvailability availability = event.dataAs(ChannelAvailability.class);
        if (!channel.equals(availability.channel())) {
            return;
        }
        Optional<String> item = context.refs().get(connection.id(), ShopifyInboundMapper.INVENTORY_ITEM, availability.sku());
        if (item.isEmpty()) {
            context.metrics().count(connection.id(), "inventory_call", "unknown_sku");
            return;
        }
        ObjectNode variables = CanonicalJson.mapper().createObjectNode();
        ObjectNode input = variables.putObject("input");
        input.put("name", "available").put("reason", "correction").put("ignoreCompareQuantity", true);
        input.putArray("quantities").addObject().put("inventoryItemId", item.get()).put("locationId", locationGid)
                .put("quantity", availability.availableToSell());
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        body.put("query", "mutation SetAvailable($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input)"
                + " { userErrors { code field message } } }");
        body.set("variables", variables);
        byte[] bytes = CanonicalJson.write(body).getBytes(StandardCharsets.UTF_8);
        URI uri = graphqlUrl;
        while (true) {
            HttpRequest request = ShopifyConnector.signer(connection).sign(HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)), uri, bytes).build();
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                context.metrics().count(connection.id(), "inventory_call", "network_error");
                Thread.sleep(1000);
                continue;
            }
            if (response.statusCode() == 429) {
                context.metrics().count(connection.id(), "inventory_call", "rate_limited");
                Thread.sleep(RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock)
                        .orElse(Duration.ofSeconds(1)).toMillis());
                continue;
            }
            JsonNode answer = response.statusCode() == 200 ? CanonicalJson.parse(response.body()) : null;
            if (answer != null && answer.path("errors").toString().contains("THROTTLED")) {
                context.metrics().count(connection.id(), "inventory_call", "throttled");
                Thread.sleep(1000);
                continue;
            }
            context.metrics().count(connection.id(), "inventory_call", response.statusCode() == 200 ? "ok" : "rejected");
            return;
        }
    }
}
