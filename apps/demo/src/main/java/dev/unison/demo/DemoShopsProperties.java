package dev.unison.demo;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code unison.simulators.*}: which demo shops the hub starts beside itself (docs/configuration.md).
 * Both are off unless switched on; the embedded default's application.yaml switches them on, the
 * production profile off.
 */
@ConfigurationProperties(prefix = "unison.simulators")
public record DemoShopsProperties(Shop shopify, Shop tiktokShop) {

    public DemoShopsProperties {
        shopify = shopify == null ? new Shop(false, null) : shopify;
        tiktokShop = tiktokShop == null ? new Shop(false, null) : tiktokShop;
    }

    /** @param port null for the shop's default port */
    public record Shop(boolean enabled, Integer port) {
        int portOr(int defaultPort) {
            return port == null ? defaultPort : port;
        }
    }
}
