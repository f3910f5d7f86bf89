package dev.unison.platform.outbox;

import dev.unison.platform.jdbc.InLists;
import dev.unison.platform.worker.BackgroundWorker;
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
 * Moves committed outbox rows to the bus in batches, in {@code seq} order within each shard. The
 * events waiting are the rows of {@code outbox_pending}; publishing one deletes its pending row.
 *
 * <p>Every hub instance runs a relay; each publishes the shards it holds a lease on
 * ({@link RelayShards}), so instances share the publishing and all events of one partition key,
 * being in one shard, leave in the order they were appended. A batch is published and its pending
 * rows deleted in one database transaction that first locks the instance's shard rows, which fences a takeover
 * until the batch is done. A batch is sent as one broker transaction (Artemis) or one flushed
 * producer batch (Kafka); a persistent synchronous send per event would cap the hub near 290
 * events/s (measured on embedded Artemis here). If the hub dies after publishing but before
 * deleting, the batch is published again, and bus consumers drop the copies by event id
 * (idempotent repository).
 */
public class OutboxRelay extends BackgroundWorker {

    /**
     * @param shardLease how long a shard lease lasts unless renewed; leases are renewed (and shards
     *     rebalanced) every third of it, so a dead instance's shards are taken within 1⅓ of it
     */
    public record Settings(int batchSize, Duration pollInterval, Duration maxBackoff, Duration shardLease) {
        public Settings {
            if (shardLease.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("unison.outbox.shard-lease must be at least 1s, got " + shardLease);
            }
        }
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Publisher transport;
    private final Settings settings;
    private final Clock clock;
    private final Counter published;
    private final Counter failures;
    private final Timer lag;
    private final RelayShards shards;
    private Instant nextRebalance = Instant.MIN;
    private volatile List<Integer> held = List.of();

    public OutboxRelay(JdbcTemplate jdbc, TransactionTemplate tx, Publisher transport, Settings settings,
            String instance, Clock clock, MeterRegistry meters) {
        super("outbox-relay", settings.pollInterval(), settings.maxBackoff());
        this.shards = new RelayShards(jdbc, instance, settings.shardLease(), clock);
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
        io.micrometer.core.instrument.Gauge.builder("unison.outbox.relay.shards", this, r -> r.held.size())
                .description("outbox shards this instance publishes (of " + RelayShards.COUNT + ")").register(meters);
    }

    public RelayShards shards() {
        return shards;
    }

    /** The shards this instance held after its last rebalance. */
    public List<Integer> heldShards() {
        return held;
    }

    /** Renews and rebalances the shard leases now (also done every third of a lease by {@link #relayOnce}). */
    public List<Integer> rebalance() {
        held = shards.rebalance();
        nextRebalance = clock.instant().plus(settings.shardLease().dividedBy(3));
        return held;
    }

    /** Publishes one batch and deletes its pending rows; returns how many events it published. */
    public int relayOnce() {
        if (!clock.instant().isBefore(nextRebalance)) {
            rebalance();
        }
        if (held.isEmpty() || jdbc.queryForList("SELECT seq FROM outbox_pending" + RelayShards.where(held) + " LIMIT 1",
                Long.class).isEmpty()) {
            // nothing to publish: a plain read, so an empty round takes no lock (a write and a commit)
            return 0;
        }
        Integer count = tx.execute(status -> {
            List<Integer> locked = shards.lockHeld();
            if (locked.isEmpty()) {
                return 0;
            }
            // the pending rows first, then their events: joined with the limit outside, PostgreSQL
            // chose a merge join that walked outbox_event's key from its first (long published) row,
            // 24 ms a read against 0.7 ms for the old pending-index read (freshness benchmark, Kafka)
            List<OutboxRecord> batch = jdbc.query("SELECT e.* FROM (SELECT seq FROM outbox_pending" + RelayShards.where(locked)
                    + " ORDER BY seq LIMIT ?) p JOIN outbox_event e ON e.seq = p.seq ORDER BY p.seq", Outbox.ROW,
                    settings.batchSize());
            if (batch.isEmpty()) {
                return 0;
            }
            transport.publish(batch);
            Instant now = clock.instant();
            // the pending rows are small and the event rows stay as they are: nothing of the event
            // is rewritten, and a pending row's index entries are all the relay leaves behind
            for (List<OutboxRecord> chunk : InLists.chunks(batch)) {
                jdbc.update("DELETE FROM outbox_pending WHERE seq IN (" + InLists.placeholders(chunk.size()) + ")",
                        chunk.stream().map(OutboxRecord::seq).toArray());
            }
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

    @Override
    protected boolean runRound() {
        // one batch per round: the worker runs the next at once while batches are full, and a stop
        // is noticed between batches instead of after the whole backlog
        int n = relayOnce();
        return n == settings.batchSize();
    }

    /** A stopping relay gives its shards back at once instead of leaving them until its leases expire. */
    @Override
    protected void afterLastRound() {
        shards.releaseAll();
        held = List.of();
    }

    @Override
    protected void roundFailed(RuntimeException failure, Duration retryIn) {
        failures.increment();
        super.roundFailed(failure, retryIn);
    }
}
