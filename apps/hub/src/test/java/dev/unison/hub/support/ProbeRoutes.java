package dev.unison.hub.support;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.model.ChannelAvailability;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.builder.RouteBuilder;

/**
 * A test consumer on the bus, group {@code it-probe}: records every event it is given, and fails on
 * sku {@code POISON} so the dead-letter path can be observed.
 */
public class ProbeRoutes extends RouteBuilder {

    public static final String GROUP = "it-probe";
    public static final List<CanonicalEvent> RECEIVED = new CopyOnWriteArrayList<>();
    /** A second group that gathers each batch for 400 ms after its first event (batchWait). */
    public static final String GATHERING_GROUP = "it-probe-gathering";
    public static final List<CanonicalEvent> GATHERED = new CopyOnWriteArrayList<>();

    @Override
    public void configure() {
        from("bus:events?group=" + GROUP).routeId("it-probe")
                .process(exchange -> {
                    CanonicalEvent event = exchange.getIn().getBody(CanonicalEvent.class);
                    if (event.data().path("sku").asText().equals("POISON")) {
                        throw new IllegalStateException("poison sku rejected by the probe");
                    }
                    RECEIVED.add(event);
                });
        from("bus:events?group=" + GATHERING_GROUP + "&batchWait=400").routeId("it-probe-gathering")
                .process(exchange -> GATHERED.add(exchange.getIn().getBody(CanonicalEvent.class)));
    }

    public static List<ChannelAvailability> availabilityFor(String sku) {
        return RECEIVED.stream()
                .filter(e -> e.data().path("sku").asText().equals(sku))
                .map(e -> e.dataAs(ChannelAvailability.class))
                .toList();
    }
}
