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
    void setValuesAreTypedAndTheAdminUrlDefaultsToTheShop() {
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
}
