package dev.unison.platform.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.config.ConnectionsLoader;
import dev.unison.connectors.kit.spi.Connector;
import dev.unison.connectors.shopify.ShopifyConnector;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Shopify's posLocations must name declared hub locations, or the hub does not start. */
class LocationReferencesTest {

    private final ShopifyConnector shopify = new ShopifyConnector();

    private List<Connection> load(String posLocations) {
        String yaml = """
                connections:
                  - id: shop-main
                    connector: shopify
                    settings:
                      shopDomain: demo-shop.myshopify.com
                      accessToken: ${TOKEN}
                      webhookSecret: ${SECRET}
                      posLocations:
                """ + posLocations;
        return new ConnectionsLoader(Map.of("shopify", shopify.descriptor()), Map.of("TOKEN", "t", "SECRET", "s")::get)
                .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test");
    }

    @Test
    void aStoreMappingToAnUndeclaredLocationIsNamedWithItsSetting() {
        List<Connection> connections = load("""
                        '64213017': STORE-7
                        '64213018': STORE-99
                """);
        Map<String, Connector> connectors = Map.of("shopify", shopify);

        assertThat(LocationReferences.problems(connections, connectors, Set.of("STORE-7", "WH-1")::contains))
                .containsExactly("connections.shop-main.posLocations.64213018: 'STORE-99' is not a declared location "
                        + "(unison.inventory.locations)");
        assertThat(LocationReferences.problems(connections, connectors, Set.of("STORE-7", "STORE-99")::contains)).isEmpty();
    }
}
