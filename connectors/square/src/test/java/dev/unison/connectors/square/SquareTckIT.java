package dev.unison.connectors.square;

import static org.assertj.core.api.Assertions.assertThat;

import com.squareup.square.utilities.WebhooksHelper;
import dev.unison.connectors.square.simulator.SquareTckAdapter;
import dev.unison.platform.testkit.ConnectorTck;
import dev.unison.platform.testkit.HttpApi;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The Square connector against the connector TCK. Every Square order is placed at a store, so the
 * connection maps the simulator's store to a hub location, and the TCK's hub declares that location
 * in its stock network (it refuses to start on a connection naming an undeclared one).
 */
class SquareTckIT extends ConnectorTck {

    @DynamicPropertySource
    static void tck(DynamicPropertyRegistry registry) {
        configure(registry, new SquareTckAdapter());
        registry.add("unison.inventory.locations[0].id", () -> SquareTckAdapter.HUB_LOCATION);
        registry.add("unison.inventory.locations[0].type", () -> "store");
        registry.add("unison.inventory.locations[0].name", () -> "TCK store");
        registry.add("unison.inventory.locations[0].channels[0]", () -> "square");
    }

    @LocalServerPort
    int hubPort;

    /**
     * The hub itself, over HTTP: a notification whose signature Square's own SDK verifies for the
     * subscription's URL is accepted; one signed for another URL (the hub's local address, which a
     * proxy in front of it hides), which the SDK refuses too, is refused with nothing stored.
     */
    @Test
    void aNotificationSquaresSdkVerifiesIsAcceptedByTheHubAndOneSignedForAnotherUrlIsRefused() {
        String body = "{\"merchant_id\":\"" + SquareTckAdapter.MERCHANT + "\",\"type\":\"customer.created\","
                + "\"event_id\":\"0b1d6f8e-7f7c-4f43-9b7e-5c0f1e9a2d11\",\"created_at\":\"2026-12-06T06:00:00.123Z\","
                + "\"data\":{\"type\":\"customer\",\"id\":\"C-SDK-1\",\"object\":{\"customer\":{\"id\":\"C-SDK-1\","
                + "\"email_address\":\"sdk.check@example.com\",\"given_name\":\"Sdk\"}}}}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpApi hub = new HttpApi(hubPort);

        String signed = SquareSignature.sign(SquareTckAdapter.KEY, SquareTckAdapter.NOTIFICATION_URL, bytes);
        assertThat(WebhooksHelper.verifySignature(body, signed, SquareTckAdapter.KEY, SquareTckAdapter.NOTIFICATION_URL))
                .as("Square's SDK verifies it").isTrue();
        HttpApi.Reply accepted = hub.post("/webhooks/square/tck-good", null, "application/json", body,
                Map.of("x-square-hmacsha256-signature", signed));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);

        String local = "http://127.0.0.1:" + hubPort + "/webhooks/square/tck-good";
        String wrongUrl = SquareSignature.sign(SquareTckAdapter.KEY, local, bytes);
        assertThat(WebhooksHelper.verifySignature(body, wrongUrl, SquareTckAdapter.KEY, SquareTckAdapter.NOTIFICATION_URL))
                .as("Square's SDK refuses it for the subscription's URL").isFalse();
        HttpApi.Reply refused = hub.post("/webhooks/square/tck-good", null, "application/json",
                body.replace("0b1d6f8e", "1c2e7a9f"), Map.of("x-square-hmacsha256-signature",
                        SquareSignature.sign(SquareTckAdapter.KEY, local, body.replace("0b1d6f8e", "1c2e7a9f")
                                .getBytes(StandardCharsets.UTF_8))));
        assertThat(refused.status()).as(refused.body()).isEqualTo(401);
    }
}
