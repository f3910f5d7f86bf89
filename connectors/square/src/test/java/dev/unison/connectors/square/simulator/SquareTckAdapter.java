package dev.unison.connectors.square.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.connectors.square.SquareConnector;
import dev.unison.platform.testkit.TckAdapter;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Square connector's side of the connector TCK: a sale notified with {@code order.created}
 * (the order read back from the simulator); nothing outbound, Square is only read.
 */
public final class SquareTckAdapter implements TckAdapter {

    public static final String MERCHANT = "MLTCKSELLER01";
    private static final String TOKEN = "EAAAl-tck-access-token";
    public static final String KEY = "tck-signature-key-9Qx";
    /** The subscription's public URL (a proxy's); the hub listens on a random local port, and that must not matter. */
    public static final String NOTIFICATION_URL = "https://hooks.tck.example/webhooks/square/tck-good";

    /** The hub location the simulator's store maps to; SquareTckIT declares it in the TCK hub's stock network. */
    public static final String HUB_LOCATION = "TCK-STORE";

    private SquareSimulator square;

    @Override
    public String connectorName() {
        return SquareConnector.NAME;
    }

    @Override
    public SimulatorServer startSimulator(int port) {
        square = new SquareSimulator(port, MERCHANT, TOKEN, KEY, NOTIFICATION_URL, Clock.systemUTC());
        return square.start();
    }

    @Override
    public Map<String, String> settings(String simulatorBaseUrl, boolean goodCredentials) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("merchantId", MERCHANT);
        settings.put("accessToken", goodCredentials ? TOKEN : "EAAAl-wrong-token");
        settings.put("signatureKey", KEY);
        settings.put("notificationUrl", NOTIFICATION_URL);
        settings.put("apiBaseUrl", simulatorBaseUrl);
        // every TCK setting goes through a placeholder, hence the text form of the mapping
        settings.put("locations", SquareSimulator.STORE_LOCATION_ID + "=" + HUB_LOCATION);
        return settings;
    }

    @Override
    public List<InvalidSettings> invalidSettings(String simulatorBaseUrl) {
        Map<String, String> noKey = settings(simulatorBaseUrl, true);
        noKey.remove("signatureKey");
        Map<String, String> plainHttp = settings(simulatorBaseUrl, true);
        plainHttp.put("notificationUrl", "http://hooks.tck.example/webhooks/square/tck-good");
        Map<String, String> badMerchant = settings(simulatorBaseUrl, true);
        badMerchant.put("merchantId", "not a merchant");
        Map<String, String> badLocations = settings(simulatorBaseUrl, true);
        badLocations.put("locations", "STORE-1");
        return List.of(new InvalidSettings(noKey, "signatureKey"), new InvalidSettings(plainHttp, "notificationUrl"),
                new InvalidSettings(badMerchant, "merchantId"), new InvalidSettings(badLocations, "locations"));
    }

    @Override
    public boolean sendsOutbound() {
        return false;
    }

    @Override
    public InboundCase inbound(String hubBaseUrl, String connectionId) {
        String variation = square.newVariation("TCK tee", "TCK-SKU", 1250);
        ObjectNode order = square.newOrder(SquareSimulator.STORE_LOCATION_ID, "COMPLETED", null,
                new SquareSimulator.Line(variation, "1", 1250));
        return inboundCase(hubBaseUrl, connectionId, square.orderNotification("order.created", order), EventType.ORDER_PLACED);
    }

    @Override
    public InboundCase unmappableInbound(String hubBaseUrl, String connectionId) {
        // passes the door (signed, a whole envelope, this seller) but names no order to read
        ObjectNode summary = CanonicalJson.mapper().createObjectNode();
        summary.putObject("order_created").put("location_id", SquareSimulator.STORE_LOCATION_ID).put("state", "OPEN");
        return inboundCase(hubBaseUrl, connectionId, square.notification("order.created", "order", "NOORDERID", summary),
                EventType.ORDER_PLACED);
    }

    private InboundCase inboundCase(String hubBaseUrl, String connectionId, SquareSimulator.Notification n, EventType type) {
        String url = hubBaseUrl + "/webhooks/square/" + connectionId;
        return InboundCase.of(type, () -> square.send(url, n), () -> square.sendBadlySigned(url, n), n.body());
    }

    @Override
    public OutboundCase outbound(String hubBaseUrl, String connectionId) {
        throw new UnsupportedOperationException("the Square connector sends nothing to Square");
    }
}
