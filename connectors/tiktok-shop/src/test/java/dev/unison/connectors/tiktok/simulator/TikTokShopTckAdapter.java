package dev.unison.connectors.tiktok.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.ChannelAvailability;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.platform.testkit.TckAdapter;
import dev.unison.connectors.tiktok.TikTokShopConnector;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The TikTok Shop connector's side of the connector TCK. */
public final class TikTokShopTckAdapter implements TckAdapter {

    private static final String APP_KEY = "tckappkey";
    private static final String APP_SECRET = "tck-app-secret";
    private static final String TOKEN = "TTP_tck_access_token";
    private static final String CIPHER = "GCP_tck_cipher";

    private TikTokShopSimulator tiktok;

    @Override
    public String connectorName() {
        return TikTokShopConnector.NAME;
    }

    @Override
    public SimulatorServer startSimulator(int port) {
        tiktok = new TikTokShopSimulator(port, APP_KEY, APP_SECRET, TOKEN, CIPHER, Clock.systemUTC());
        return tiktok.start();
    }

    @Override
    public Map<String, String> settings(String simulatorBaseUrl, boolean goodCredentials) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("appKey", APP_KEY);
        settings.put("appSecret", APP_SECRET);
        settings.put("accessToken", goodCredentials ? TOKEN : "TTP_wrong_token");
        settings.put("shopCipher", CIPHER);
        settings.put("shopId", TikTokShopSimulator.SHOP_ID);
        settings.put("warehouseId", TikTokShopSimulator.DEFAULT_WAREHOUSE_ID);
        settings.put("apiBaseUrl", simulatorBaseUrl);
        settings.put("authBaseUrl", simulatorBaseUrl);
        return settings;
    }

    @Override
    public List<InvalidSettings> invalidSettings(String simulatorBaseUrl) {
        Map<String, String> noSecret = settings(simulatorBaseUrl, true);
        noSecret.remove("appSecret");
        Map<String, String> badWarehouse = settings(simulatorBaseUrl, true);
        badWarehouse.put("warehouseId", "main warehouse");
        Map<String, String> badUrl = settings(simulatorBaseUrl, true);
        badUrl.put("apiBaseUrl", "open-api.tiktokglobalshop.com");
        return List.of(new InvalidSettings(noSecret, "appSecret"), new InvalidSettings(badWarehouse, "warehouseId"),
                new InvalidSettings(badUrl, "apiBaseUrl"));
    }

    @Override
    public InboundCase inbound(String hubBaseUrl, String connectionId) {
        String sku = "TCK-TT-" + System.nanoTime();
        tiktok.newProduct("TCK product", sku);
        ObjectNode order = tiktok.newOrder("AWAITING_SHIPMENT", new TikTokShopSimulator.Line(sku, 2, "12.50"));
        return inboundCase(hubBaseUrl, connectionId, tiktok.orderStatusChange(order), EventType.ORDER_UPDATED);
    }

    @Override
    public InboundCase unmappableInbound(String hubBaseUrl, String connectionId) {
        // a status change for an order the shop does not have: Get Order Detail returns none
        ObjectNode ghost = CanonicalJson.mapper().createObjectNode();
        ghost.put("id", "999000111").put("status", "AWAITING_SHIPMENT").put("update_time", Instant.now().getEpochSecond());
        return inboundCase(hubBaseUrl, connectionId, tiktok.orderStatusChange(ghost), EventType.ORDER_UPDATED);
    }

    private InboundCase inboundCase(String hubBaseUrl, String connectionId, TikTokShopSimulator.Delivery delivery,
            EventType type) {
        String url = hubBaseUrl + "/webhooks/tiktok-shop/" + connectionId;
        return InboundCase.of(type, () -> tiktok.send(url, delivery), () -> tiktok.sendBadlySigned(url, delivery), delivery.body());
    }

    @Override
    public OutboundCase outbound(String hubBaseUrl, String connectionId) {
        String sku = "TCK-TT-" + System.nanoTime();
        ObjectNode product = tiktok.newProduct("TCK product", sku);
        // the hub learns the sku's product and sku ids from a product notification (then Get Product)
        TikTokShopSimulator.Delivery learn = tiktok.productChange(product);
        int status = tiktok.send(hubBaseUrl + "/webhooks/tiktok-shop/" + connectionId, learn);
        if (status != 200) {
            throw new IllegalStateException("the product notification was answered " + status);
        }
        String notificationId = CanonicalJson.parse(learn.body()).get("tts_notification_id").asText();
        String learned = TikTokShopConnector.NAME + ":" + connectionId + ":notification:" + notificationId + ":0";
        CanonicalEvent event = CanonicalEvent.of(EventType.AVAILABILITY_CHANGED, URI.create("/tck"),
                new ChannelAvailability(sku, "tiktok-shop", 13, Instant.now()));
        return OutboundCase.of(List.of(learned), event,
                () -> Long.valueOf(13).equals(tiktok.available(sku, TikTokShopSimulator.DEFAULT_WAREHOUSE_ID)), "/product/202309/products/[0-9]+/inventory/update",
                "tiktok-shop:" + connectionId + ":inventory");
    }
}
