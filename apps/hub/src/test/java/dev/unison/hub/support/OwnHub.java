package dev.unison.hub.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The properties of a hub a test class starts for itself because its settings differ from the
 * shared test hub's ({@link EmbeddedHub}): its own data directory and its own free ports for the
 * demo simulators, with the demo connections pointed at them.
 */
public final class OwnHub {

    private OwnHub() {
    }

    /** For a {@code @DynamicPropertySource} method; {@code name} goes into the data directory's name. */
    public static void register(DynamicPropertyRegistry registry, String name) throws IOException {
        String dir = Files.createTempDirectory("unison-" + name + "-").toString();
        registry.add("unison.data-dir", () -> dir);
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0); ServerSocket c = new ServerSocket(0)) {
            int shopify = a.getLocalPort();
            int tiktok = b.getLocalPort();
            int sfcc = c.getLocalPort();
            registry.add("unison.simulators.shopify.port", () -> shopify);
            registry.add("SHOPIFY_DEMO_ADMIN_URL", () -> "http://127.0.0.1:" + shopify);
            registry.add("unison.simulators.tiktok-shop.port", () -> tiktok);
            registry.add("TIKTOK_DEMO_API_URL", () -> "http://127.0.0.1:" + tiktok);
            registry.add("unison.simulators.sfcc.port", () -> sfcc);
            registry.add("unison.simulators.sfcc.seed", () -> false);
            registry.add("SFCC_DEMO_API_URL", () -> "http://127.0.0.1:" + sfcc);
        }
    }
}
