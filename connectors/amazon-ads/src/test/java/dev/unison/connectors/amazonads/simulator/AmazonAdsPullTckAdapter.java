package dev.unison.connectors.amazonads.simulator;

import dev.unison.canonical.event.EventType;
import dev.unison.connectors.amazonads.simulator.AmazonAdsSimulator.CampaignDay;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.platform.testkit.PullTckAdapter;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Amazon Ads connector's side of the pull TCK: a record is one campaign's row of yesterday,
 * which the connector fetches when it asks for yesterday again (it looks every second, restates
 * every second, reports build after one poll, and polls are never too eager).
 */
public final class AmazonAdsPullTckAdapter implements PullTckAdapter {

    private AmazonAdsSimulator simulator;
    private int campaigns;

    @Override
    public String connectorName() {
        return "amazon-ads";
    }

    @Override
    public SimulatorServer startSimulator(int port) {
        simulator = new AmazonAdsSimulator(port, Clock.systemUTC());
        simulator.pollsUntilDone(1);
        simulator.minPollInterval(Duration.ZERO);
        return simulator.start();
    }

    @Override
    public Map<String, String> settings(String simulatorBaseUrl) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("clientId", AmazonAdsSimulator.CLIENT_ID);
        settings.put("clientSecret", AmazonAdsSimulator.CLIENT_SECRET);
        settings.put("refreshToken", AmazonAdsSimulator.REFRESH_TOKEN);
        settings.put("profileId", AmazonAdsSimulator.PROFILE_ID);
        settings.put("apiUrl", simulatorBaseUrl);
        settings.put("tokenUrl", simulatorBaseUrl + "/auth/o2/token");
        settings.put("backfillDays", "2");
        settings.put("restateDays", "1");
        settings.put("restateEvery", "PT1S");
        settings.put("pollInterval", "PT1S");
        settings.put("pausedRetry", "PT1S");
        return settings;
    }

    @Override
    public EventType expectedType() {
        return EventType.AD_SPEND_REPORTED;
    }

    @Override
    public void addRecords(int count) {
        LocalDate yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        for (int i = 0; i < count; i++) {
            campaigns++;
            simulator.addCampaignDay(new CampaignDay(yesterday, Integer.toString(5000 + campaigns), "TCK-" + campaigns, "USD",
                    1000 + campaigns, 10, new BigDecimal("12.34"), 1, 1, new BigDecimal("19.99")));
        }
    }

    @Override
    public void refuseCredentials() {
        simulator.refuseCredentials(true);
    }

    @Override
    public void acceptCredentials() {
        simulator.refuseCredentials(false);
    }

    @Override
    public void holdNextRequest() {
        simulator.hold().holdNext();
    }

    @Override
    public boolean requestHeld() {
        return simulator.hold().holding();
    }

    @Override
    public void releaseHeldRequest() {
        simulator.hold().release();
    }
}
