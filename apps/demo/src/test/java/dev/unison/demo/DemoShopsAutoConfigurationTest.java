package dev.unison.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.connectors.sfcc.simulator.SfccSimulator;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import dev.unison.connectors.tiktok.simulator.TikTokShopSimulator;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class DemoShopsAutoConfigurationTest {

    private final ApplicationContextRunner hub = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DemoShopsAutoConfiguration.class));

    @Test
    void noShopRunsUnlessSwitchedOn() {
        hub.run(context -> assertThat(context.getBeansOfType(SimulatorServer.class)).isEmpty());
    }

    @Test
    void aSwitchedOnShopServesItsRealApiOnItsPortAndStopsWithTheHub() throws Exception {
        int port = freePort();
        hub.withPropertyValues("unison.simulators.shopify.enabled=true", "unison.simulators.shopify.port=" + port).run(context -> {
            assertThat(context.getBean(ShopifySimulator.class).port()).isEqualTo(port);
            assertThat(context.getBeansOfType(TikTokShopSimulator.class)).isEmpty();
            // the demo token of config/connections.yaml's shopify-demo connection opens the Admin API; another does not
            assertThat(get(port, "shpat_demo_token")).isEqualTo(200);
            assertThat(get(port, "shpat_wrong")).isEqualTo(401);
        });
        try (ServerSocket again = new ServerSocket(port)) {
            assertThat(again.getLocalPort()).as("the shop's port is free once the hub stopped").isEqualTo(port);
        }
    }

    @Test
    void theSfccDemoSiteHasNoWebhooksStartsSeededUnlessToldNotToAndAnswersItsDemoClient() throws Exception {
        int port = freePort();
        hub.withPropertyValues("unison.simulators.sfcc.enabled=true", "unison.simulators.sfcc.port=" + port).run(context -> {
            SfccSimulator sfcc = context.getBean(SfccSimulator.class);
            assertThat(sfcc.port()).isEqualTo(port);
            assertThat(DemoShop.SFCC.hasWebhooks()).isFalse();
            assertThat(sfcc.order("00001002").path("shipments").get(0).path("c_fromStoreId").asText())
                    .as("a store-pickup demo order at the demo store").isEqualTo(DemoShop.SFCC_DEMO_STORE);
            // the demo client of config/connections.yaml's sfcc-demo connection gets a token; another secret does not
            assertThat(token(port, SfccSimulator.CLIENT_SECRET)).isEqualTo(200);
            assertThat(token(port, "wrong")).isEqualTo(401);
        });
        int other = freePort();
        hub.withPropertyValues("unison.simulators.sfcc.enabled=true", "unison.simulators.sfcc.port=" + other,
                "unison.simulators.sfcc.seed=false").run(context -> assertThat(context.getBean(SfccSimulator.class).addOrders(1))
                        .as("unseeded: the first order added is the simulator's first").containsExactly("00001001"));
        assertThatThrownBy(() -> DemoShopCommand.run(List.of("sfcc", "--webhook-target", "http://localhost:8080/x")))
                .hasMessageContaining("sends no webhooks");
    }

    private static int token(int port, String secret) throws Exception {
        String basic = java.util.Base64.getEncoder().encodeToString((SfccSimulator.CLIENT_ID + ":" + secret).getBytes());
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + SfccSimulator.TOKEN_PATH))
                .header("Authorization", "Basic " + basic).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=SALESFORCE_COMMERCE_API%3A"
                        + SfccSimulator.TENANT)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void theCommandNamesWhatIsWrongWithItsArguments() {
        assertThatThrownBy(() -> DemoShopCommand.run(List.of())).hasMessageContaining("which shop");
        assertThatThrownBy(() -> DemoShopCommand.run(List.of("amazon"))).hasMessageContaining("shopify, tiktok-shop, sfcc");
        assertThatThrownBy(() -> DemoShopCommand.run(List.of("shopify", "--port", "0"))).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> DemoShopCommand.run(List.of("shopify", "--colour", "red"))).hasMessageContaining("unknown option");
        assertThatThrownBy(() -> DemoShopCommand.run(List.of("shopify", "--port"))).hasMessageContaining("needs a value");
    }

    private static int get(int port, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/api/2025-01/shop.json"))
                .header("X-Shopify-Access-Token", token).GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
