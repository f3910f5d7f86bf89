package dev.unison.demo;

import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.connectors.sfcc.simulator.SfccSimulator;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import dev.unison.connectors.tiktok.simulator.TikTokShopSimulator;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;

/**
 * Starts the demo shops switched on under {@code unison.simulators.*} with the hub (each a bean of
 * its simulator's type, stopped with the application), and points their webhooks at the hub once
 * its port is known (the SFCC demo site has no webhooks: the hub pulls from it). Lives outside the hub's code: the hub only has this module on its runtime
 * classpath, so no production class can come to depend on a simulator.
 */
@AutoConfiguration
@EnableConfigurationProperties(DemoShopsProperties.class)
public class DemoShopsAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(DemoShopsAutoConfiguration.class);

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "unison.simulators.shopify.enabled", havingValue = "true")
    ShopifySimulator shopifyDemoShop(DemoShopsProperties properties) {
        return (ShopifySimulator) start(DemoShop.SHOPIFY, properties.shopify(), "unison.simulators.shopify.enabled");
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "unison.simulators.tiktok-shop.enabled", havingValue = "true")
    TikTokShopSimulator tiktokShopDemoShop(DemoShopsProperties properties) {
        return (TikTokShopSimulator) start(DemoShop.TIKTOK_SHOP, properties.tiktokShop(), "unison.simulators.tiktok-shop.enabled");
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "unison.simulators.sfcc.enabled", havingValue = "true")
    SfccSimulator sfccDemoShop(DemoShopsProperties properties) {
        return (SfccSimulator) start(DemoShop.SFCC, properties.sfcc(), "unison.simulators.sfcc.enabled");
    }

    private static SimulatorServer start(DemoShop shop, DemoShopsProperties.Shop settings, String switchName) {
        int port = settings.portOr(shop.defaultPort());
        SimulatorServer server = shop.create(port, Clock.systemUTC());
        server.start();
        if (settings.seeded()) {
            shop.seed(server);
        }
        LOG.info("demo {} shop (simulator) at http://localhost:{}, behind connection {}{}; {}=false turns it off", shop.system(),
                port, shop.connection(), shop.hasWebhooks() ? "" : " (no webhooks: the hub pulls)", switchName);
        return server;
    }

    /** Points the running shops' webhooks at this hub once its port is known. */
    @Bean
    ApplicationListener<ApplicationReadyEvent> demoShopWebhookTargets(ObjectProvider<ShopifySimulator> shopify,
            ObjectProvider<TikTokShopSimulator> tiktok) {
        return ready -> {
            var environment = ready.getApplicationContext().getEnvironment();
            String hub = "http://127.0.0.1:" + environment.getProperty("local.server.port",
                    environment.getProperty("server.port", "8080"));
            shopify.ifAvailable(s -> DemoShop.SHOPIFY.sendWebhooksTo(s, hub + DemoShop.SHOPIFY.webhookPath()));
            tiktok.ifAvailable(s -> DemoShop.TIKTOK_SHOP.sendWebhooksTo(s, hub + DemoShop.TIKTOK_SHOP.webhookPath()));
        };
    }
}
