package dev.unison.demo;

import dev.unison.connectors.kit.simulator.SimulatorServer;
import dev.unison.connectors.sfcc.simulator.SfccSimulator;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import dev.unison.connectors.tiktok.simulator.TikTokShopSimulator;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The demo shops of the embedded default. Their credentials are public demo values, the same the
 * {@code shopify-demo}, {@code tiktok-demo} and {@code sfcc-demo} connections of config/connections.yaml
 * hold; a shop with webhooks sends them to that connection's door on the hub, a shop without
 * (SFCC: the hub pulls its orders) has no webhook path.
 */
public enum DemoShop {

    SHOPIFY("shopify", 8099, "shopify-demo", "/webhooks/shopify/shopify-demo",
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

    TIKTOK_SHOP("tiktok-shop", 8098, "tiktok-demo", "/webhooks/tiktok-shop/tiktok-demo",
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
    },

    /**
     * Salesforce B2C Commerce: the hub pulls its orders and customers and writes OCI availability, so
     * there is no webhook path; its demo store {@link #SFCC_DEMO_STORE} is the hub's STORE-7 (the
     * {@code storeLocations} of the sfcc-demo connection).
     */
    SFCC("sfcc", 8097, "sfcc-demo", null,
            "organization " + SfccSimulator.ORGANIZATION + ", tenant " + SfccSimulator.TENANT + ", site " + SfccSimulator.SITE
                    + ", client id " + SfccSimulator.CLIENT_ID + ", client secret " + SfccSimulator.CLIENT_SECRET
                    + ", token endpoint " + SfccSimulator.TOKEN_PATH) {
        @Override
        SimulatorServer create(int port, Clock clock) {
            return new SfccSimulator(port, clock);
        }

        @Override
        void sendWebhooksTo(SimulatorServer shop, String url) {
            // SFCC sends no webhooks: the hub pulls
        }

        @Override
        void seed(SimulatorServer shop) {
            SfccSimulator sfcc = (SfccSimulator) shop;
            // two shoppers of their own (not the README's Jane): one phone each, so the demo merges nobody
            sfcc.putCustomer("00001001", "alex.kim@example.com", "+1 617 555 0101");
            sfcc.putCustomer("00001002", "sam.lee@example.com", null);
            sfcc.addOrder("alex.kim@example.com", "+1 617 555 0101", "00001001", null,
                    List.of(new SfccSimulator.Line("DEMO-TEE-M", 2, "19.99")));
            sfcc.addOrder("sam.lee@example.com", "+1 617 555 0102", "00001002", SFCC_DEMO_STORE,
                    List.of(new SfccSimulator.Line("DEMO-MUG", 1, "12.50")));
        }
    };

    /** The SFCC demo site's store, which the sfcc-demo connection maps to the hub's STORE-7. */
    public static final String SFCC_DEMO_STORE = "store7";

    private final String system;
    private final int defaultPort;
    private final String connection;
    private final String webhookPath;
    private final String credentials;

    DemoShop(String system, int defaultPort, String connection, String webhookPath, String credentials) {
        this.system = system;
        this.defaultPort = defaultPort;
        this.connection = connection;
        this.webhookPath = webhookPath;
        this.credentials = credentials;
    }

    abstract SimulatorServer create(int port, Clock clock);

    /** Points the shop's webhooks at {@code url}; nothing for a shop without webhooks. */
    abstract void sendWebhooksTo(SimulatorServer shop, String url);

    /** Adds the shop's demo data (orders, customers) where the simulator has some; nothing by default. */
    void seed(SimulatorServer shop) {
    }

    /** The id of the connection of config/connections.yaml behind this shop. */
    public String connection() {
        return connection;
    }

    /** Whether the shop sends webhooks (to {@link #webhookPath()}). */
    public boolean hasWebhooks() {
        return webhookPath != null;
    }

    /** The system's name as connectors and settings spell it ({@code shopify}, {@code tiktok-shop}, {@code sfcc}). */
    public String system() {
        return system;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** Where on a hub this shop's webhooks go (its demo connection's door); null for a shop without webhooks. */
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
