package dev.unison.connectors.kit.spi;

import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.mapping.MappingLibrary;
import java.util.Optional;

/** What the hub lends a connector: its connections, the mappings and the inbox. */
public interface ConnectorContext {

    Optional<Connection> connection(String connectionId);

    MappingLibrary mappings();

    Inbox inbox();
}
