package dev.unison.hub.bus;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.connectors.kit.spi.BusHeaders;
import dev.unison.hub.deadletter.DeadLetters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What happens to each message a {@code bus:} consumer receives, in one database transaction:
 * decode it; skip it if this group already processed its event id (Camel's
 * {@link JdbcMessageIdRepository}, unique on group + id, joining the transaction); run the route.
 * The route's own database writes join the same transaction, so "processed" and its effects
 * commit together. A message that cannot be decoded, or that the route fails on (after the
 * route's own retries), is dead-lettered with its reason and acknowledged: no poison loops, no loss.
 */
class BusDelivery implements Processor {

    private final BusTransport transport;
    private final String group;
    private final boolean idempotent;
    private final TransactionTemplate tx;
    private final DeadLetters deadLetters;
    private final Processor route;
    private final JdbcMessageIdRepository processed;
    private final Counter duplicates;
    private final Counter delivered;

    BusDelivery(BusTransport transport, String group, boolean idempotent, DataSource dataSource,
            TransactionTemplate tx, DeadLetters deadLetters, Processor route, MeterRegistry meters) {
        this.transport = transport;
        this.group = group;
        this.idempotent = idempotent;
        this.tx = tx;
        this.deadLetters = deadLetters;
        this.route = route;
        // Table created by Flyway (V1), not by Camel at start-up.
        this.processed = new JdbcMessageIdRepository(dataSource, tx, "bus:" + group);
        this.processed.setCreateTableIfNotExists(false);
        this.processed.start();
        // tags are bounded: one series per consumer group, groups come from route definitions
        this.duplicates = Counter.builder("unison.bus.duplicates").tag("group", group).register(meters);
        this.delivered = Counter.builder("unison.bus.delivered").tag("group", group).register(meters);
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        CanonicalEvent event;
        try {
            event = transport.decode(exchange);
        } catch (RuntimeException undecodable) {
            deadLetters.record(group, null, null, undecodable, exchange.getIn().getBody(String.class));
            return;
        }
        exchange.getIn().setBody(event);
        exchange.getIn().setHeader(BusHeaders.EVENT_ID, event.id());
        exchange.getIn().setHeader(BusHeaders.EVENT_TYPE, event.type().typeName());
        exchange.getIn().setHeader(BusHeaders.PARTITION_KEY, event.partitionKey());
        exchange.getIn().setHeader(BusHeaders.GROUP, group);

        Exception failure = tx.execute(status -> {
            if (idempotent && !processed.add(event.id())) {
                duplicates.increment();
                return null;
            }
            try {
                route.process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            Exception e = exchange.getException();
            if (e != null) {
                status.setRollbackOnly();
            } else {
                delivered.increment();
            }
            return e;
        });
        if (failure != null) {
            exchange.setException(null);
            // a separate transaction: the failed attempt's writes were rolled back
            tx.executeWithoutResult(status -> {
                if (idempotent) {
                    processed.add(event.id());
                }
                deadLetters.record(group, event.id(), event.type().typeName(), failure, event.toStructuredJson());
            });
        }
    }
}
