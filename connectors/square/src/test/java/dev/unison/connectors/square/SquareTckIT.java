package dev.unison.connectors.square;

import dev.unison.connectors.square.simulator.SquareTckAdapter;
import dev.unison.platform.testkit.ConnectorTck;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The Square connector against the connector TCK. Every Square order is placed at a store, so the
 * connection maps the simulator's store to a hub location, and the TCK's hub declares that location
 * in its stock network (it refuses to start on a connection naming an undeclared one).
 */
class SquareTckIT extends ConnectorTck {

    @DynamicPropertySource
    static void tck(DynamicPropertyRegistry registry) {
        configure(registry, new SquareTckAdapter());
        registry.add("unison.inventory.locations[0].id", () -> SquareTckAdapter.HUB_LOCATION);
        registry.add("unison.inventory.locations[0].type", () -> "store");
        registry.add("unison.inventory.locations[0].name", () -> "TCK store");
        registry.add("unison.inventory.locations[0].channels[0]", () -> "square");
    }
}
