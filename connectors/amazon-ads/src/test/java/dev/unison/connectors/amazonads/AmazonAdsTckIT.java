package dev.unison.connectors.amazonads;

import dev.unison.connectors.amazonads.simulator.AmazonAdsTckAdapter;
import dev.unison.platform.testkit.ConnectorTck;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The Amazon Ads connector against the connector TCK, unmodified: configuration, credentials, conversions out. */
class AmazonAdsTckIT extends ConnectorTck {

    @DynamicPropertySource
    static void tck(DynamicPropertyRegistry registry) {
        configure(registry, new AmazonAdsTckAdapter());
    }
}
