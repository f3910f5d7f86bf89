package dev.unison.demo;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code unison.simulators.*}: which demo shops the hub starts beside itself (docs/configuration.md).
 * Each is off unless switched on; the embedded default's application.yaml switches them on, the
 * production profile off.
 */
@ConfigurationProperties(prefix = "unison.simulators")
public record DemoShopsProperties(Shop shopify, Shop tiktokShop, Shop sfcc) {

    public DemoShopsProperties {
        shopify = shopify == null ? new Shop(false, null, null) : shopify;
        tiktokShop = tiktokShop == null ? new Shop(false, null, null) : tiktokShop;
        sfcc = sfcc == null ? new Shop(false, null, null) : sfcc;
    }

    /**
     * @param port null for the shop's default port
     * @param seed whether the shop starts with its demo data (orders, customers) where it has some; null: yes
     */
    public record Shop(boolean enabled, Integer port, Boolean seed) {
        int portOr(int defaultPort) {
            return port == null ? defaultPort : port;
        }

        boolean seeded() {
            return seed == null || seed;
        }
    }
}
