package dev.unison.connectors.amazonads;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.Money;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.OrderLine;
import dev.unison.canonical.model.OrderStatus;
import dev.unison.canonical.model.PlacedIn;
import dev.unison.connectors.amazonads.simulator.AmazonAdsSimulator;
import dev.unison.connectors.kit.auth.ClientCredentials;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.http.ApiClient;
import dev.unison.connectors.kit.http.ConnectionCircuitBreakers;
import dev.unison.connectors.kit.http.FeedbackRateLimiter;
import dev.unison.connectors.kit.identity.DestinationHashing;
import dev.unison.connectors.kit.simulator.ManualClock;
import dev.unison.platform.testkit.FreePort;
import dev.unison.platform.testkit.MemoryConnectorContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sales to the Conversions API against the simulator: batches, the 207 answer event by event, once per order. */
class AmazonConversionsIT {

    final ManualClock clock = new ManualClock(Instant.parse("2026-12-06T09:00:00Z"));
    AmazonAdsSimulator amazon;
    MemoryConnectorContext context;
    AmazonConversions conversions;
    ApiClient api;

    @BeforeEach
    void start() {
        amazon = new AmazonAdsSimulator(FreePort.any(), clock, 1000);
        amazon.start();
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
                      sendConversions: true
                      accountId: amzn1.ads-account.g.demo
                      conversionsBatchSize: 4
                      conversionsPerSecond: 50
                """.formatted(amazon.baseUrl(), amazon.baseUrl()),
                Map.of("SECRET", AmazonAdsSimulator.CLIENT_SECRET, "REFRESH", AmazonAdsSimulator.REFRESH_TOKEN), clock);
        Connection connection = context.connections.get(0);
        HttpClient http = HttpClient.newHttpClient();
        api = new ApiClient("ads", "Amazon Conversions API", http, ConnectionCircuitBreakers.defaults().forConnection("ads"),
                context.metrics(), FeedbackRateLimiter.of(50, 50, 0), Set.of(401, 403), clock);
        ClientCredentials tokens = ClientCredentials.refreshTokenGrant(http, URI.create(amazon.baseUrl() + "/auth/o2/token"),
                AmazonAdsSimulator.CLIENT_ID, connection.requireSecret("clientSecret"), connection.requireSecret("refreshToken"), clock,
                Duration.ofSeconds(5));
        conversions = new AmazonConversions(connection, context, api, tokens);
    }

    @AfterEach
    void stop() {
        amazon.close();
    }

    static CanonicalEvent placed(String orderId, PlacedIn placedIn, Identifier... ids) {
        Order order = new Order(orderId, placedIn == PlacedIn.STORE ? "pos" : "shopify", orderId, OrderStatus.PLACED,
                Instant.parse("2026-12-05T18:30:00Z"), placedIn == PlacedIn.STORE ? "STORE-7" : null, null, null, List.of(ids),
                List.of(new OrderLine("1", "TRAIL-SHOE-42", 2, Money.of("44.95", "USD"), Money.of("89.90", "USD"))),
                Money.of("89.90", "USD"), placedIn, Instant.parse("2026-12-05T18:30:00Z"));
        return CanonicalEvent.of(EventType.ORDER_PLACED, URI.create("/test"), order);
    }

    /** Ticks until the queue is empty (the API client paces and backs off in real time: up to 15 s). */
    private void sendAll() {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
            clock.advance(Duration.ofMillis(100));
            while (conversions.tick() > 0) {
                clock.advance(Duration.ofMillis(100)); // batch after batch while the rate allows
            }
            return context.queue.isEmpty();
        });
    }

    @Test
    void aSaleBecomesAnOffAmazonPurchaseWithKeysNormalizedAndHashedAsAmazonAsks() {
        conversions.offer(placed("o-1", PlacedIn.STORE, new Identifier(IdentifierType.EMAIL, "jane.doe+news@example.com"),
                new Identifier(IdentifierType.PHONE, "+14155550100"), new Identifier(IdentifierType.LOYALTY_ID, "L-000123")));
        sendAll();

        JsonNode event = amazon.conversions().get("o-1");
        assertThat(event.get("eventType").asText()).isEqualTo("OFF_AMAZON_PURCHASES");
        assertThat(event.get("eventActionSource").asText()).as("a till sale").isEqualTo("OFFLINE");
        assertThat(event.get("value").decimalValue()).isEqualByComparingTo("89.90");
        assertThat(event.get("currencyCode").asText()).isEqualTo("USD");
        assertThat(event.get("unitsSold").asLong()).isEqualTo(2);
        assertThat(event.get("timestamp").asText()).isEqualTo("2026-12-05T18:30:00Z");
        assertThat(event.get("matchKeys").toString())
                .contains(DestinationHashing.sha256Hex("jane.doe+news@example.com"))
                .contains(DestinationHashing.sha256Hex("14155550100")) // digits only
                .doesNotContain("L-000123").doesNotContain("jane.doe");
        assertThat(context.queue).isEmpty();
    }

    @Test
    void anOrderWithoutEmailOrPhoneIsCountedNotSent() {
        conversions.offer(placed("o-2", PlacedIn.STORE, new Identifier(IdentifierType.LOYALTY_ID, "L-000123")));
        assertThat(context.queue).isEmpty();
        assertThat(context.counters).containsEntry("conversion/no_match_key", 1L);
    }

    @Test
    void a207WithMixedResultsResendsOnlyTheEventsThatFailedForNowAndDeadLettersTheRefusedOne() {
        for (int i = 1; i <= 4; i++) {
            conversions.offer(placed("o-" + i, PlacedIn.ONLINE, new Identifier(IdentifierType.EMAIL, "shopper" + i + "@example.com")));
        }
        // a value Amazon refuses: the third event's match key is not a SHA-256
        String third = context.queue.keySet().stream().toList().get(2);
        ObjectNode broken = context.queue.get(third).value().deepCopy();
        ((ObjectNode) broken.get("matchKeys").get(0)).putArray("values").add("not-a-hash");
        context.queue.put(third, new dev.unison.connectors.kit.spi.CoalescingQueue.Pending("ads", AmazonConversions.KIND, third,
                broken, 99, clock.instant()));
        amazon.failEvents(500, 2); // the second event fails for now

        clock.advance(Duration.ofSeconds(1));
        conversions.tick();

        assertThat(amazon.conversions()).containsOnlyKeys("o-1", "o-4");
        assertThat(context.queue).as("only the one that failed for now waits").containsOnlyKeys("o-2");
        assertThat(context.deadLetters).singleElement().satisfies(d -> {
            assertThat(d.key()).isEqualTo("o-3");
            assertThat(d.reason()).contains("HTTP 400").contains("SHA-256");
            assertThat(d.consumer()).isEqualTo("amazon-ads:ads:conversions");
        });

        sendAll();
        assertThat(amazon.conversions()).containsOnlyKeys("o-1", "o-2", "o-4");
        List<JsonNode> bodies = amazon.receivedOn("POST", "/events/v1").stream().map(r -> dev.unison.canonical.json.CanonicalJson
                .parse(r.bodyText())).toList();
        assertThat(bodies).hasSize(2);
        assertThat(bodies.get(1).get("eventData")).as("the second request carries only the retried event").hasSize(1);
        assertThat(amazon.duplicateConversions()).as("nothing that succeeded was sent again").isZero();
    }

    @Test
    void anUnreadableAnswerIsTriedAgainAndAtTheLastAttemptTheEventsLeaveTheQueueForTheDeadLetters() {
        conversions.tick(); // nothing queued: the sender fetches its token now, so the faults below meet the events API
        for (int i = 0; i < AmazonConversions.MAX_ATTEMPTS; i++) {
            amazon.inject(new dev.unison.connectors.kit.simulator.Fault.Respond(new dev.unison.connectors.kit.simulator.SimResponse(
                    207, Map.of("Content-Type", "text/html"), "<html>gateway</html>".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        }
        conversions.offer(placed("u-1", PlacedIn.ONLINE, new Identifier(IdentifierType.EMAIL, "u1@example.com")));
        sendAll();
        assertThat(context.queue).as("not queued forever").isEmpty();
        assertThat(context.deadLetters).singleElement().satisfies(d -> {
            assertThat(d.key()).isEqualTo("u-1");
            assertThat(d.reason()).contains("unreadable answer").contains("after " + AmazonConversions.MAX_ATTEMPTS + " attempts");
        });
        assertThat(amazon.receivedOn("POST", "/events/v1")).hasSize(AmazonConversions.MAX_ATTEMPTS);
    }

    @Test
    void aWholeRequestRefusedIsHalvedNotDeadLetteredWithTheGoodSales() {
        conversions.tick(); // the token first, so the fault below meets the events API
        for (int i = 1; i <= 4; i++) {
            conversions.offer(placed("h-" + i, PlacedIn.ONLINE, new Identifier(IdentifierType.EMAIL, "h" + i + "@example.com")));
        }
        amazon.inject(dev.unison.connectors.kit.simulator.Fault.status(413, null)); // the request as a whole refused
        sendAll();
        assertThat(amazon.conversions()).containsOnlyKeys("h-1", "h-2", "h-3", "h-4");
        assertThat(context.deadLetters).isEmpty();
        List<Integer> sizes = amazon.receivedOn("POST", "/events/v1").stream()
                .map(r -> dev.unison.canonical.json.CanonicalJson.parse(r.bodyText()).get("eventData").size()).toList();
        assertThat(sizes).as("refused whole, then halves").startsWith(4, 2);
    }

    @Test
    void aRequestRefusedForOneEventAloneDeadLettersThatEventOnly() {
        conversions.tick();
        conversions.offer(placed("s-1", PlacedIn.ONLINE, new Identifier(IdentifierType.EMAIL, "s1@example.com")));
        amazon.inject(dev.unison.connectors.kit.simulator.Fault.status(422, null));
        sendAll();
        assertThat(context.deadLetters).singleElement().satisfies(d -> assertThat(d.reason()).contains("422"));
        assertThat(context.queue).isEmpty();
    }

    @Test
    void aRedeliveredOrderEventAfterItWasSentQueuesNothing() {
        CanonicalEvent event = placed("o-9", PlacedIn.ONLINE, new Identifier(IdentifierType.EMAIL, "a@example.com"));
        conversions.offer(event);
        sendAll();
        conversions.offer(event);
        assertThat(context.queue).isEmpty();
        sendAll();
        assertThat(amazon.eventRequests()).isEqualTo(1);
    }

    @Test
    void batchesHoldAtMostTheConfiguredNumberOfEvents() {
        for (int i = 1; i <= 10; i++) {
            conversions.offer(placed("b-" + i, PlacedIn.ONLINE, new Identifier(IdentifierType.EMAIL, "b" + i + "@example.com")));
        }
        sendAll();
        assertThat(amazon.conversions()).hasSize(10);
        assertThat(amazon.eventRequests()).isEqualTo(3); // 4 + 4 + 2
    }
}
