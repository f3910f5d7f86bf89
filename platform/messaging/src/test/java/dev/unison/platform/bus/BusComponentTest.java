package dev.unison.platform.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** What the bus component makes of a deployment's per-group settings. */
class BusComponentTest {

    @Test
    void aBatchWaitForAGroupNoRouteConsumesAsIsReported() throws Exception {
        BusComponent bus = new BusComponent(null, null, null, null, null, null,
                Map.of("inventory", 50L, "inventroy", 50L, "availability-fan-out", 50L));
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addComponent("bus", bus);
            camel.getEndpoint("bus:events?group=inventory&batchWait=0");
            camel.getEndpoint("bus:events?group=availability-fan-out");
            camel.getEndpoint("bus:events"); // a producer endpoint names no group

            assertThat(bus.batchWaitsForNoGroup(camel.getEndpoints())).containsExactly("inventroy");
        }
    }
}
