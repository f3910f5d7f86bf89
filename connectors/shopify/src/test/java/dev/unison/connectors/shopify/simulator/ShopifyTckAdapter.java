package dev.unison.connectors.shopify.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.ChannelAvailability;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.platform.testkit.TckAdapter;
import dev.unison.connectors.shopify.ShopifyConnector;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Shopify connector's side of the connector TCK. */
public final class ShopifyTckAdapter implements TckAdapter {

    private static final String SHOP = "tck-shop.myshopify.com";
    private static final String TOKEN = "shpat_tck_token";
    private static final String SECRET = "tck-webhook-secret";

    private ShopifySimulator shopify;

    @Override
    public String connectorName() {
        return ShopifyConnector.NAME;
    }

    @Override
    public SimulatorServer startSimulator(int port) {
        shopify = new ShopifySimulator(port, SHOP, TOKEN, SECRET, Clock.systemUTC());
        return shopify.start();
    }

    @Override
    public Map<String, String> settings(String simulatorBaseUrl, boolean goodCredentials) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("shopDomain", SHOP);
        settings.put("accessToken", goodCredentials ? TOKEN : "shpat_wrong_token");
        settings.put("webhookSecret", SECRET);
        settings.put("adminBaseUrl", simulatorBaseUrl);
        settings.put("locationId", String.valueOf(ShopifySimulator.DEFAULT_LOCATION_ID));
        return settings;
    }

    @Override
    public List<InvalidSettings> invalidSettings(String simulatorBaseUrl) {
        Map<String, String> noToken = settings(simulatorBaseUrl, true);
        noToken.remove("accessToken");
        Map<String, String> badDomain = settings(simulatorBaseUrl, true);
        badDomain.put("shopDomain", "not a shop");
        Map<String, String> badVersion = settings(simulatorBaseUrl, true);
        badVersion.put("apiVersion", "2025-13");
        return List.of(new InvalidSettings(noToken, "accessToken"), new InvalidSettings(badDomain, "shopDomain"),
                new InvalidSettings(badVersion, "apiVersion"));
    }

    @Override
    public InboundCase inbound(String hubBaseUrl, String connectionId) {
        ObjectNode order = shopify.newOrder("tck@example.com", "USD", new ShopifySimulator.Line("TCK-SKU", 1, "12.50"));
        return inboundCase(hubBaseUrl, connectionId, shopify.webhook("orders/create", order), EventType.ORDER_PLACED);
    }

    @Override
    public InboundCase unmappableInbound(String hubBaseUrl, String connectionId) {
        ObjectNode noLines = CanonicalJson.mapper().createObjectNode();
        noLines.put("id", 4242).put("created_at", "2025-10-01T12:00:00Z").put("currency", "USD");
        return inboundCase(hubBaseUrl, connectionId, shopify.webhook("orders/create", noLines), EventType.ORDER_PLACED);
    }

    private InboundCase inboundCase(String hubBaseUrl, String connectionId, ShopifySimulator.Delivery delivery,
            EventType type) {
        String url = hubBaseUrl + "/webhooks/shopify/" + connectionId;
        return InboundCase.of(type, () -> shopify.send(url, delivery), () -> shopify.sendBadlySigned(url, delivery), delivery.body());
    }

    @Override
    public OutboundCase outbound(String hubBaseUrl, String connectionId) {
        String sku = "TCK-" + System.nanoTime();
        ObjectNode product = shopify.newProduct("TCK product", sku);
        long item = product.get("variants").get(0).get("inventory_item_id").asLong();
        // the hub learns which inventory item the sku is from products/update
        ShopifySimulator.Delivery learn = shopify.webhook("products/update", product);
        int status = shopify.send(hubBaseUrl + "/webhooks/shopify/" + connectionId, learn);
        if (status != 200) {
            throw new IllegalStateException("products/update was answered " + status);
        }
        CanonicalEvent event = CanonicalEvent.of(EventType.AVAILABILITY_CHANGED, URI.create("/tck"),
                new ChannelAvailability(sku, "shopify", 13, Instant.now()));
        // the item event the hub publishes once it has mapped products/update (ids derive from the delivery)
        String learned = "shopify:" + connectionId + ":event:" + learn.eventId() + ":0";
        return OutboundCase.of(List.of(learned), event,
                () -> Long.valueOf(13).equals(shopify.available(item, ShopifySimulator.DEFAULT_LOCATION_ID)), ".*/graphql\\.json",
                "shopify:" + connectionId + ":inventory");
    }
}
