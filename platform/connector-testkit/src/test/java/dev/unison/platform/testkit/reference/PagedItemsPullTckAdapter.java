package dev.unison.platform.testkit.reference;

import dev.unison.canonical.event.EventType;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.platform.testkit.PullTckAdapter;
import java.util.LinkedHashMap;
import java.util.Map;

/** The reference pull connector's side of the pull TCK. */
public final class PagedItemsPullTckAdapter implements PullTckAdapter {

    private PagedItemsSimulator simulator;

    @Override
    public String connectorName() {
        return PagedItemsConnector.NAME;
    }

    @Override
    public SimulatorServer startSimulator(int port) {
        simulator = new PagedItemsSimulator(port);
        return simulator.start();
    }

    @Override
    public Map<String, String> settings(String simulatorBaseUrl) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("baseUrl", simulatorBaseUrl);
        settings.put("clientId", PagedItemsSimulator.CLIENT_ID);
        settings.put("clientSecret", PagedItemsSimulator.CLIENT_SECRET);
        settings.put("pollMillis", "100");
        settings.put("pausedRetrySeconds", "1");
        return settings;
    }

    @Override
    public EventType expectedType() {
        return EventType.ITEM_UPSERTED;
    }

    @Override
    public void addRecords(int count) {
        simulator.add(count);
    }

    @Override
    public void refuseCredentials() {
        simulator.refuse(true);
    }

    @Override
    public void acceptCredentials() {
        simulator.refuse(false);
    }

    @Override
    public void holdNextRequest() {
        simulator.holdNext();
    }

    @Override
    public boolean requestHeld() {
        return simulator.held();
    }

    @Override
    public void releaseHeldRequest() {
        simulator.release();
    }
}
