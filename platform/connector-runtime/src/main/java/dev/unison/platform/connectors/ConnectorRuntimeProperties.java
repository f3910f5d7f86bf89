package dev.unison.platform.connectors;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The connector runtime's settings under {@code unison.*} (docs/configuration.md): where the
 * connections file and the declarative mappings are, and the data directory (the credentials key
 * file of the embedded default lives there).
 */
@ConfigurationProperties(prefix = "unison")
public record ConnectorRuntimeProperties(String dataDir, String mappingsLocation, String connectionsLocation) {

    public ConnectorRuntimeProperties {
        dataDir = dataDir == null ? "./data" : dataDir;
        mappingsLocation = mappingsLocation == null ? "classpath:mappings" : mappingsLocation;
        connectionsLocation = connectionsLocation == null ? "classpath:config/connections.yaml" : connectionsLocation;
    }
}
