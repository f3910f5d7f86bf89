package dev.unison.platform.bus;

import dev.unison.platform.deadletter.DeadLetters;
import dev.unison.platform.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@code bus:} Camel component: the one way routes publish and consume canonical events,
 * whichever broker is configured.
 *
 * <pre>
 * to("bus:events")                       // append the body (a CanonicalEvent) to the outbox
 * from("bus:events?group=shopify-fanout")  // every event once per group, per-key order kept
 * </pre>
 */
public class BusComponent extends DefaultComponent {

    final BusTransport transport;
    final Outbox outbox;
    final DeadLetters deadLetters;
    final DataSource dataSource;
    final TransactionTemplate tx;
    final MeterRegistry meters;
    /** Per consumer group, milliseconds to gather a batch, overriding the route's {@code batchWait}. */
    final Map<String, Long> batchWaitByGroup;

    /** @param batchWaitByGroup group name to milliseconds; a group named here ignores its route's {@code batchWait} */
    public BusComponent(BusTransport transport, Outbox outbox, DeadLetters deadLetters, DataSource dataSource,
            TransactionTemplate tx, MeterRegistry meters, Map<String, Long> batchWaitByGroup) {
        this.batchWaitByGroup = Map.copyOf(batchWaitByGroup);
        this.transport = transport;
        this.outbox = outbox;
        this.deadLetters = deadLetters;
        this.dataSource = dataSource;
        this.tx = tx;
        this.meters = meters;
    }

    /**
     * The groups named in {@code unison.bus.batch-wait} that none of these endpoints consumes as: a
     * typo, or a route the deployment removed. Such a setting changes nothing, which the hub says
     * at start rather than leave unnoticed.
     */
    public java.util.Set<String> batchWaitsForNoGroup(java.util.Collection<Endpoint> endpoints) {
        java.util.Set<String> consumed = new java.util.HashSet<>();
        for (Endpoint endpoint : endpoints) {
            if (endpoint instanceof BusEndpoint bus && bus.getGroup() != null) {
                consumed.add(bus.getGroup());
            }
        }
        java.util.Set<String> unknown = new java.util.TreeSet<>(batchWaitByGroup.keySet());
        unknown.removeAll(consumed);
        return unknown;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        BusEndpoint endpoint = new BusEndpoint(uri, this, Outbox.requireTopic(remaining));
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
