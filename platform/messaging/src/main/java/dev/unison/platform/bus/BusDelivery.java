package dev.unison.platform.bus;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.connectors.kit.spi.BusHeaders;
import dev.unison.platform.deadletter.DeadLetters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
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

    /** Exchange property: the record could not be decoded and was dead-lettered (a write). */
    private static final String DEAD_LETTERED = "unison.bus.deadLettered";

    private final BusTransport transport;
    private final String group;
    private final boolean idempotent;
    private final java.util.Set<String> types;
    private final TransactionTemplate tx;
    private final DeadLetters deadLetters;
    private final Processor route;
    private final JdbcMessageIdRepository processed;
    private final org.springframework.jdbc.core.JdbcTemplate jdbc;
    private final Counter duplicates;
    private final Counter delivered;
    /** Database transactions the group ran for its deliveries: with {@code delivered}, its batch size. */
    private final Counter transactions;

    BusDelivery(BusTransport transport, String group, boolean idempotent, java.util.Set<String> types, DataSource dataSource,
            TransactionTemplate tx, DeadLetters deadLetters, Processor route, MeterRegistry meters) {
        this.transport = transport;
        this.group = group;
        this.idempotent = idempotent;
        this.types = types;
        this.tx = tx;
        this.deadLetters = deadLetters;
        this.route = route;
        // Table created by Flyway (V1), not by Camel at start-up.
        this.processed = new JdbcMessageIdRepository(dataSource, tx, "bus:" + group);
        this.processed.setCreateTableIfNotExists(false);
        this.processed.start();
        this.jdbc = new org.springframework.jdbc.core.JdbcTemplate(dataSource);
        // tags are bounded: one series per consumer group, groups come from route definitions
        this.duplicates = Counter.builder("unison.bus.duplicates").tag("group", group).register(meters);
        this.delivered = Counter.builder("unison.bus.delivered").tag("group", group).register(meters);
        this.transactions = Counter.builder("unison.bus.transactions").tag("group", group)
                .description("database transactions a consumer group ran for its deliveries (a batch, or one event replayed alone)")
                .register(meters);
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        CanonicalEvent event = decoded(exchange);
        if (event != null) {
            processOne(exchange, event);
        }
    }

    /**
     * Handles a batch in one database transaction (one commit, one idempotent-repository
     * transaction for all). When any event of it fails, the whole transaction is rolled back and
     * the batch is handled again one event at a time, so only the failing event is dead-lettered.
     *
     * @return false when nothing of the batch was for this group (other types only): nothing was
     *     written, so receiving these records again would change nothing either
     */
    boolean processBatch(List<Exchange> batch) {
        List<Exchange> exchanges = new ArrayList<>();
        List<CanonicalEvent> events = new ArrayList<>();
        boolean deadLettered = false;
        for (Exchange exchange : batch) {
            CanonicalEvent event = decoded(exchange);
            if (event != null) {
                exchanges.add(exchange);
                events.add(event);
            } else if (exchange.getProperty(DEAD_LETTERED) != null) {
                deadLettered = true;
            }
        }
        if (exchanges.isEmpty()) {
            return deadLettered;
        }
        List<CanonicalEvent> together = List.copyOf(events);
        exchanges.forEach(exchange -> exchange.setProperty(BusHeaders.BATCH, together));
        int[] counts = new int[2];
        transactions.increment();
        Boolean allDone = tx.execute(status -> {
            counts[0] = 0;
            counts[1] = 0;
            int[] firstTime = idempotent ? recordProcessed(events) : null;
            for (int i = 0; i < exchanges.size(); i++) {
                Exchange exchange = exchanges.get(i);
                if (idempotent && firstTime[i] == 0) {
                    counts[1]++;
                    continue;
                }
                try {
                    route.process(exchange);
                } catch (Exception e) {
                    exchange.setException(e);
                }
                if (exchange.getException() != null) {
                    status.setRollbackOnly();
                    return false;
                }
                counts[0]++;
            }
            return true;
        });
        if (Boolean.TRUE.equals(allDone)) {
            delivered.increment(counts[0]);
            duplicates.increment(counts[1]);
            return true;
        }
        for (int i = 0; i < exchanges.size(); i++) {
            exchanges.get(i).setException(null);
            exchanges.get(i).setProperty(BusHeaders.BATCH, List.of(events.get(i)));
            processOne(exchanges.get(i), events.get(i));
        }
        return true;
    }

    /**
     * Records a batch's event ids as processed by this group with one batched insert, in the
     * batch's transaction; per event 1 when new, 0 when the group processed it before (or it came
     * twice in this batch). The same table and keys as the repository's one-by-one {@code add}
     * (a count query and an insert per event, which cost the fan-out group ~17% of its CPU).
     */
    private int[] recordProcessed(List<CanonicalEvent> events) {
        java.sql.Timestamp now = new java.sql.Timestamp(System.currentTimeMillis());
        int[] inserted = jdbc.batchUpdate("INSERT INTO CAMEL_MESSAGEPROCESSED (processorName, messageId, createdAt) "
                        + "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                events.stream().map(e -> new Object[] {"bus:" + group, e.id(), now}).toList());
        for (int count : inserted) {
            if (count != 0 && count != 1) {
                // e.g. PostgreSQL's reWriteBatchedInserts: without per-row counts duplicates cannot be told apart
                throw new IllegalStateException("the JDBC driver reported update count " + count
                        + " for a processed-id insert; it must report per-row counts (no batch rewriting)");
            }
        }
        return inserted;
    }

    /** Decodes the event into the exchange (body and headers); dead-letters what cannot be decoded. */
    private CanonicalEvent decoded(Exchange exchange) {
        if (!types.isEmpty()) {
            String type = transport.peekType(exchange);
            if (type != null && !types.contains(type)) {
                return null; // not for this group, known without parsing it
            }
        }
        CanonicalEvent event;
        try {
            event = transport.decode(exchange);
        } catch (RuntimeException undecodable) {
            deadLetters.record(group, null, null, undecodable, exchange.getIn().getBody(String.class));
            exchange.setProperty(DEAD_LETTERED, true);
            return null;
        }
        if (!types.isEmpty() && !types.contains(event.type().typeName())) {
            return null; // not for this group: acknowledged with the batch, nothing recorded
        }
        exchange.getIn().setBody(event);
        exchange.getIn().setHeader(BusHeaders.EVENT_ID, event.id());
        exchange.getIn().setHeader(BusHeaders.EVENT_TYPE, event.type().typeName());
        exchange.getIn().setHeader(BusHeaders.PARTITION_KEY, event.partitionKey());
        exchange.getIn().setHeader(BusHeaders.GROUP, group);
        return event;
    }

    private void processOne(Exchange exchange, CanonicalEvent event) {
        if (exchange.getProperty(BusHeaders.BATCH) == null) {
            exchange.setProperty(BusHeaders.BATCH, List.of(event));
        }
        transactions.increment();
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

    /** A batch consumer's backoff before it tries again; an interrupt (stopping) ends it early. */
    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
