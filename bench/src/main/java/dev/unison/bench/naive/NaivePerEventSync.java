package dev.unison.bench.naive;

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
 * The naive way, the freshness benchmark's baseline (docs/benchmarks.md): every availability event
 * becomes its own {@code inventorySetQuantities} call with one quantity, sent at once from the bus
 * consumer — no coalescing, no batching, no pacing. A 429 or THROTTLED answer is waited out
 * (Retry-After, else one second) and the same call repeated, so nothing is lost; it simply falls
 * behind. Never use it for a real shop.
 */
final class NaivePerEventSync {

    /**
     * The kind under which the Shopify connector stores a sku's inventory item id (the Shopify
     * connector's own constant is not part of its API; the benchmark checks the two agree by
     * finding every sku).
     */
    static final String INVENTORY_ITEM = "inventory_item";

    private final Connection connection;
    private final ConnectorContext context;
    private final HttpClient http;
    private final Clock clock;
    private final String shopifyConnection;
    private final String channel;
    private final String locationGid;
    private final URI graphqlUrl;

    NaivePerEventSync(Connection connection, ConnectorContext context, HttpClient http, Clock clock) {
        this.connection = connection;
        this.context = context;
        this.http = http;
        this.clock = clock;
        this.shopifyConnection = connection.setting("shopifyConnection");
        // its ids come from that connection's webhooks: a typo would turn every sale into an unknown sku
        context.connection(shopifyConnection).orElseThrow(() -> new IllegalStateException("connection " + connection.id()
                + ": shopifyConnection '" + shopifyConnection + "' is not in the connections file"));
        this.channel = connection.setting("channel");
        this.locationGid = "gid://shopify/Location/" + connection.setting("locationId");
        // Shopify GraphQL Admin API endpoint: /admin/api/<version>/graphql.json
        this.graphqlUrl = URI.create(connection.setting("adminBaseUrl") + "/admin/api/" + connection.setting("apiVersion")
                + "/graphql.json");
    }

    String consumerGroup() {
        return "naive-" + connection.id();
    }

    void send(CanonicalEvent event) throws InterruptedException {
        if (event.type() != EventType.AVAILABILITY_CHANGED) {
            return;
        }
        ChannelAvailability availability = event.dataAs(ChannelAvailability.class);
        if (!channel.equals(availability.channel())) {
            return;
        }
        Optional<String> item = context.refs().get(shopifyConnection, INVENTORY_ITEM, availability.sku());
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
        while (true) {
            // Shopify Admin API authentication: X-Shopify-Access-Token on every call
            HttpRequest request = HttpRequest.newBuilder(graphqlUrl).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .header("X-Shopify-Access-Token", connection.requireSecret("accessToken").reveal())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
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
