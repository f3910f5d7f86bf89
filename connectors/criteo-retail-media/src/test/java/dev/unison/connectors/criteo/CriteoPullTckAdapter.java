package dev.unison.connectors.criteo;

import dev.unison.canonical.event.EventType;
import dev.unison.connectors.criteo.simulator.CriteoRetailMediaSimulator;
import dev.unison.connectors.criteo.simulator.CriteoRetailMediaSimulator.Attributed;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.platform.testkit.PullTckAdapter;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The Criteo connector's side of the pull TCK. A record is one campaign day: records are added on
 * the last {@value #DAYS} complete days, which the connection restates every second once caught up
 * (restateDays 3, restateEvery PT1S, firstDay two days before yesterday), so a record added later
 * is in the next restated report. Its attributed sales are zero on both channels, so a row reads
 * the same whichever of the three reports of a range were built before it was added.
 */
final class CriteoPullTckAdapter implements PullTckAdapter {

    private static final int DAYS = 3;
    private static final int CAMPAIGNS = 50;
    private CriteoRetailMediaSimulator simulator;
    private int added;

    @Override
    public String connectorName() {
        return CriteoRetailMediaConnector.NAME;
    }

    @Override
    public SimulatorServer startSimulator(int port) {
        simulator = new CriteoRetailMediaSimulator(port).pollsBeforeSuccess(1);
        added = 0;
        return simulator.start();
    }

    private static LocalDate yesterday() {
        return LocalDate.now(ZoneOffset.UTC).minusDays(1);
    }

    @Override
    public Map<String, String> settings(String simulatorBaseUrl) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("baseUrl", simulatorBaseUrl);
        settings.put("clientId", CriteoRetailMediaSimulator.CLIENT_ID);
        settings.put("clientSecret", CriteoRetailMediaSimulator.CLIENT_SECRET);
        settings.put("campaignIds", IntStream.rangeClosed(1, CAMPAIGNS).mapToObj(i -> "c" + i).collect(Collectors.joining(",")));
        settings.put("currency", "EUR");
        settings.put("firstDay", yesterday().minusDays(DAYS - 1L).toString());
        settings.put("restateDays", Integer.toString(DAYS));
        settings.put("restateEvery", "PT1S");
        settings.put("pollMillis", "100");
        settings.put("pausedRetrySeconds", "1");
        return settings;
    }

    @Override
    public EventType expectedType() {
        return EventType.AD_SPEND_REPORTED;
    }

    @Override
    public synchronized void addRecords(int count) {
        for (int i = 0; i < count; i++) {
            int n = added++;
            if (n >= DAYS * CAMPAIGNS) {
                throw new IllegalStateException("the adapter holds at most " + DAYS * CAMPAIGNS + " records");
            }
            simulator.addCampaignDay("c" + (n / DAYS + 1), yesterday().minusDays(n % DAYS), 100L + n, n, "1." + n,
                    Attributed.NONE, Attributed.NONE);
        }
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
