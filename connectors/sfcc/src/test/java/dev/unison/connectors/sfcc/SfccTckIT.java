package dev.unison.connectors.sfcc;

import dev.unison.connectors.sfcc.simulator.SfccTckAdapter;
import dev.unison.platform.testkit.ConnectorTck;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The SFCC connector against the connector TCK, unmodified: configuration, credentials, availability out to OCI. */
class SfccTckIT extends ConnectorTck {

    @DynamicPropertySource
    static void tck(DynamicPropertyRegistry registry) {
        configure(registry, new SfccTckAdapter());
    }
}
