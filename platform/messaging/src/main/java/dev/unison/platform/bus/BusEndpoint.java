package dev.unison.platform.bus;

import dev.unison.canonical.event.CanonicalEvent;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.Category;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;

/**
 * {@code bus:<topic>[?group=<consumer group>&idempotent=true&types=...&batchWait=0]}; see {@link BusComponent}.
 * Options carry Camel's endpoint metadata ({@code @UriParam}); an unknown option fails when the
 * route starts, with its name (Camel's own check of options no setter took).
 */
@UriEndpoint(scheme = "bus", title = "Unison bus", syntax = "bus:topic", category = {Category.MESSAGING},
        firstVersion = "0.1.0")
public class BusEndpoint extends DefaultEndpoint {

    private static final Pattern GROUP = Pattern.compile("[a-z][a-z0-9-]{0,99}");
    /** The longest a group may gather a batch for, in the route or in {@code unison.bus.batch-wait.<group>}. */
    public static final long MAX_BATCH_WAIT_MILLIS = 5_000;

    @UriPath(description = "The bus topic (events)")
    @Metadata(required = true)
    private final String topic;
    @UriParam(label = "consumer", description = "The consumer group: each group receives every event once. Required to consume.")
    private String group;
    @UriParam(label = "consumer", defaultValue = "true",
            description = "Skip events this group already processed (by event id, in the same transaction)")
    private boolean idempotent = true;
    @UriParam(label = "consumer", description = "Comma-separated canonical event types that reach the route; default every type")
    private java.util.Set<String> types = java.util.Set.of();
    @UriParam(label = "consumer", defaultValue = "0",
            description = "Milliseconds a group waits after a batch's first event for more to join it (Artemis and Kafka; 0..5000;"
                    + " unison.bus.batch-wait.<group> overrides it)")
    private long batchWait;

    BusEndpoint(String uri, BusComponent component, String topic) {
        super(uri, component);
        this.topic = topic;
    }

    @Override
    public BusComponent getComponent() {
        return (BusComponent) super.getComponent();
    }

    public String getGroup() {
        return group;
    }

    /** The consumer group: each group receives every event once. Required to consume. */
    public void setGroup(String group) {
        this.group = group;
    }

    public boolean isIdempotent() {
        return idempotent;
    }

    /** Skip events this group already processed (by event id, in the JDBC idempotent repository). Default true. */
    public void setIdempotent(boolean idempotent) {
        this.idempotent = idempotent;
    }

    public long getBatchWait() {
        return batchWait;
    }

    /**
     * Milliseconds a consumer group waits, after the first event of a batch, for more to join it
     * (up to 500 events; Artemis and Kafka alike). Default 0: a batch is whatever is waiting. A
     * group off the latency-critical path (order store, identity, an event log) sets it so that
     * under load it commits a few large transactions per second instead of one per relay batch:
     * every commit costs the embedded database a write of all its changed pages, and with several
     * instances every instance's relay would otherwise start batches of its own. A deployment's
     * {@code unison.bus.batch-wait.<group>} replaces it when the consumer starts.
     */
    public void setBatchWait(long batchWait) {
        if (batchWait < 0 || batchWait > MAX_BATCH_WAIT_MILLIS) {
            throw new IllegalArgumentException("batchWait must be 0..5000 ms, got " + batchWait);
        }
        this.batchWait = batchWait;
    }

    public String getTypes() {
        return String.join(",", types);
    }

    /**
     * Only these canonical event types (comma-separated names, e.g.
     * {@code commerce.order.placed.v1,commerce.order.updated.v1}) reach the route; the others are
     * acknowledged without running it or recording them. Default: every type.
     */
    public void setTypes(String types) {
        java.util.Set<String> parsed = new java.util.LinkedHashSet<>();
        for (String type : types.split(",")) {
            String name = type.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (dev.unison.canonical.event.EventType.byTypeName(name).isEmpty()) {
                throw new IllegalArgumentException("bus:" + topic + " types: '" + name + "' is not a canonical event type");
            }
            parsed.add(name);
        }
        // sorted: the broker-side filter built from these must read the same after every restart
        this.types = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(parsed));
    }

    @Override
    public Producer createProducer() {
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) {
                getComponent().outbox.append(topic, events(exchange.getIn().getBody()));
            }
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (group == null || !GROUP.matcher(group).matches()) {
            throw new IllegalArgumentException("bus:" + topic + " needs ?group=<consumer group> matching "
                    + GROUP.pattern() + " to consume, got '" + group + "'");
        }
        BusComponent c = getComponent();
        Long configured = c.batchWaitByGroup.get(group);
        if (configured != null) {
            setBatchWait(configured); // the deployment's setting for this group wins over the route's
        }
        var delivery = new BusDelivery(c.transport, group, idempotent, types, c.dataSource, c.tx, c.deadLetters, processor,
                c.meters);
        org.apache.camel.Consumer batching = c.transport.batchConsumer(this, topic, group, types, delivery);
        if (batching != null) {
            return batching;
        }
        return getCamelContext().getEndpoint(c.transport.consumerUri(topic, group)).createConsumer(delivery);
    }

    @SuppressWarnings("unchecked")
    private static List<CanonicalEvent> events(Object body) {
        if (body instanceof CanonicalEvent event) {
            return List.of(event);
        }
        if (body instanceof Collection<?> many && many.stream().allMatch(CanonicalEvent.class::isInstance)) {
            return List.copyOf((Collection<CanonicalEvent>) many);
        }
        throw new IllegalArgumentException("bus: the body must be a CanonicalEvent or a collection of them, got "
                + (body == null ? "null" : body.getClass().getName()));
    }
}
