package dev.unison.connectors.amazonads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.model.AdSpend;
import dev.unison.connectors.amazonads.simulator.AmazonAdsSimulator;
import dev.unison.connectors.amazonads.simulator.AmazonAdsSimulator.CampaignDay;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.pull.Poller;
import dev.unison.connectors.kit.simulator.ManualClock;
import dev.unison.platform.testkit.FreePort;
import dev.unison.platform.testkit.MemoryConnectorContext;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The report stream against the simulator on a manual clock: how many polls, what is asked for
 * again, what is stored once.
 */
class AmazonAdsReportsIT {

    static final LocalDate YESTERDAY = LocalDate.parse("2026-12-05");
    final ManualClock clock = new ManualClock(Instant.parse("2026-12-06T09:00:00Z"));
    AmazonAdsSimulator amazon;
    MemoryConnectorContext context;
    Connection connection;
    AmazonAdsConnector connector;

    @BeforeEach
    void start() {
        amazon = new AmazonAdsSimulator(FreePort.any(), clock);
        amazon.start();
        amazon.minPollInterval(Duration.ofSeconds(10));
        for (int d = 0; d < 3; d++) {
            LocalDate day = YESTERDAY.minusDays(d);
            amazon.addCampaignDay(new CampaignDay(day, "1001", "SPRING-GROCERY", "USD", 12000, 240, new BigDecimal("3571.43"), 31,
                    40, new BigDecimal("1428.57")));
            // round amounts: Jackson keeps 14000.00 as 1.4E+4, which must still become the plain amount 14000
            amazon.addCampaignDay(new CampaignDay(day, "1002", "WINTER-BASKET", "EUR", 800, 12, new BigDecimal("14000.00"), 0, 0,
                    BigDecimal.ZERO));
        }
        context = new MemoryConnectorContext(new AmazonAdsConnector().descriptor(), """
                connections:
                  - id: ads
                    connector: amazon-ads
                    settings:
                      clientId: amzn1.application-oa2-client.demo
                      clientSecret: ${SECRET}
                      refreshToken: ${REFRESH}
                      profileId: "3284019243175960"
                      apiUrl: %s
                      tokenUrl: %s/auth/o2/token
                      backfillDays: 3
                      restateDays: 2
                      restateEvery: PT6H
                """.formatted(amazon.baseUrl(), amazon.baseUrl()),
                Map.of("SECRET", AmazonAdsSimulator.CLIENT_SECRET, "REFRESH", AmazonAdsSimulator.REFRESH_TOKEN), clock);
        connection = context.connections.get(0);
        connector = new AmazonAdsConnector(clock);
    }

    @AfterEach
    void stop() {
        amazon.close();
    }

    private Poller poller() {
        return connector.reportPoller(connection, AmazonAdsSettings.of(connection), context);
    }

    private List<AdSpend> spend() {
        return context.stored.stream().flatMap(d -> connector.mapInbound(d, connection, context).stream())
                .map(e -> e.dataAs(AdSpend.class)).toList();
    }

