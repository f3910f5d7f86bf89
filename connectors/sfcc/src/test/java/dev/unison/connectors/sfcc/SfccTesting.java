package dev.unison.connectors.sfcc;

import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import dev.unison.connectors.sfcc.simulator.SfccSimulator;
import dev.unison.platform.testkit.MemoryConnectorContext;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** Connections against the simulator, read through the descriptor as the hub reads them. */
final class SfccTesting {

    static final String CONNECTION = "sfcc-test";
    static final ConnectorDescriptor DESCRIPTOR = new SfccConnector().descriptor();

    private SfccTesting() {
    }

    /** The settings of a connection to the simulator, extra ones (YAML lines, indented six spaces) added. */
    static MemoryConnectorContext context(String baseUrl, String... extra) {
        StringBuilder yaml = new StringBuilder("connections:\n  - id: " + CONNECTION + "\n    connector: sfcc\n    settings:\n");
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("apiBaseUrl", baseUrl);
        settings.put("tokenUrl", baseUrl + SfccSimulator.TOKEN_PATH);
        settings.put("organizationId", SfccSimulator.ORGANIZATION);
        settings.put("tenantId", SfccSimulator.TENANT);
        settings.put("siteId", SfccSimulator.SITE);
        settings.put("clientId", SfccSimulator.CLIENT_ID);
        settings.put("ociLocation", "WH-EAST");
        settings.forEach((k, v) -> yaml.append("      ").append(k).append(": '").append(v).append("'\n"));
        yaml.append("      clientSecret: ${SFCC_SECRET}\n");
        for (String line : extra) {
            yaml.append("      ").append(line).append('\n');
        }
        return new MemoryConnectorContext(DESCRIPTOR, yaml.toString(), Map.of("SFCC_SECRET", SfccSimulator.CLIENT_SECRET),
                Clock.systemUTC());
    }

    static Connection connection(MemoryConnectorContext context) {
        return context.connection(CONNECTION).orElseThrow();
    }
}
