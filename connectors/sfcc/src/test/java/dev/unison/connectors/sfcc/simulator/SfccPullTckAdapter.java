package dev.unison.connectors.sfcc.simulator;

import dev.unison.canonical.event.EventType;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.connectors.sfcc.SfccConnector;
import dev.unison.platform.testkit.PullTckAdapter;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The SFCC connector's side of the pull TCK: a record is one ready order, which becomes one
 * {@code commerce.order.placed.v1}; the connection polls every second (the ready orders and the
 * order changes, whose duplicates of exported orders must not count as records).
 */
public final class SfccPullTckAdapter implements PullTckAdapter {

    private SfccSimulator sfcc;

    @Override
    public String connectorName() {
        return SfccConnector.NAME;
    }

    @Override
    public SimulatorServer startSimulator(int port) {
        sfcc = new SfccSimulator(port, Clock.systemUTC());
        return sfcc.start();
    }

    @Override
    public Map<String, String> settings(String simulatorBaseUrl) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("apiBaseUrl", simulatorBaseUrl);
        settings.put("tokenUrl", simulatorBaseUrl + SfccSimulator.TOKEN_PATH);
        settings.put("organizationId", SfccSimulator.ORGANIZATION);
        settings.put("tenantId", SfccSimulator.TENANT);
        settings.put("siteId", SfccSimulator.SITE);
        settings.put("clientId", SfccSimulator.CLIENT_ID);
        settings.put("clientSecret", SfccSimulator.CLIENT_SECRET);
        settings.put("ociLocation", "WH-TCK");
        settings.put("pageSize", "10"); // several pages per round
        settings.put("pollInterval", "PT1S");
        settings.put("pausedRetry", "PT1S");
        return settings;
    }

    @Override
    public EventType expectedType() {
        return EventType.ORDER_PLACED;
    }

    @Override
    public void addRecords(int count) {
        sfcc.addOrders(count);
    }

    @Override
    public void refuseCredentials() {
        sfcc.refuseCredentials(true);
    }

    @Override
    public void acceptCredentials() {
        sfcc.refuseCredentials(false);
    }

    @Override
    public void holdNextRequest() {
        sfcc.hold().holdNext();
    }

    @Override
    public boolean requestHeld() {
        return sfcc.hold().holding();
    }

    @Override
    public void releaseHeldRequest() {
        sfcc.hold().release();
    }
}
