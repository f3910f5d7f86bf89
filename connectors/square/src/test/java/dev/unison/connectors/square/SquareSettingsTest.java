package dev.unison.connectors.square;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.unison.connectors.kit.config.ConfigurationException;
import dev.unison.connectors.square.simulator.SquareSimulator;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SquareSettingsTest {

    @Test
    void defaultsComeFromTheDescriptorAndLocationsAreTyped() {
        SquareSettings settings = SquareSettings.of(SquareTestSupport.connection("http://127.0.0.1:1"));
        assertThat(settings.merchantId()).isEqualTo(SquareTestSupport.MERCHANT);
        assertThat(settings.notificationUrl()).isEqualTo(SquareTestSupport.NOTIFICATION_URL);
        assertThat(settings.squareVersion()).isEqualTo("2025-10-16");
        assertThat(settings.channel()).isEqualTo("square");
        assertThat(settings.referenceIdAs()).isEmpty();
        assertThat(settings.locations()).isEqualTo(Map.of(SquareSimulator.STORE_LOCATION_ID, "STORE-1"));
        assertThat(settings.hubLocation(SquareSimulator.WAREHOUSE_LOCATION_ID)).isEmpty();
    }

    @Test
    void locationsFromAPlaceholderComeAsTextAndMeanTheSame() {
        String yaml = SquareTestSupport.yaml("http://127.0.0.1:1", "").replace(
                "      locations:\n        " + SquareSimulator.STORE_LOCATION_ID + ": STORE-1\n", "      locations: ${LOCATIONS}\n");
        var env = new java.util.HashMap<>(SquareTestSupport.ENV);
        env.put("LOCATIONS", SquareSimulator.STORE_LOCATION_ID + "=STORE-1," + SquareSimulator.WAREHOUSE_LOCATION_ID + "=WH-1");
        var connection = new dev.unison.connectors.kit.config.ConnectionsLoader(
                Map.of("square", new SquareConnector().descriptor()), env::get)
                .load(new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)), "test").get(0);
        assertThat(SquareSettings.of(connection).locations()).isEqualTo(Map.of(SquareSimulator.STORE_LOCATION_ID, "STORE-1",
                SquareSimulator.WAREHOUSE_LOCATION_ID, "WH-1"));
    }

    @Test
    void withoutAnApiBaseUrlSquaresProductionIsCalled() {
        String yaml = SquareTestSupport.yaml("x", "").replace("      apiBaseUrl: x\n", "");
        var connection = new dev.unison.connectors.kit.config.ConnectionsLoader(
                Map.of("square", new SquareConnector().descriptor()), SquareTestSupport.ENV::get)
                .load(new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)), "test").get(0);
        assertThat(SquareSettings.of(connection).apiBaseUrl()).isEqualTo("https://connect.squareup.com");
    }

    @Test
    void eachBrokenSettingIsRefusedNamingItsField() {
        String good = SquareTestSupport.yaml("http://127.0.0.1:1", "");
        Map<String, String> broken = Map.of(
                "notificationUrl", good.replace(SquareTestSupport.NOTIFICATION_URL, "http://hooks.example-retail.com/square"),
                "merchantId", good.replace(SquareTestSupport.MERCHANT, "not a merchant"),
                "signatureKey", good.replace("      signatureKey: ${KEY}\n", ""),
                "locations", good.replace("      locations:\n        " + SquareSimulator.STORE_LOCATION_ID + ": STORE-1\n",
                        "      locations: {}\n"),
                "squareVersion", good + "      squareVersion: '2025-13'\n",
                "referenceIdAs", good + "      referenceIdAs: email\n");
        broken.forEach((field, yaml) -> assertThatThrownBy(() -> new dev.unison.connectors.kit.config.ConnectionsLoader(
                Map.of("square", new SquareConnector().descriptor()), SquareTestSupport.ENV::get)
                .load(new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)), "test"))
                .as(field)
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("connections." + SquareTestSupport.CONNECTION + "." + field))));
    }

    @Test
    void theConnectorNamesEachMappedHubLocationForTheStartUpCheck() {
        assertThat(new SquareConnector().locationReferences(SquareTestSupport.connection("http://127.0.0.1:1")))
                .isEqualTo(Map.of("locations." + SquareSimulator.STORE_LOCATION_ID, "STORE-1"));
    }
}
