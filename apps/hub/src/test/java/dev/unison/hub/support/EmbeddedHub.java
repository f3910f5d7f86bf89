package dev.unison.hub.support;

import dev.unison.hub.UnisonHubApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfiguration;

/**
 * Boots the whole hub on its embedded defaults (H2 file database, embedded persistent Artemis) in
 * a fresh data directory, with the probe consumer and a bootstrap key. Every test class carrying
 * this annotation shares one application context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(classes = UnisonHubApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"unison.bootstrap-api-key=" + EmbeddedHub.BOOTSTRAP_KEY,
                // SfccIT: per-location stock to OCI (sfcc-demo's ociLocations)
                "unison.fan-out.positions=true",
                // HttpEdgeIT: a body deadline a test can wait for, and one partner with a small rate
                "unison.api.edge.body-read-timeout=10s",
                "unison.api.rate-limit.partners." + EmbeddedHub.RATE_LIMITED_PARTNER + ".requests-per-second=2",
                "unison.api.rate-limit.partners." + EmbeddedHub.RATE_LIMITED_PARTNER + ".burst=3"})
@Import(ProbeRoutes.class)
@ContextConfiguration(initializers = EmbeddedHub.FreshDataDir.class)
public @interface EmbeddedHub {

    String BOOTSTRAP_KEY = "it-bootstrap-key-0123456789";
    /** A partner name with its own small rate limit (2 requests per second, burst 3). */
    String RATE_LIMITED_PARTNER = "rate-limited-it";

    /**
     * One temporary data directory per test JVM, and free ports for the demo simulators (Shopify,
     * TikTok Shop, SFCC), the demo connections pointed at them. The SFCC demo site starts without its
     * demo orders (tests add their own) and is polled every second.
     */
    class FreshDataDir implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        private static Path dir;
        private static int shopifyPort;
        private static int tiktokPort;
        private static int sfccPort;

        @Override
        public void initialize(ConfigurableApplicationContext context) {
            synchronized (FreshDataDir.class) {
                if (dir == null) {
                    try {
                        dir = Files.createTempDirectory("unison-it-");
                        try (java.net.ServerSocket socket = new java.net.ServerSocket(0);
                                java.net.ServerSocket other = new java.net.ServerSocket(0);
                                java.net.ServerSocket third = new java.net.ServerSocket(0)) {
                            shopifyPort = socket.getLocalPort();
                            tiktokPort = other.getLocalPort();
                            sfccPort = third.getLocalPort();
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("fresh-data-dir", Map.ofEntries(
                    Map.entry("unison.data-dir", dir.toString()),
                    // AttributionIT drops exposure logs here
                    Map.entry("unison.attribution.feeds.it-exposures.directory", dir.resolve("feeds/exposures").toString()),
                    Map.entry("unison.attribution.feeds.it-exposures.kind", "exposures"),
                    Map.entry("unison.simulators.shopify.port", shopifyPort),
                    Map.entry("SHOPIFY_DEMO_ADMIN_URL", "http://127.0.0.1:" + shopifyPort),
                    Map.entry("unison.simulators.tiktok-shop.port", tiktokPort),
                    Map.entry("TIKTOK_DEMO_API_URL", "http://127.0.0.1:" + tiktokPort),
                    Map.entry("TIKTOK_DEMO_UNKNOWN_SKU_GRACE", "2"),
                    Map.entry("unison.simulators.sfcc.port", sfccPort),
                    Map.entry("unison.simulators.sfcc.seed", false),
                    Map.entry("SFCC_DEMO_API_URL", "http://127.0.0.1:" + sfccPort),
                    Map.entry("SFCC_DEMO_POLL_INTERVAL", "PT1S"),
                    // tests do not wait five minutes for a sku that will never be known
                    Map.entry("SHOPIFY_DEMO_UNKNOWN_SKU_GRACE", "2"))));
        }
    }
}
