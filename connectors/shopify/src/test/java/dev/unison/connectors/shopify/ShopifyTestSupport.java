package dev.unison.connectors.shopify;

import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.config.ConnectionsLoader;
import dev.unison.connectors.kit.mapping.MappingLibrary;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

final class ShopifyTestSupport {

    static final String SHOP = "demo-shop.myshopify.com";
    static final String TOKEN = "shpat_test_token";
    static final String SECRET = "test-webhook-secret";

    private ShopifyTestSupport() {
    }

    static Connection connection(String adminBaseUrl) {
        return connection(adminBaseUrl, "");
    }

    /** @param extraSettings more YAML lines under {@code settings:}, indented by 6 spaces */
    static Connection connection(String adminBaseUrl, String extraSettings) {
        ShopifyConnector connector = new ShopifyConnector();
        String yaml = """
                connections:
                  - id: shop-main
                    connector: shopify
                    settings:
                      shopDomain: %s
                      accessToken: ${TOKEN}
                      webhookSecret: ${SECRET}
                      adminBaseUrl: %s
                """.formatted(SHOP, adminBaseUrl) + extraSettings;
        return new ConnectionsLoader(Map.of("shopify", connector.descriptor()), Map.of("TOKEN", TOKEN, "SECRET", SECRET)::get)
                .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test").get(0);
    }

    /** The real mapping files of mappings/shopify (packaged with the connector by the build). */
    static MappingLibrary mappings() {
        Map<String, String> sources = new LinkedHashMap<>();
        for (String name : new String[] {"order", "refund", "product", "cart", "customer"}) {
            try (InputStream in = ShopifyTestSupport.class.getResourceAsStream("/mappings/shopify/" + name + ".jsonata")) {
                sources.put("shopify/" + name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return MappingLibrary.compile(sources);
    }
}
