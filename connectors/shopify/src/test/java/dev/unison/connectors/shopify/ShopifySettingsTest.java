package dev.unison.connectors.shopify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShopifySettingsTest {

    @Test
    void defaultsComeFromTheDescriptorAndDerivedValuesFromOtherSettings() {
        ShopifySettings settings = ShopifySettings.of(ShopifyTestSupport.connection("http://127.0.0.1:1"));
        assertThat(settings.apiVersion()).isEqualTo("2025-10");
        assertThat(settings.channel()).isEqualTo("shopify");
        assertThat(settings.inventoryBatchSize()).isEqualTo(250);
        assertThat(settings.unknownSkuGrace()).isEqualTo(Duration.ofSeconds(300));
        assertThat(settings.currency()).isEqualTo("USD");
        assertThat(settings.locationId()).isEmpty();
        assertThat(settings.locationGid()).isEmpty();
        assertThat(settings.posLocations()).isEmpty();
        assertThat(settings.graphqlUrl()).isEqualTo("http://127.0.0.1:1/admin/api/2025-10/graphql.json");
    }

    @Test
    void setValuesAreTyped() {
        ShopifySettings settings = ShopifySettings.of(ShopifyTestSupport.connection("http://127.0.0.1:1", """
                      locationId: "42"
                      inventoryBatchSize: "100"
                      posLocations:
                        "7": STORE-7
                """));
        assertThat(settings.locationGid()).contains("gid://shopify/Location/42");
        assertThat(settings.inventoryBatchSize()).isEqualTo(100);
        assertThat(settings.posLocations()).isEqualTo(Map.of("7", "STORE-7"));
    }

    @Test
    void withoutAnAdminBaseUrlTheShopsOwnDomainIsCalled() {
        String yaml = """
                connections:
                  - id: shop-main
                    connector: shopify
                    settings:
                      shopDomain: demo-shop.myshopify.com
                      accessToken: ${TOKEN}
                      webhookSecret: ${SECRET}
                """;
        var connection = new dev.unison.connectors.kit.config.ConnectionsLoader(
                Map.of("shopify", new ShopifyConnector().descriptor()), Map.of("TOKEN", "t", "SECRET", "s")::get)
                .load(new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)), "test").get(0);
        assertThat(ShopifySettings.of(connection).graphqlUrl())
                .isEqualTo("https://demo-shop.myshopify.com/admin/api/2025-10/graphql.json");
    }

    @Test
    void theNaiveModeOfEarlierReleasesIsRefusedByNameAndTheOnlyModeStillLoads() {
        assertThat(ShopifyTestSupport.connection("http://127.0.0.1:1", """
                      inventoryMode: coalesced
                """).id()).isEqualTo("shop-main");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ShopifyTestSupport.connection("http://127.0.0.1:1", """
                      inventoryMode: per-event
                """)).isInstanceOf(dev.unison.connectors.kit.config.ConfigurationException.class)
                .hasMessageContaining("inventoryMode");
    }
}
