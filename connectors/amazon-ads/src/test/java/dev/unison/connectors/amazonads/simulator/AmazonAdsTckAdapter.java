package dev.unison.connectors.amazonads.simulator;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.Money;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.OrderLine;
import dev.unison.canonical.model.OrderStatus;
import dev.unison.canonical.model.PlacedIn;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.platform.testkit.TckAdapter;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Amazon Ads connector's side of the connector TCK: no webhook door (its reports are pulled,
 * see {@link AmazonAdsPullTckAdapter}); outbound, a placed order becomes an event of the
 * Conversions API.
 */
public final class AmazonAdsTckAdapter implements TckAdapter {

    private AmazonAdsSimulator simulator;

    @Override
    public String connectorName() {
        return "amazon-ads";
    }

    @Override
    public SimulatorServer startSimulator(int port) {
        simulator = new AmazonAdsSimulator(port, Clock.systemUTC(), 20);
        return simulator.start();
    }

    @Override
    public Map<String, String> settings(String simulatorBaseUrl, boolean goodCredentials) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("clientId", AmazonAdsSimulator.CLIENT_ID);
        settings.put("clientSecret", goodCredentials ? AmazonAdsSimulator.CLIENT_SECRET : "not-the-secret");
        settings.put("refreshToken", AmazonAdsSimulator.REFRESH_TOKEN);
        settings.put("profileId", AmazonAdsSimulator.PROFILE_ID);
        settings.put("apiUrl", simulatorBaseUrl);
        settings.put("tokenUrl", simulatorBaseUrl + "/auth/o2/token");
        settings.put("sendConversions", "true");
        settings.put("accountId", AmazonAdsSimulator.ACCOUNT_ID);
        // the report stream idles through these checks (they inject faults into the next simulator call, whichever it is)
        settings.put("pollInterval", "PT24H");
        return settings;
    }

    @Override
    public List<InvalidSettings> invalidSettings(String simulatorBaseUrl) {
        Map<String, String> good = settings(simulatorBaseUrl, true);
        Map<String, String> badProfile = new LinkedHashMap<>(good);
        badProfile.put("profileId", "not-a-number");
        Map<String, String> noAccount = new LinkedHashMap<>(good);
        noAccount.remove("accountId");
        Map<String, String> bigBatch = new LinkedHashMap<>(good);
        bigBatch.put("conversionsBatchSize", "5000");
        return List.of(new InvalidSettings(badProfile, "profileId"), new InvalidSettings(noAccount, "accountId"),
                new InvalidSettings(bigBatch, "conversionsBatchSize"));
    }

    @Override
    public boolean receivesWebhooks() {
        return false;
    }

    @Override
    public InboundCase inbound(String hubBaseUrl, String connectionId) {
        throw new UnsupportedOperationException("Amazon Ads pushes nothing: its reports are pulled");
    }

    @Override
    public InboundCase unmappableInbound(String hubBaseUrl, String connectionId) {
        throw new UnsupportedOperationException("Amazon Ads pushes nothing: its reports are pulled");
    }

    @Override
    public OutboundCase outbound(String hubBaseUrl, String connectionId) {
        String orderId = "tck-" + UUID.randomUUID();
        Order order = new Order(orderId, "shopify", orderId, OrderStatus.PLACED, Instant.now(), null, null, null,
                List.of(new Identifier(IdentifierType.EMAIL, "tck.shopper@example.com")),
                List.of(new OrderLine("1", "TRAIL-SHOE-42", 1, Money.of("89.90", "USD"), Money.of("89.90", "USD"))),
                Money.of("89.90", "USD"), PlacedIn.ONLINE, Instant.now());
        CanonicalEvent event = CanonicalEvent.of(EventType.ORDER_PLACED, URI.create("/tck"), order);
        return OutboundCase.of(List.of(), event, () -> simulator.conversions().containsKey(orderId), "/events/v1",
                "amazon-ads:" + connectionId + ":conversions");
    }
}
