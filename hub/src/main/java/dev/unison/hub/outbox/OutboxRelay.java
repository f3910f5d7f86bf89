package dev.unison.hub.outbox;

import dev.unison.hub.bus.BusTransport;
import dev.unison.hub.worker.BackgroundWorker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Moves committed outbox rows to the bus in batches, in {@code seq} order.
 *
 * <p>Each batch is published and marked in one database transaction that first locks the
 * {@code outbox-relay} row of {@code job_lock}: only one relay of all hub instances publishes at a
 * time, so per-key order holds. A batch is sent as one broker transaction (Artemis) or one flushed
 * producer batch (Kafka); a persistent synchronous send per event would cap the hub near 290
 * events/s (measured on embedded Artemis here). If the hub dies after publishing but before marking, the batch is
 * published again, and bus consumers drop the copies by event id (idempotent repository).
 */
public class OutboxRelay extends BackgroundWorker {

    public record Settings(int batchSize, Duration pollInterval, Duration maxBackoff, Duration retention) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final BusTransport transport;
    private final Settings settings;
    private final Clock clock;
    private final Counter published;
    private final Counter failures;
    private final Timer lag;
    private Instant nextRetentionSweep = Instant.MIN;

    public OutboxRelay(JdbcTemplate jdbc, TransactionTemplate tx, BusTransport transport, Settings settings, Clock clock,
            MeterRegistry meters) {
        super("outbox-relay", settings.pollInterval(), settings.maxBackoff());
        this.jdbc = jdbc;
        this.tx = tx;
        this.transport = transport;
        this.settings = settings;
        this.clock = clock;
        this.published = Counter.builder("unison.outbox.published").description("events relayed to the bus")
                .register(meters);
        this.failures = Counter.builder("unison.outbox.relay.failures").description("relay batches that failed")
                .register(meters);
        this.lag = Timer.builder("unison.outbox.relay.lag").description("time from outbox append to bus publish")
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    /** Publishes and marks one batch; returns how many events it published. */
    public int relayOnce() {
        if (jdbc.queryForList("SELECT seq FROM outbox_event WHERE published_at IS NULL LIMIT 1", Long.class).isEmpty()) {
            // nothing to publish: a plain read, so an empty round does not take the job lock (a write and a commit)
            return 0;
        }
        Integer count = tx.execute(status -> {
            jdbc.queryForList("SELECT name FROM job_lock WHERE name = 'outbox-relay' FOR UPDATE");
            List<OutboxRecord> batch = jdbc.query(
                    "SELECT * FROM outbox_event WHERE published_at IS NULL ORDER BY seq LIMIT ?", Outbox.ROW,
                    settings.batchSize());
            if (batch.isEmpty()) {
                return 0;
            }
            transport.publish(batch);
            Instant now = clock.instant();
            // one statement per row, batched: marking by IN lists was tried on PostgreSQL and cost more
            // (the relay's unpublished-rows read then walked far more dead index entries, 1 ms -> 55 ms)
            jdbc.batchUpdate("UPDATE outbox_event SET published_at = ? WHERE seq = ?", batch, batch.size(),
                    (ps, r) -> {
                        ps.setObject(1, Outbox.utc(now));
                        ps.setLong(2, r.seq());
                    });
            batch.forEach(r -> lag.record(Duration.between(r.createdAt(), now)));
            return batch.size();
        });
        int n = count == null ? 0 : count;
        published.increment(n);
        return n;
    }

    /** Publishes until the outbox is empty; returns how many events it published. */
    public int drain() {
        int total = 0;
        int n;
        do {
            n = relayOnce();
            total += n;
        } while (n == settings.batchSize());
        return total;
    }

    /**
     * Deletes published rows older than the retention period, and the consumer groups' processed
     * event ids of the same age: an event whose outbox row is gone can no longer be relayed again,
     * so its id no longer needs remembering (the dedupe window is the retention period).
     */
    public int sweepRetention() {
        java.time.Instant cutoff = clock.instant().minus(settings.retention());
        int published = jdbc.update("DELETE FROM outbox_event WHERE published_at IS NOT NULL AND published_at < ?",
                Outbox.utc(cutoff));
        int processed = jdbc.update("DELETE FROM CAMEL_MESSAGEPROCESSED WHERE createdAt < ?", java.sql.Timestamp.from(cutoff));
        return published + processed;
    }

    @Override
    protected boolean runRound() {
        // one batch per round: the worker runs the next at once while batches are full, and a stop
        // is noticed between batches instead of after the whole backlog
        int n = relayOnce();
        if (clock.instant().isAfter(nextRetentionSweep)) {
            sweepRetention();
            nextRetentionSweep = clock.instant().plus(Duration.ofMinutes(10));
        }
        return n == settings.batchSize();
    }

    @Override
    protected void roundFailed(RuntimeException failure, Duration retryIn) {
        failures.increment();
        super.roundFailed(failure, retryIn);
    }
}
