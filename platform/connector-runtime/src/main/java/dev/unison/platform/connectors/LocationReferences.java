package dev.unison.platform.connectors;

import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.spi.Connector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Start-up check that every hub location a connection's settings name (e.g. Shopify's
 * {@code posLocations}) is declared in {@code unison.inventory.locations}: the inventory ledger
 * takes an order naming an undeclared location by the online rule, which is exactly the mistake a
 * store mapping exists to prevent.
 */
public final class LocationReferences {

    private LocationReferences() {
    }

    /** One problem per undeclared location, naming the setting: {@code connections.<id>.<path>: ...}. */
    public static List<String> problems(Collection<Connection> connections, Map<String, Connector> connectors,
            Predicate<String> declared) {
        List<String> problems = new ArrayList<>();
        for (Connection connection : connections) {
            Connector connector = connectors.get(connection.connector().name());
            if (connector == null) {
                continue;
            }
            connector.locationReferences(connection).forEach((path, location) -> {
                if (!declared.test(location)) {
                    problems.add("connections." + connection.id() + "." + path + ": '" + location
                            + "' is not a declared location (unison.inventory.locations)");
                }
            });
        }
        return problems;
    }
}
