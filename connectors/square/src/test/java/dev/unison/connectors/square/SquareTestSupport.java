package dev.unison.connectors.square;

import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.config.ConnectionsLoader;
import dev.unison.connectors.square.simulator.SquareSimulator;
import dev.unison.platform.testkit.MemoryConnectorContext;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;

final class SquareTestSupport {

    static final String MERCHANT = "MLEFBHHSJGVHD";
    static final String TOKEN = "EAAAl-test-access-token";
    static final String KEY = "Ibxx_5AKakO-3qeNVR61Dw";
    /** The subscription's URL: public, behind a proxy; the hub itself listens elsewhere. */
    static final String NOTIFICATION_URL = "https://hooks.example-retail.com/webhooks/square/pos-main";
    static final String CONNECTION = "pos-main";
    static final Map<String, String> ENV = Map.of("TOKEN", TOKEN, "KEY", KEY);

    private SquareTestSupport() {
    }

    /** The connections file of one Square connection against {@code apiBaseUrl}, store location mapped to STORE-1. */
    static String yaml(String apiBaseUrl, String extraSettings) {
        return """
                connections:
                  - id: %s
                    connector: square
                    settings:
                      merchantId: %s
                      accessToken: ${TOKEN}
                      signatureKey: ${KEY}
                      notificationUrl: %s
                      apiBaseUrl: %s
                      locations:
                        %s: STORE-1
                """.formatted(CONNECTION, MERCHANT, NOTIFICATION_URL, apiBaseUrl, SquareSimulator.STORE_LOCATION_ID) + extraSettings;
    }

    static Connection connection(String apiBaseUrl, String extraSettings) {
        return new ConnectionsLoader(Map.of("square", new SquareConnector().descriptor()), ENV::get)
                .load(new ByteArrayInputStream(yaml(apiBaseUrl, extraSettings).getBytes(StandardCharsets.UTF_8)), "test").get(0);
    }

    static Connection connection(String apiBaseUrl) {
        return connection(apiBaseUrl, "");
    }

    static MemoryConnectorContext context(String apiBaseUrl, String extraSettings) {
        return new MemoryConnectorContext(new SquareConnector().descriptor(), yaml(apiBaseUrl, extraSettings), ENV, Clock.systemUTC());
    }

    static SquareSimulator simulator() {
        SquareSimulator square = new SquareSimulator(0, MERCHANT, TOKEN, KEY, NOTIFICATION_URL, Clock.systemUTC());
        square.start();
        return square;
    }
}
