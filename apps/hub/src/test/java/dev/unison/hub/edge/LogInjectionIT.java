package dev.unison.hub.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.log.LogSafe;
import dev.unison.connectors.shopify.ShopifyHeaders;
import dev.unison.connectors.shopify.simulator.ShopifySimulator;
import dev.unison.connectors.shopify.simulator.ShopifySimulator.Delivery;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.hub.support.RawHttp;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Issue 15 finding 9: values from a webhook reach the log escaped. A signed Shopify delivery that
 * cannot be mapped is dead-lettered and logged with its event id (a header) and reason; the header
 * carries a right-to-left override (UTF-8, which the server reads as Latin-1: a C1 control among
 * them) and a C1 "next line", the body NUL + RLO + newline. HTTP itself forbids NUL and newlines in
 * header values (RFC 9110 section 5.5); the server refuses those with a JSON 400 (ContainerErrorIT).
 */
@EmbeddedHub
class LogInjectionIT {

    @LocalServerPort
    int port;
    @Autowired
    ShopifySimulator shopify;

    final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void capture() {
        captured.start();
        root.addAppender(captured);
    }

    @AfterEach
    void release() {
        root.detachAppender(captured);
    }

    @Test
    void controlAndBidiCharactersFromAWebhookAreEscapedInTheLog() throws Exception {
        String run = Long.toString(System.nanoTime());
        ObjectNode broken = CanonicalJson.mapper().createObjectNode();
        // no line_items: the mapping fails and the delivery is dead-lettered (and logged)
        broken.put("id", 77).put("created_at", "2025-10-01T12:00:00Z").put("currency", "USD")
                .put("name", "#1\u0000\u202E\nFAKE " + run).put("email", "x\u202E@example.com");
        Delivery delivery = shopify.webhook("orders/create", broken);
        byte[] hostileId = concat(("ev-" + run + "-").getBytes(StandardCharsets.US_ASCII),
                "\u202E".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0x85, (byte) 0x9B}, "-end".getBytes(StandardCharsets.US_ASCII));

        RawHttp.Response answer = RawHttp.exchange(null, port, request(delivery, hostileId));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(lines())
                .anySatisfy(line -> assertThat(line).contains("dead-lettered").contains("ev-" + run)));
        List<String> mine = lines().stream().filter(line -> line.contains(run)).toList();
        assertThat(mine).isNotEmpty().allSatisfy(line -> {
            for (char c : line.toCharArray()) {
                assertThat(LogSafe.isUnsafe(c)).as("raw U+%04X in %s", (int) c, line).isFalse();
            }
        });
        // the header's bytes as the server read them (Latin-1): E2 80 AE 85 9B -> "â\u0080®\u0085\u009B"
        assertThat(mine).anySatisfy(line -> assertThat(line).contains("ev-" + run + "-â\\u0080®\\u0085\\u009B-end"));
    }

    @Test
    void anOrderIdWithControlCharactersIsEscapedInTheEventLogRoute() {
        Logger eventLog = (Logger) LoggerFactory.getLogger("unison.event-log");
        ch.qos.logback.classic.Level before = eventLog.getLevel();
        eventLog.setLevel(ch.qos.logback.classic.Level.DEBUG);
        try {
            String run = Long.toString(System.nanoTime());
            ObjectNode order = shopify.newOrder("log-" + run + "@example.com", "USD",
                    new ShopifySimulator.Line("LOG-SKU-" + run, 1, "10.00"));
            order.put("id", run + "\u0000\u202E\nFAKE");
            assertThat(shopify.send("http://127.0.0.1:" + port + "/webhooks/shopify/shopify-demo",
                    shopify.webhook("orders/create", order))).isEqualTo(200);

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(lines())
                    .anySatisfy(line -> assertThat(line).startsWith("commerce.order.placed.v1")
                            .contains("key=shopify-demo:" + run + "\\u0000\\u202E\\u000AFAKE")));
            assertThat(lines().stream().filter(line -> line.contains(run))).allSatisfy(line -> {
                for (char c : line.toCharArray()) {
                    assertThat(LogSafe.isUnsafe(c)).as("raw U+%04X in %s", (int) c, line).isFalse();
                }
            });
        } finally {
            eventLog.setLevel(before);
        }
    }

    private List<String> lines() {
        synchronized (captured.list) {
            return captured.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    private byte[] request(Delivery delivery, byte[] eventId) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(("POST /webhooks/shopify/shopify-demo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + delivery.body().length + "\r\nConnection: close\r\n").getBytes(StandardCharsets.US_ASCII));
        for (Map.Entry<String, String> h : delivery.headers().entrySet()) {
            out.write((h.getKey() + ": ").getBytes(StandardCharsets.US_ASCII));
            out.write(h.getKey().equalsIgnoreCase(ShopifyHeaders.EVENT_ID) ? eventId : h.getValue().getBytes(StandardCharsets.US_ASCII));
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.write(delivery.body());
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
