package dev.unison.hub.connectors.tck;

import dev.unison.connectors.tiktok.simulator.TikTokShopTckAdapter;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The TikTok Shop connector against the connector TCK, unmodified. */
class TikTokShopTckIT extends ConnectorTck {

    @DynamicPropertySource
    static void tck(DynamicPropertyRegistry registry) {
        configure(registry, new TikTokShopTckAdapter());
    }
}