    @Test
    void aReportThatTakesSeveralPollsIsFetchedOnceAndMappedExactly() {
        amazon.pollsUntilDone(3);
        Poller poller = poller();
        poller.round(); // created
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(30));
            assertThat(poller.round().stored()).as("still building").isZero();
        }
        clock.advance(Duration.ofSeconds(30));
        assertThat(poller.round().stored()).isEqualTo(6);
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(10));
            poller.round();
        }
        assertThat(amazon.reportRanges()).as("one report, nothing asked for again before the restatement interval")
                .containsExactly("2026-12-03/2026-12-05");
        assertThat(context.stored).hasSize(6);
        AdSpend spring = spend().stream().filter(s -> s.campaignId().equals("1001") && s.day().equals(YESTERDAY)).findFirst()
                .orElseThrow();
        assertThat(spring.network()).isEqualTo("amazon-ads");
        assertThat(spring.spend().amount()).isEqualByComparingTo("3571.43");
        assertThat(spring.spend().currency()).isEqualTo("USD");
        assertThat(spring.impressions()).isEqualTo(12000);
        assertThat(spring.networkAttributed().clickWindowDays()).isEqualTo(14);
        assertThat(spring.networkAttributed().viewWindowDays()).isNull();
        assertThat(spring.networkAttributed().orders()).isEqualTo(31);
        assertThat(spring.networkAttributed().units()).isEqualTo(40);
        assertThat(spring.networkAttributed().sales().amount()).isEqualByComparingTo("1428.57");
        assertThat(spend()).filteredOn(s -> s.campaignId().equals("1002")).allSatisfy(s -> {
            assertThat(s.spend().currency()).as("the campaign's budget currency").isEqualTo("EUR");
            assertThat(s.spend().amount().toString()).isIn("14000", "14000.0", "14000.00");
        });
    }

    @Test
    void aReportTakesItsBuildTimeHoweverOftenItIsPolled() {
        amazon.pollsUntilDone(1);
        amazon.buildTime(Duration.ofMinutes(20));
        Poller poller = poller();
        poller.round(); // created
        for (int i = 0; i < 19; i++) {
            clock.advance(Duration.ofMinutes(1));
            assertThat(poller.round().stored()).as("building, minute %d", i + 1).isZero();
        }
        clock.advance(Duration.ofMinutes(1));
        assertThat(poller.round().stored()).isEqualTo(6);
    }

    @Test
    void afterMonthsAwayTheStreamResumesAtTheOldestDayAmazonStillKeepsAndSaysWhatItSkipped() {
        context.cursors.put("ads/" + AmazonAdsConnector.STREAM, "{\"phase\":\"done\",\"to\":\"2026-06-30\"}");
        Poller poller = poller();
        poller.round();
        // today 2026-12-06: the 95 days kept are 2026-09-02 .. 2026-12-05; a day of margin for the account's time zone
        assertThat(amazon.reportRanges()).containsExactly("2026-09-03/2026-10-03");
        assertThat(context.cursors.get("ads/" + AmazonAdsConnector.STREAM))
                .contains("\"skipped\":\"2026-07-01/2026-09-02 (older than the API's 95-day retention)\"");
    }

    @Test
    void aDuplicateCreateAfterALostCommitReusesTheReportBeingBuilt() {
        context.failOnPage = 1; // the hub dies before the cursor naming the new report is committed
        Poller poller = poller();
        assertThat(poller.round().outcome()).isEqualTo(Poller.Outcome.FAILED);
        assertThat(amazon.reportRanges()).hasSize(1);
        clock.advance(Duration.ofSeconds(30));
        poller.round(); // asks again: 425 names the report being built, which is used
        assertThat(amazon.reportRanges()).as("no second report").hasSize(1);
        assertThat(amazon.received().stream().filter(r -> r.path().equals("/reporting/reports")).count()).isEqualTo(2);
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(30));
            poller.round();
        }
        assertThat(context.stored).hasSize(6);
    }

    @Test
    void aTooEagerPollWaitsAtLeastAsLongAsRetryAfterSays() {
        amazon.minPollInterval(Duration.ofSeconds(90));
        Poller poller = poller();
        poller.round(); // created
        poller.round(); // first status: PENDING
        Poller.Round limited = poller.round(); // again at once: 429, Retry-After 90
        assertThat(limited.outcome()).isEqualTo(Poller.Outcome.FAILED);
        assertThat(limited.detail()).contains("429");
        int statusCalls = amazon.receivedOn("GET", "/reporting/reports/.*").size();
        for (int s = 10; s < 90; s += 10) {
            clock.advance(Duration.ofSeconds(10));
            assertThat(poller.round().outcome()).as("not asked before Retry-After, at %d s", s).isEqualTo(Poller.Outcome.SKIPPED);
        }
        assertThat(amazon.receivedOn("GET", "/reporting/reports/.*")).hasSize(statusCalls);
        clock.advance(Duration.ofSeconds(10));
        poller.round();
        assertThat(amazon.receivedOn("GET", "/reporting/reports/.*")).hasSize(statusCalls + 1);
    }

    @Test
    void anExpiredTokenIsRenewedOnceAndTheWorkGoesOn() {
        Poller poller = poller();
        poller.round();
        assertThat(amazon.tokensIssued()).isEqualTo(1);
        amazon.expireTokens(); // Amazon's hour is over mid-poll
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofSeconds(30));
            poller.round();
        }
        assertThat(amazon.tokensIssued()).as("one renewal").isEqualTo(2);
        assertThat(context.stored).hasSize(6);
        assertThat(context.statuses).isEmpty();
    }

    @Test
    void aCrashBeforeTheRowsAreCommittedNeitherLosesNorDoublesADay() {
        Poller poller = poller();
        context.failOnPage = 4; // create (1), PENDING (2), PROCESSING (3), the completed page with the rows (4)
        for (int i = 0; i < 4; i++) {
            poller.round();
            clock.advance(Duration.ofSeconds(30));
        }
        assertThat(context.stored).as("the page with the rows was never committed").isEmpty();
        Poller restarted = poller();
        for (int i = 0; i < 3; i++) {
            restarted.round();
            clock.advance(Duration.ofSeconds(30));
        }
        assertThat(amazon.reportRanges()).as("the same report polled on").hasSize(1);
        assertThat(context.stored).hasSize(6);
        assertThat(context.stored.stream().map(d -> d.dedupeKey()).distinct()).hasSize(6);
    }

    @Test
    void anExpiredDownloadUrlIsAskedForAgain() {
        amazon.urlLifetime(Duration.ZERO);
        Poller poller = poller();
        for (int i = 0; i < 4; i++) {
            poller.round();
            clock.advance(Duration.ofSeconds(30));
        }
        assertThat(context.stored).isEmpty();
        assertThat(amazon.received()).anySatisfy(r -> assertThat(r.path()).endsWith(".json.gz"));
        amazon.urlLifetime(Duration.ofHours(1));
        clock.advance(Duration.ofMinutes(5));
        poller.round();
        assertThat(context.stored).hasSize(6);
    }

    @Test
    void onceCaughtUpRestatedDaysAreFetchedAgainAndOnlyChangedRowsAreNew() {
        Poller poller = poller();
        for (int i = 0; i < 4; i++) {
            poller.round();
            clock.advance(Duration.ofSeconds(30));
        }
        assertThat(context.stored).hasSize(6);
        // Amazon attributes two more purchases to yesterday's click
        amazon.addCampaignDay(new CampaignDay(YESTERDAY, "1001", "SPRING-GROCERY", "USD", 12000, 240, new BigDecimal("3571.43"),
                33, 42, new BigDecimal("1500.07")));
        clock.advance(Duration.ofHours(6));
        for (int i = 0; i < 4; i++) {
            poller.round();
            clock.advance(Duration.ofSeconds(30));
        }
        assertThat(amazon.reportRanges()).as("the backfill, then the two trailing days again")
                .containsExactly("2026-12-03/2026-12-05", "2026-12-04/2026-12-05");
        assertThat(context.stored).as("only the restated row is new").hasSize(7);
        List<CanonicalEvent> restated = connector.mapInbound(context.stored.get(6), connection, context);
        AdSpend latest = restated.get(0).dataAs(AdSpend.class);
        assertThat(latest.networkAttributed().sales().amount()).isEqualByComparingTo("1500.07");
        assertThat(restated.get(0).id()).isNotEqualTo(connector.mapInbound(context.stored.get(0), connection, context).get(0).id());
    }
}
