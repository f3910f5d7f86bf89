package dev.unison.hub.connectors.tck;

import dev.unison.connectors.shopify.simulator.ShopifyTckAdapter;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The Shopify connector against the connector TCK. */
class ShopifyTckIT extends ConnectorTck {

    @DynamicPropertySource
    static void tck(DynamicPropertyRegistry registry) {
        configure(registry, new ShopifyTckAdapter());
    }
}
