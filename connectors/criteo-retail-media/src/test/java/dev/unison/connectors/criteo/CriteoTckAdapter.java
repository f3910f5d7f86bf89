package dev.unison.connectors.criteo;

import dev.unison.connectors.criteo.simulator.CriteoRetailMediaSimulator;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.platform.testkit.TckAdapter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Criteo connector's side of the connector TCK: it only pulls (no webhook door, nothing sent),
 * so the configuration and credential checks apply; its inbound side runs the pull checks
 * ({@link CriteoPullTckIT}).
 */
final class CriteoTckAdapter implements TckAdapter {

    @Override
    public String connectorName() {
        return CriteoRetailMediaConnector.NAME;
    }

    @Override
    public SimulatorServer startSimulator(int port) {
        return new CriteoRetailMediaSimulator(port).start();
    }

    @Override
    public Map<String, String> settings(String simulatorBaseUrl, boolean goodCredentials) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("baseUrl", simulatorBaseUrl);
        settings.put("clientId", CriteoRetailMediaSimulator.CLIENT_ID);
        settings.put("clientSecret", goodCredentials ? CriteoRetailMediaSimulator.CLIENT_SECRET : "not-the-secret");
        settings.put("campaignIds", "101,102");
        settings.put("currency", "EUR");
        settings.put("pollMillis", "1000");
        settings.put("pausedRetrySeconds", "5");
        return settings;
    }

    @Override
    public List<InvalidSettings> invalidSettings(String simulatorBaseUrl) {
        Map<String, String> good = settings(simulatorBaseUrl, true);
        return List.of(
                new InvalidSettings(with(good, "currency", "EURO"), "currency"),
                new InvalidSettings(with(good, "campaignIds", "101;102"), "campaignIds"),
                new InvalidSettings(with(good, "clickWindow", "2D"), "clickWindow"),
                new InvalidSettings(with(good, "viewWindow", "60D"), "viewWindow"),
                new InvalidSettings(with(good, "network", "Criteo Retail"), "network"),
                new InvalidSettings(with(good, "restateDays", "31"), "restateDays"),
                new InvalidSettings(with(good, "apiVersion", "v1"), "apiVersion"),
                new InvalidSettings(with(good, "baseUrl", "ftp://api.criteo.com"), "baseUrl"));
    }

    private static Map<String, String> with(Map<String, String> settings, String field, String value) {
        Map<String, String> copy = new LinkedHashMap<>(settings);
        copy.put(field, value);
        return copy;
    }

    @Override
    public boolean receivesWebhooks() {
        return false;
    }

    @Override
    public boolean sendsOutbound() {
        return false;
    }

    @Override
    public InboundCase inbound(String hubBaseUrl, String connectionId) {
        throw new UnsupportedOperationException("Criteo Retail Media pushes nothing: the connector pulls reports");
    }

    @Override
    public InboundCase unmappableInbound(String hubBaseUrl, String connectionId) {
        throw new UnsupportedOperationException("Criteo Retail Media pushes nothing: the connector pulls reports");
    }

    @Override
    public OutboundCase outbound(String hubBaseUrl, String connectionId) {
        throw new UnsupportedOperationException("the connector sends nothing to Criteo");
    }
}
