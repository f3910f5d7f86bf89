package dev.unison.connectors.sfcc.simulator;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.ChannelAvailability;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.connectors.sfcc.SfccConnector;
import dev.unison.platform.testkit.TckAdapter;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SFCC connector's side of the connector TCK: no webhook door (SFCC pushes nothing; its inbound
 * side runs the pull checks, {@code SfccPullTckIT}); outbound, an availability of channel
 * {@code sfcc} becomes an Omnichannel Inventory record. The bad connection shows another channel, so
 * only the good one takes the TCK's availability events, and both poll hourly, so that the faults
 * the TCK injects meet the OCI calls they are meant for.
 */
public final class SfccTckAdapter implements TckAdapter {

    private static final String LOCATION = "WH-TCK";
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
    public Map<String, String> settings(String simulatorBaseUrl, boolean goodCredentials) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("apiBaseUrl", simulatorBaseUrl);
        settings.put("tokenUrl", simulatorBaseUrl + SfccSimulator.TOKEN_PATH);
        settings.put("organizationId", SfccSimulator.ORGANIZATION);
        settings.put("tenantId", SfccSimulator.TENANT);
        settings.put("siteId", SfccSimulator.SITE);
        settings.put("clientId", SfccSimulator.CLIENT_ID);
        settings.put("clientSecret", goodCredentials ? SfccSimulator.CLIENT_SECRET : "not-the-secret");
        settings.put("ociLocation", LOCATION);
        settings.put("channel", goodCredentials ? "sfcc" : "sfcc-bad");
        settings.put("pollInterval", "PT1H");
        return settings;
    }

    @Override
    public List<InvalidSettings> invalidSettings(String simulatorBaseUrl) {
        Map<String, String> noSecret = settings(simulatorBaseUrl, true);
        noSecret.remove("clientSecret");
        Map<String, String> badOrganization = settings(simulatorBaseUrl, true);
        badOrganization.put("organizationId", "F-ECOM ZZTE");
        Map<String, String> badUrl = settings(simulatorBaseUrl, true);
        badUrl.put("apiBaseUrl", "zzte-053.api.commercecloud.salesforce.com");
        Map<String, String> bigPage = settings(simulatorBaseUrl, true);
        bigPage.put("pageSize", "500");
        return List.of(new InvalidSettings(noSecret, "clientSecret"), new InvalidSettings(badOrganization, "organizationId"),
                new InvalidSettings(badUrl, "apiBaseUrl"), new InvalidSettings(bigPage, "pageSize"));
    }

    @Override
    public boolean receivesWebhooks() {
        return false;
    }

    @Override
    public InboundCase inbound(String hubBaseUrl, String connectionId) {
        throw new UnsupportedOperationException("SFCC has no webhooks: its orders are pulled (SfccPullTckIT)");
    }

    @Override
    public InboundCase unmappableInbound(String hubBaseUrl, String connectionId) {
        throw new UnsupportedOperationException("SFCC has no webhooks: its orders are pulled (SfccPullTckIT)");
    }

    @Override
    public OutboundCase outbound(String hubBaseUrl, String connectionId) {
        String sku = "TCK-SFCC-" + System.nanoTime();
        CanonicalEvent event = CanonicalEvent.of(EventType.AVAILABILITY_CHANGED, URI.create("/tck"),
                new ChannelAvailability(sku, "sfcc", 13, Instant.now()));
        return OutboundCase.of(List.of(), event, () -> Long.valueOf(13).equals(sfcc.onHand(LOCATION, sku)),
                ".*/availability-records/actions/batch-update", "sfcc:" + connectionId + ":inventory");
    }
}
