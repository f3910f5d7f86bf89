package dev.unison.connectors.tiktok;

import dev.unison.platform.testkit.MemoryConnectorContext;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.ChannelAvailability;
import dev.unison.connectors.kit.http.ConnectionCircuitBreakers;
import dev.unison.connectors.tiktok.simulator.TikTokShopSimulator;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import dev.unison.connectors.kit.simulator.ManualClock;
import org.junit.jupiter.api.Test;

/**
 * The client and the inventory sync against the simulator: token refresh, revocation and
 * deauthorization, and per-sku errors inside a successful answer.
 */
class TikTokShopClientTest {

    /** Queue time: advanced by hand past the linger instead of sleeping. */
    final ManualClock queueClock = new ManualClock(Instant.parse("2026-11-26T10:00:00Z"));
    TikTokShopSimulator tiktok;
    MemoryConnectorContext context;
    TikTokShopClient client;

    @BeforeEach
    void start() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        tiktok = new TikTokShopSimulator(port, "app", "secret", "TTP_token", "TTP_refresh", "CIPHER", Clock.systemUTC());
        tiktok.start();
        context = new MemoryConnectorContext(new TikTokShopConnector().descriptor(), """
                connections:
                  - id: tt
                    connector: tiktok-shop
                    settings:
                      appKey: app
                      appSecret: ${SECRET}
                      accessToken: ${TOKEN}
                      refreshToken: ${REFRESH}
                      shopCipher: CIPHER
                      warehouseId: '%s'
                      apiBaseUrl: %s
                      authBaseUrl: %s
                      unknownSkuGraceSeconds: '0'
                """.formatted(TikTokShopSimulator.DEFAULT_WAREHOUSE_ID, tiktok.baseUrl(), tiktok.baseUrl()),
                Map.of("SECRET", "secret", "TOKEN", "TTP_token", "REFRESH", "TTP_refresh"), queueClock);
        client = new TikTokShopClient(context.connections.get(0), HttpClient.newHttpClient(),
                ConnectionCircuitBreakers.defaults().forConnection("tt"), context, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        tiktok.close();
    }

    @Test
    void anExpiredTokenIsRefreshedOnceAndTheCallRepeated() {
        tiktok.expireAccessToken();

        var outcome = client.get("check", "/authorization/202309/shops", null);

        assertThat(outcome).isInstanceOf(TikTokShopClient.Outcome.Answered.class);
        assertThat(tiktok.receivedOn("GET", "/api/v2/token/refresh")).hasSize(1);
        assertThat(context.statuses.get("tt").ok()).isTrue();
        assertThat(client.ready()).isTrue();
    }

    @Test
    void aRevokedAuthorizationStopsTheConnectionAndSaysWhy() {
        tiktok.revokeAuthorization();

        var outcome = client.get("check", "/authorization/202309/shops", null);

        assertThat(outcome).isInstanceOf(TikTokShopClient.Outcome.Later.class);
        assertThat(client.ready()).isFalse();
        assertThat(context.statuses.get("tt").ok()).isFalse();
        assertThat(context.statuses.get("tt").detail()).contains("unauthorized").contains("refresh refused");
        int calls = tiktok.received().size();
        assertThat(client.get("again", "/authorization/202309/shops", null)).isInstanceOf(TikTokShopClient.Outcome.Later.class);
        assertThat(tiktok.received()).as("nothing more is sent").hasSize(calls);
    }

    @Test
    void aDeauthorizedSellerGetsNothingMore() {
        client.deauthorize("the seller deauthorized the app (webhook type 6)");

        assertThat(client.get("check", "/authorization/202309/shops", null)).isInstanceOf(TikTokShopClient.Outcome.Later.class);
        assertThat(tiktok.received()).isEmpty();
        assertThat(context.statuses.get("tt").detail()).contains("deauthorized");
    }

    private TikTokShopClient restarted() {
        return new TikTokShopClient(context.connections.get(0), HttpClient.newHttpClient(),
                ConnectionCircuitBreakers.defaults().forConnection("tt"), context, Clock.systemUTC());
    }

    @Test
    void aDeauthorizationOutlivesTheClient() {
        client.deauthorize("the seller deauthorized the app (webhook type 6)");

        TikTokShopClient next = restarted();

        assertThat(next.ready()).isFalse();
        assertThat(next.unauthorizedReason()).get().asString().contains("deauthorized the app").contains("since");
        assertThat(next.get("check", "/authorization/202309/shops", null)).isInstanceOf(TikTokShopClient.Outcome.Later.class);
        assertThat(tiktok.received()).isEmpty();
    }

    @Test
    void aDeauthorizationStoredByAnotherInstanceStopsTheNextCall() {
        assertThat(client.get("check", "/authorization/202309/shops", null)).isInstanceOf(TikTokShopClient.Outcome.Answered.class);
        int calls = tiktok.received().size();

        context.credentials.deauthorize("tt", "the seller deauthorized the app (webhook type 6)");

        assertThat(client.get("again", "/authorization/202309/shops", null)).isInstanceOf(TikTokShopClient.Outcome.Later.class);
        assertThat(tiktok.received()).hasSize(calls);
        assertThat(context.statuses.get("tt").ok()).isFalse();
    }

