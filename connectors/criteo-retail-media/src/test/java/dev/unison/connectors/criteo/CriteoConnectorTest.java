package dev.unison.connectors.criteo;

import dev.unison.platform.testkit.MemoryConnectorContext;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.AdSpend;
import dev.unison.canonical.model.AttributedConversion;
import dev.unison.connectors.criteo.simulator.CriteoRetailMediaSimulator;
import dev.unison.connectors.criteo.simulator.CriteoRetailMediaSimulator.Attributed;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.pull.Poller;
import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.kit.spi.InboundDelivery;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The connector against its simulator: reports created, polled and read; tokens renewed; Retry-After and refusals honoured. */
class CriteoConnectorTest {

    private final CriteoRetailMediaSimulator sim = (CriteoRetailMediaSimulator) new CriteoRetailMediaSimulator(0).pollsBeforeSuccess(1)
            .start();
    private final LocalDate yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1);
    private final CriteoRetailMediaConnector connector = new CriteoRetailMediaConnector(HttpClient.newHttpClient(), Clock.systemUTC());

    @AfterEach
    void stop() {
        sim.close();
    }

    private MemoryConnectorContext context(String secret, String extra) {
        return context(secret, extra, "PT1H");
    }

    private MemoryConnectorContext context(String secret, String extra, String restateEvery) {
        String yaml = """
                connections:
                  - id: criteo-test
                    connector: criteo-retail-media
                    settings:
                      baseUrl: %s
                      clientId: %s
                      clientSecret: ${SECRET}
                      campaignIds: "101,102"
                      currency: EUR
                      firstDay: "%s"
                      restateDays: 3
                      restateEvery: %s
                      pollMillis: 50
                      pausedRetrySeconds: 1
                """.formatted(sim.baseUrl(), CriteoRetailMediaSimulator.CLIENT_ID, yesterday.minusDays(2), restateEvery) + extra;
        return new MemoryConnectorContext(new CriteoRetailMediaConnector().descriptor(), yaml, Map.of("SECRET", secret), Clock.systemUTC());
    }

    private static Poller.Round roundsUntilCaughtUpWithRows(Poller poller, MemoryConnectorContext context, int rows) {
        Poller.Round last = null;
        for (int i = 0; i < 20 && context.stored.size() < rows; i++) {
            last = poller.round();
        }
        return last;
    }

    @Test
    void aTokenExpiringMidPollIsRenewedOnceAndTheWorkGoesOn() {
        sim.addCampaignDay("101", yesterday, 1000, 20, "12.345678", new Attributed(1, 1, "10.50"), new Attributed(2, 3, "0.25"));
        sim.addCampaignDay("102", yesterday.minusDays(1), 10, 1, "0.10", Attributed.NONE, Attributed.NONE);
        sim.addCampaignDay("999", yesterday, 1, 1, "1", Attributed.NONE, Attributed.NONE); // not this connection's campaign
        MemoryConnectorContext context = context(CriteoRetailMediaSimulator.CLIENT_SECRET, "");
        Connection connection = context.connections.get(0);
        Poller poller = connector.pollers(connection, context).get(CriteoRetailMediaConnector.CAMPAIGNS);

        assertThat(poller.round().outcome()).isEqualTo(Poller.Outcome.CAUGHT_UP); // three reports created
        assertThat(sim.receivedOn("POST", ".*/retail-media/reports/campaigns")).hasSize(3);
        sim.expireTokens(); // Criteo voids the token before its expires_in

        roundsUntilCaughtUpWithRows(poller, context, 2);

        assertThat(context.stored).hasSize(2);
        assertThat(sim.receivedOn("POST", "/oauth2/token")).as("one token, then one renewal").hasSize(2);
        List<SimRequest> statusCalls = sim.receivedOn("GET", ".*/status");
        assertThat(statusCalls.get(0).header("Authorization")).isNotEqualTo(statusCalls.get(1).header("Authorization"));
        assertThat(context.statuses).isEmpty();

        List<AdSpend> spends = context.stored.stream()
                .flatMap(d -> connector.mapInbound(d, connection, context).stream())
                .map(e -> e.dataAs(AdSpend.class)).toList();
        AdSpend day = spends.stream().filter(s -> s.campaignId().equals("101")).findFirst().orElseThrow();
        assertThat(day.spend().amount()).isEqualTo(new BigDecimal("12.345678"));
        assertThat(day.networkAttributed().sales().amount()).isEqualByComparingTo("10.75");
        assertThat(day.networkAttributed().salesInStore().amount()).isEqualByComparingTo("10.50");
        assertThat(day.networkAttributed().salesOnline().amount()).isEqualByComparingTo("0.25");
        assertThat(day.networkAttributed().orders()).isEqualTo(3);
        assertThat(day.networkAttributed().units()).isEqualTo(4);

        // every report asked for: the connection's ids, its windows, UTC, json-newline, one per channel
        assertThat(sim.receivedOn("POST", ".*/retail-media/reports/campaigns")).extracting(SimRequest::bodyText)
                .allSatisfy(body -> assertThat(body).contains("\"ids\":[\"101\",\"102\"]", "\"clickAttributionWindow\":\"30D\"",
                        "\"viewAttributionWindow\":\"1D\"", "\"format\":\"json-newline\"", "\"timezone\":\"UTC\"",
                        "\"startDate\":\"" + yesterday.minusDays(2) + "\"", "\"endDate\":\"" + yesterday + "\""))
                .anySatisfy(body -> assertThat(body).contains("\"salesChannel\":\"offline\""))
                .anySatisfy(body -> assertThat(body).contains("\"salesChannel\":\"online\""));
    }

    @Test
    void aRestatedDayIsANewEventAnUnchangedOneIsNot() throws Exception {
        sim.addCampaignDay("101", yesterday, 1000, 20, "5.00", Attributed.NONE, new Attributed(1, 1, "20"));
        MemoryConnectorContext context = context(CriteoRetailMediaSimulator.CLIENT_SECRET, "", "PT1S");
        Connection connection = context.connections.get(0);
        Poller poller = connector.pollers(connection, context).get(CriteoRetailMediaConnector.CAMPAIGNS);
        roundsUntilCaughtUpWithRows(poller, context, 1);
        assertThat(context.stored).hasSize(1);

        // once the restatement is due (PT1S): the same rows asked for again, nothing new stored
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).pollInterval(java.time.Duration.ofMillis(200))
                .until(() -> {
                    poller.round();
                    return sim.receivedOn("POST", ".*/retail-media/reports/campaigns").size() >= 6;
                });
        for (int i = 0; i < 4; i++) {
            poller.round(); // the restated reports polled to the end
        }
        assertThat(context.stored).hasSize(1);

        sim.addCampaignDay("101", yesterday, 1000, 20, "5.00", Attributed.NONE, new Attributed(2, 2, "40")); // Criteo restated it
        // reports of one range are built one after another: one may have been built before the change, so a
        // mixed row is possible for one restatement; the next one brings the consistent row
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(12)).pollInterval(java.time.Duration.ofMillis(200))
                .until(() -> {
                    poller.round();
                    return context.stored.stream().anyMatch(CriteoConnectorTest::restated);
                });
        List<InboundDelivery> stored = context.stored;
        assertThat(stored).anyMatch(CriteoConnectorTest::restated);
        assertThat(stored.stream().map(InboundDelivery::dedupeKey).distinct()).hasSameSizeAs(stored);
        List<CanonicalEvent> events = stored.stream().flatMap(d -> connector.mapInbound(d, connection, context).stream()).toList();
        assertThat(events.stream().map(CanonicalEvent::id).distinct()).hasSameSizeAs(events);
        assertThat(events.get(0).dataAs(AdSpend.class).networkAttributed().sales().amount()).isEqualByComparingTo("20");
        assertThat(events.get(events.size() - 1).dataAs(AdSpend.class).networkAttributed().sales().amount())
                .isEqualByComparingTo("40");
    }

    private static boolean restated(InboundDelivery d) {
        String body = new String(d.body(), java.nio.charset.StandardCharsets.UTF_8);
        return body.contains("\"attributedSales\":\"40\"") && body.contains("\"salesOnline\":\"40\"");
    }

    @Test
    void eagerPollingWaitsOutRetryAfter() {
        sim.minPollInterval(Duration.ofSeconds(3));
        sim.addCampaignDay("101", yesterday, 1, 1, "1", Attributed.NONE, Attributed.NONE);
        MemoryConnectorContext context = context(CriteoRetailMediaSimulator.CLIENT_SECRET, "");
        Poller poller = connector.pollers(context.connections.get(0), context).get(CriteoRetailMediaConnector.CAMPAIGNS);
        poller.round(); // created
        assertThat(poller.round().outcome()).as("first status: pending").isEqualTo(Poller.Outcome.CAUGHT_UP);

        Poller.Round eager = poller.round();
        assertThat(eager.outcome()).isEqualTo(Poller.Outcome.FAILED);
        assertThat(eager.detail()).contains("429").contains("Retry-After 3 s");
        Poller.Round waiting = poller.round();
        assertThat(waiting.outcome()).as("the poller waits out Retry-After, not its own 200 ms").isEqualTo(Poller.Outcome.SKIPPED);
        assertThat(sim.receivedOn("GET", ".*/status")).hasSize(2);
    }

    @Test
    void anExpiredReportIsAskedForAgain() {
        sim.pollsBeforeSuccess(0).outputLifetime(Duration.ZERO); // outputs expire as soon as they are ready
        sim.addCampaignDay("101", yesterday, 1, 1, "1", Attributed.NONE, Attributed.NONE);
        MemoryConnectorContext context = context(CriteoRetailMediaSimulator.CLIENT_SECRET, "");
        Poller poller = connector.pollers(context.connections.get(0), context).get(CriteoRetailMediaConnector.CAMPAIGNS);
        poller.round(); // created
        poller.round(); // ready, but expired at once
        assertThat(context.cursors.get("criteo-test/campaigns")).contains("\"phase\":\"done\"").contains("expired");
        assertThat(context.stored).isEmpty();

        sim.outputLifetime(Duration.ofHours(1));
        roundsUntilCaughtUpWithRows(poller, context, 1);
        assertThat(context.stored).hasSize(1);
        assertThat(sim.receivedOn("POST", ".*/retail-media/reports/campaigns")).as("the range asked for again").hasSize(6);
    }

    @Test
    void refusedCredentialsPauseTheStreamAndCheckFails() {
        MemoryConnectorContext context = context("not-the-secret", "");
        Connection connection = context.connections.get(0);
        Poller poller = connector.pollers(connection, context).get(CriteoRetailMediaConnector.CAMPAIGNS);
        Poller.Round round = poller.round();
        assertThat(round.outcome()).isEqualTo(Poller.Outcome.PAUSED);
        assertThat(context.statuses.get("criteo-test").detail()).contains("paused").contains("invalid_client");
        assertThat(connector.check(connection).ok()).isFalse();
        assertThat(connector.check(context(CriteoRetailMediaSimulator.CLIENT_SECRET, "").connections.get(0)).ok()).isTrue();
        assertThat(sim.receivedOn("POST", ".*/reports/.*")).isEmpty();
    }

    @Test
    void attributedTransactionsBecomeOneConversionEach() {
        Instant at = yesterday.atTime(14, 30).toInstant(ZoneOffset.UTC);
        sim.addTransaction(new CriteoRetailMediaSimulator.Transaction("T-9", "102", "77", at, "click", "online", "14D", "49.999", 3));
        MemoryConnectorContext context = context(CriteoRetailMediaSimulator.CLIENT_SECRET, "      transactions: true\n");
        Connection connection = context.connections.get(0);
        Map<String, Poller> pollers = connector.pollers(connection, context);
        assertThat(pollers).containsKeys(CriteoRetailMediaConnector.CAMPAIGNS, CriteoRetailMediaConnector.TRANSACTIONS);
        roundsUntilCaughtUpWithRows(pollers.get(CriteoRetailMediaConnector.TRANSACTIONS), context, 1);
        InboundDelivery delivery = context.stored.get(0);
        assertThat(delivery.messageType()).isEqualTo(CriteoRetailMediaConnector.TRANSACTION);
        CanonicalEvent event = connector.mapInbound(delivery, connection, context).get(0);
        assertThat(event.type()).isEqualTo(EventType.AD_CONVERSION_ATTRIBUTED);
        AttributedConversion c = event.dataAs(AttributedConversion.class);
        assertThat(c.conversionId()).isEqualTo("T-9");
        assertThat(c.convertedAt()).isEqualTo(at);
        assertThat(c.windowDays()).isEqualTo(14);
        assertThat(c.channel()).isEqualTo("online");
        assertThat(c.sales().amount()).isEqualTo(new BigDecimal("49.999"));
        assertThat(sim.receivedOn("POST", ".*/reports/campaigns").get(0).bodyText()).contains("\"reportType\":\"attributedTransactions\"");
    }
}
