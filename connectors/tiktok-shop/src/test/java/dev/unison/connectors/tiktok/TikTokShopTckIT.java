package dev.unison.connectors.tiktok;

import dev.unison.connectors.tiktok.simulator.TikTokShopTckAdapter;
import dev.unison.platform.testkit.ConnectorTck;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The TikTok Shop connector against the connector TCK, unmodified. */
class TikTokShopTckIT extends ConnectorTck {

    @DynamicPropertySource
    static void tck(DynamicPropertyRegistry registry) {
        configure(registry, new TikTokShopTckAdapter());
    }
}
