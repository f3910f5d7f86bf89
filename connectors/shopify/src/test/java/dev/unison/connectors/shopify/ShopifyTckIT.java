package dev.unison.connectors.shopify;

import dev.unison.connectors.shopify.simulator.ShopifyTckAdapter;
import dev.unison.platform.testkit.ConnectorTck;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The Shopify connector against the connector TCK. */
class ShopifyTckIT extends ConnectorTck {

    @DynamicPropertySource
    static void tck(DynamicPropertyRegistry registry) {
        configure(registry, new ShopifyTckAdapter());
    }
}
