package dev.unison.demo;

import dev.unison.connectors.kit.simulator.SimulatorServer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;

/**
 * Starts the demo shops switched on under {@code unison.simulators.*} with the hub, and points
 * their webhooks at the hub once its port is known. Lives outside the hub's code: the hub only
 * has this module on its runtime classpath, so no production class can come to depend on a
 * simulator.
 */
@AutoConfiguration
@EnableConfigurationProperties(DemoShopsProperties.class)
public class DemoShopsAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(DemoShopsAutoConfiguration.class);

    /** The demo shops that are switched on, started. */
    @Bean(destroyMethod = "close")
    RunningDemoShops runningDemoShops(DemoShopsProperties properties) {
        RunningDemoShops running = new RunningDemoShops();
        start(running, DemoShop.SHOPIFY, properties.shopify(), "unison.simulators.shopify.enabled");
        start(running, DemoShop.TIKTOK_SHOP, properties.tiktokShop(), "unison.simulators.tiktok-shop.enabled");
        return running;
    }

    private static void start(RunningDemoShops running, DemoShop shop, DemoShopsProperties.Shop settings, String switchName) {
        if (!settings.enabled()) {
            return;
        }
        int port = settings.portOr(shop.defaultPort());
        SimulatorServer server = shop.create(port, Clock.systemUTC());
        server.start();
        running.add(shop, server);
        LOG.info("demo {} shop (simulator) at http://localhost:{}, behind connection {}; {}=false turns it off", shop.system(),
                port, shop.webhookPath().substring(shop.webhookPath().lastIndexOf('/') + 1), switchName);
    }

    /** Points the running shops' webhooks at this hub once its port is known. */
    @Bean
    ApplicationListener<ApplicationReadyEvent> demoShopWebhookTargets(RunningDemoShops running) {
        return ready -> {
            var environment = ready.getApplicationContext().getEnvironment();
            String hub = "http://127.0.0.1:" + environment.getProperty("local.server.port",
                    environment.getProperty("server.port", "8080"));
            running.pointWebhooksAt(hub);
        };
    }

    /** The started demo shops, closed with the application. */
    public static final class RunningDemoShops implements AutoCloseable {
        private final List<DemoShop> shops = new ArrayList<>();
        private final List<SimulatorServer> servers = new ArrayList<>();

        void add(DemoShop shop, SimulatorServer server) {
            shops.add(shop);
            servers.add(server);
        }

        void pointWebhooksAt(String hub) {
            for (int i = 0; i < shops.size(); i++) {
                shops.get(i).sendWebhooksTo(servers.get(i), hub + shops.get(i).webhookPath());
            }
        }

        /** The running shop of a system, if it was started. */
        public java.util.Optional<SimulatorServer> server(DemoShop shop) {
            int i = shops.indexOf(shop);
            return i < 0 ? java.util.Optional.empty() : java.util.Optional.of(servers.get(i));
        }

        @Override
        public void close() {
            servers.forEach(SimulatorServer::close);
        }
    }
}