    @Test
    void rotatedTokensAreKeptAndUsedAfterARestart() {
        tiktok.rotateRefreshTokens(true);
        tiktok.expireAccessToken();
        assertThat(client.get("check", "/authorization/202309/shops", null)).isInstanceOf(TikTokShopClient.Outcome.Answered.class);
        assertThat(context.credentials.get("tt", TikTokShopClient.ACCESS_TOKEN)).contains(tiktok.currentAccessToken());
        assertThat(context.credentials.get("tt", TikTokShopClient.REFRESH_TOKEN)).contains(tiktok.currentRefreshToken());
        tiktok.clearReceived();

        TikTokShopClient next = restarted();

        assertThat(next.get("check", "/authorization/202309/shops", null)).isInstanceOf(TikTokShopClient.Outcome.Answered.class);
        assertThat(tiktok.receivedOn("GET", "/api/v2/token/refresh")).isEmpty();
        assertThat(tiktok.received()).singleElement()
                .satisfies(call -> assertThat(call.header("x-tts-access-token")).isEqualTo(tiktok.currentAccessToken()));
    }

    @Test
    void newlyConfiguredTokensLiftTheDeauthorization() {
        client.deauthorize("the seller deauthorized the app (webhook type 6)");
        tiktok.reauthorize("TTP_new", "TTP_new_refresh");
        var reconfigured = new MemoryConnectorContext(new TikTokShopConnector().descriptor(), """
                connections:
                  - id: tt
                    connector: tiktok-shop
                    settings:
                      appKey: app
                      appSecret: ${SECRET}
                      accessToken: ${TOKEN}
                      refreshToken: ${REFRESH}
                      shopCipher: CIPHER
                      warehouseId: '%s'
                      apiBaseUrl: %s
                      authBaseUrl: %s
                """.formatted(TikTokShopSimulator.DEFAULT_WAREHOUSE_ID, tiktok.baseUrl(), tiktok.baseUrl()),
                Map.of("SECRET", "secret", "TOKEN", "TTP_new", "REFRESH", "TTP_new_refresh"), queueClock)
                .connections.get(0);

        // the same store (the hub's database), the connection configured with the new authorization's tokens
        TikTokShopClient next = new TikTokShopClient(reconfigured, HttpClient.newHttpClient(),
                ConnectionCircuitBreakers.defaults().forConnection("tt"), context, Clock.systemUTC());

        assertThat(next.ready()).isTrue();
        assertThat(next.get("check", "/authorization/202309/shops", null)).isInstanceOf(TikTokShopClient.Outcome.Answered.class);
        assertThat(context.credentials.deauthorization("tt")).isEmpty();
    }

    private static CanonicalEvent available(String sku, long quantity) {
        return CanonicalEvent.of(EventType.AVAILABILITY_CHANGED, URI.create("/test"),
                new ChannelAvailability(sku, "tiktok-shop", quantity, Instant.now()));
    }

    @Test
    void perSkuErrorsInsideCodeZeroAreNeverCountedAsSetAndEndInTheDeadLetters() {
        ObjectNode product = tiktok.newProduct("Shoes", "GOOD-1", "GOOD-2");
        String productId = product.get("id").asText();
        context.refs().put("tt", TikTokInboundMapper.SKU, "GOOD-1", productId + " " + product.get("skus").get(0).get("id").asText());
        // a sku id the shop does not have under this product: TikTok answers code 0 with data.errors[]
        context.refs().put("tt", TikTokInboundMapper.SKU, "STALE-9", productId + " 123456789");
        TikTokInventorySync sync = new TikTokInventorySync(context.connections.get(0), context, client, queueClock);
        sync.offer(available("GOOD-1", 7));
        sync.offer(available("STALE-9", 4));
        queueClock.advance(TikTokInventorySync.LINGER.plusMillis(1));

        for (int i = 0; i < TikTokInventorySync.MAX_ATTEMPTS; i++) {
            sync.tick();
        }

        assertThat(tiktok.available("GOOD-1", TikTokShopSimulator.DEFAULT_WAREHOUSE_ID)).isEqualTo(7);
        assertThat(context.queue).as("everything settled").isEmpty();
        assertThat(context.deadLetters).singleElement().satisfies(d -> {
            assertThat(d.key()).isEqualTo("STALE-9");
            assertThat(d.reason()).contains("code " + TikTokShopSimulator.BATCH_UPDATE_INVENTORY_ERROR)
                    .contains(String.valueOf(TikTokShopSimulator.SKU_OR_WAREHOUSE_ERROR)).contains("after 3 attempts");
        });
        assertThat(context.counters.get("inventory_quantity/set")).as("only the good sku counted as set").isEqualTo(1);
        assertThat(tiktok.inventoryCalls()).isEqualTo(3);
    }

    @Test
    void anUnknownSellerSkuIsDeadLetteredAfterItsGrace() {
        TikTokInventorySync sync = new TikTokInventorySync(context.connections.get(0), context, client, queueClock);
        sync.offer(available("NEVER-SEEN", 1));
        queueClock.advance(TikTokInventorySync.LINGER.plusMillis(1));

        sync.tick();

        assertThat(context.deadLetters).singleElement().satisfies(d ->
                assertThat(d.reason()).contains("no TikTok Shop product/sku id is known for seller sku NEVER-SEEN"));
        assertThat(tiktok.inventoryCalls()).isZero();
    }
}
