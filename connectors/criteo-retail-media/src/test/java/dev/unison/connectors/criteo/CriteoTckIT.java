package dev.unison.connectors.criteo;

import dev.unison.platform.testkit.ConnectorTck;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The Criteo connector against the connector TCK (configuration and credential checks; it only pulls). */
class CriteoTckIT extends ConnectorTck {

    @DynamicPropertySource
    static void tck(DynamicPropertyRegistry registry) {
        configure(registry, new CriteoTckAdapter());
    }
}
