package dev.unison.platform.outbox;

import dev.unison.platform.jdbc.ColumnArrays;
import dev.unison.platform.jdbc.InLists;
import dev.unison.platform.worker.BackgroundWorker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OutboxRelay.class);

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
    private final Counter batches;
    private final Timer lag;
    private final RelayShards shards;
    private Instant nextRebalance = Instant.MIN;
    private volatile List<Integer> held = List.of();
    /** Pending rows the last batch read (a full batch means more may be waiting). */
    private int lastRead;

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
        // events per batch (published / batches) says how much one round's fixed cost is shared
        this.batches = Counter.builder("unison.outbox.relay.batches")
                .description("relay batches published, one database transaction and one bus send each").register(meters);
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
        lastRead = 0;
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
            // the pending rows, then their events by key: joined in one statement, PostgreSQL chose
            // merge or hash joins that read outbox_event far beyond the batch (5-24 ms a batch in the
            // freshness benchmark). PostgreSQL takes all the keys as one array, other databases in
            // lists of 16 (docs/benchmarks.md)
            List<Long> seqs = jdbc.queryForList("SELECT seq FROM outbox_pending" + RelayShards.where(locked)
                    + " ORDER BY seq LIMIT ?", Long.class, settings.batchSize());
            List<OutboxRecord> batch = new ArrayList<>(seqs.size());
            if (seqs.isEmpty()) {
                return 0;
            } else if (postgres()) {
                batch.addAll(jdbc.query("SELECT * FROM outbox_event WHERE seq = ANY(?)", ColumnArrays.single("int8", seqs),
                        Outbox.ROW));
            } else {
                for (List<Long> chunk : InLists.chunks(seqs)) {
                    batch.addAll(jdbc.query("SELECT * FROM outbox_event WHERE seq IN (" + InLists.placeholders(chunk.size())
                            + ")", Outbox.ROW, chunk.toArray()));
                }
            }
            batch.sort(java.util.Comparator.comparingLong(OutboxRecord::seq));
            if (!batch.isEmpty()) {
                transport.publish(batch);
            }
            // the pending rows are small and the event rows stay as they are: nothing of an event is
            // rewritten. A pending row whose event is gone (deleted by hand) goes too, or it would
            // be read again in every batch
            if (batch.size() < seqs.size()) {
                LOG.warn("outbox relay: {} pending rows had no event row (deleted by hand?) and were dropped",
                        seqs.size() - batch.size());
            }
            lastRead = seqs.size();
            for (List<Long> chunk : InLists.chunks(seqs)) {
                jdbc.update("DELETE FROM outbox_pending WHERE seq IN (" + InLists.placeholders(chunk.size()) + ")",
                        chunk.toArray());
            }
            Instant now = clock.instant();
            batch.forEach(r -> lag.record(Duration.between(r.createdAt(), now)));
            return batch.size();
        });
        int n = count == null ? 0 : count;
        published.increment(n);
        if (n > 0) {
            batches.increment();
        }
        return n;
    }

    private Boolean postgres;

    private boolean postgres() {
        if (postgres == null) {
            postgres = Boolean.TRUE.equals(jdbc.execute((org.springframework.jdbc.core.ConnectionCallback<Boolean>) c ->
                    c.getMetaData().getDatabaseProductName().startsWith("PostgreSQL")));
        }
        return postgres;
    }

    /** Publishes until the outbox is empty; returns how many events it published. */
    public int drain() {
        int total = 0;
        do {
            total += relayOnce();
        } while (lastRead == settings.batchSize());
        return total;
    }

    @Override
    protected boolean runRound() {
        // one batch per round: the worker runs the next at once while batches are full, and a stop
        // is noticed between batches instead of after the whole backlog
        relayOnce();
        return lastRead == settings.batchSize();
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
