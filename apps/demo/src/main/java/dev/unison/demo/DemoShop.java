package dev.unison.demo;

import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import dev.unison.connectors.tiktok.simulator.TikTokShopSimulator;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;

/**
 * The demo shops of the embedded default. Their credentials are public demo values, the same the
 * {@code shopify-demo} and {@code tiktok-demo} connections of config/connections.yaml hold; each
 * shop sends its webhooks to that connection's door on the hub.
 */
public enum DemoShop {

    SHOPIFY("shopify", 8099, "/webhooks/shopify/shopify-demo",
            "shop demo-shop.myshopify.com, Admin API token shpat_demo_token, webhook secret demo-webhook-secret") {
        @Override
        SimulatorServer create(int port, Clock clock) {
            return new ShopifySimulator(port, "demo-shop.myshopify.com", "shpat_demo_token", "demo-webhook-secret", clock);
        }

        @Override
        void sendWebhooksTo(SimulatorServer shop, String url) {
            ((ShopifySimulator) shop).setWebhookTarget(url);
        }
    },

    TIKTOK_SHOP("tiktok-shop", 8098, "/webhooks/tiktok-shop/tiktok-demo",
            "app key demoappkey, app secret demo-app-secret, access token TTP_demo_access_token, refresh token "
                    + "TTP_demo_refresh_token, shop cipher GCP_demo_cipher") {
        @Override
        SimulatorServer create(int port, Clock clock) {
            return new TikTokShopSimulator(port, "demoappkey", "demo-app-secret", "TTP_demo_access_token", "TTP_demo_refresh_token",
                    "GCP_demo_cipher", clock);
        }

        @Override
        void sendWebhooksTo(SimulatorServer shop, String url) {
            ((TikTokShopSimulator) shop).setWebhookTarget(url);
        }
    };

    private final String system;
    private final int defaultPort;
    private final String webhookPath;
    private final String credentials;

    DemoShop(String system, int defaultPort, String webhookPath, String credentials) {
        this.system = system;
        this.defaultPort = defaultPort;
        this.webhookPath = webhookPath;
        this.credentials = credentials;
    }

    abstract SimulatorServer create(int port, Clock clock);

    abstract void sendWebhooksTo(SimulatorServer shop, String url);

    /** The system's name as connectors and settings spell it ({@code shopify}, {@code tiktok-shop}). */
    public String system() {
        return system;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** Where on a hub this shop's webhooks go (its demo connection's door). */
    public String webhookPath() {
        return webhookPath;
    }

    /** The public demo credentials, for the log line that tells a user what to configure. */
    public String credentials() {
        return credentials;
    }

    public static DemoShop of(String system) {
        return Arrays.stream(values()).filter(s -> s.system.equals(system.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no demo shop '" + system + "'; shops: "
                        + String.join(", ", Arrays.stream(values()).map(DemoShop::system).toList())));
    }
}
