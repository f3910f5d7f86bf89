package dev.unison.platform.storage;

import dev.unison.platform.worker.BackgroundWorker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;

/**
 * Keeps the embedded H2 file near the size of its live data while the hub runs, a small budget
 * per round instead of H2's own auto-compaction.
 *
 * <p>Why: H2's MVStore never overwrites a page; every commit appends a chunk with the pages it
 * changed. A chunk's space is reused only once nothing in it is live, and under steady writes most
 * chunks keep a few live pages for ever, so without compaction the file grew about 88 KB per sale
 * (1.4 GB after five minutes at 50 sales/s). H2's auto-compaction ({@code AUTO_COMPACT_FILL_RATE})
 * runs in its background writer, which {@code WRITE_DELAY=0} turns off, or inside commits, where it
 * stalled the POS writer for 1-2.5 s at 1,000 sales/s (docs/benchmarks.md), so it stays off.
 *
 * <p>Each round, on its own thread: (1) when the live share of the chunks older than H2's retention
 * time is below {@code targetFillRate}, rewrite the live pages of the emptiest of them, at most
 * {@code budget} bytes ({@link MVStore#compact(int, int)}; the rewritten pages go out with the next
 * commit and the old chunks' space becomes reusable once the retention time has passed); (2) when
 * the file is less than {@code targetFillRate} full, move at most {@code budget} bytes of chunks
 * from the end of the file into free space near its start, so the file can be truncated
 * ({@link RandomAccessStore#compactMoveChunks(int, long, MVStore)}). Both hold the store lock that
 * commits need, so the budget bounds how long a commit can wait for a round.
 *
 * <p>The retention time bounds how much of the file is too young to reuse: at 50 sales/s H2 writes
 * about 5 MB/s, so H2's default of 45 s kept ~800 MB in use against ~60 MB of live data. H2 keeps a
 * dead chunk that long because it assumes the file system has written everything newer within it
 * (H2 documentation, {@code SET RETENTION_TIME}); the hub forces the file to disk every
 * {@code unison.storage.h2-sync-interval} (1 s), so a retention of several sync intervals keeps
 * that assumption with margin (the configuration refuses less than five).
 *
 * <p>Quiet moments: once the store has seen no more than {@value #QUIET_COMMITS_PER_SECOND} commits a
 * second (the idle hub's own bookkeeping makes about 2.4) for {@code quietAfter},
 * rounds aim at {@code quietTargetFillRate} instead: space that stays reserved for the next burst
 * under load is returned while nobody waits for a commit. The first busy round goes back to
 * {@code targetFillRate}. Quiet rounds rewrite the same budget but may move more: H2 moves whole
 * chunks only, so while a move leaves the file as long as it was the next quiet round moves twice
 * as much, up to {@value #MAX_QUIET_MOVE_BYTES} bytes.
 *
 * <p>This uses H2's MVStore API (public classes of H2 2.4, not its SQL surface; H2CompactionIT
 * breaks if a new H2 version changes them).
 */
public class H2Compaction extends BackgroundWorker {

    /** At most this many commits a second counts as quiet; the idle hub makes about 2.4 (its workers' bookkeeping). */
    static final int QUIET_COMMITS_PER_SECOND = 10;

    /**
     * The most a quiet round moves at once, as H2's own compaction on close does: a request that
     * arrives meanwhile waits for one such move (about 0.3 s on this project's test machine).
     */
    static final long MAX_QUIET_MOVE_BYTES = 16L << 20;

    private final DataSource dataSource;
    private final int targetFillRate;
    private final int budgetBytes;
    private final Duration quietAfter;
    private final int quietTargetFillRate;
    private final Timer roundTime;
    private final Counter rewrites;
    private final Counter moves;
    private final Duration retention;
    private volatile MVStore store;
    private long versionAtLastRound = -1;
    private long lastRoundNanos;
    private long lastBusyNanos;
    private volatile boolean quiet;
    private long quietMoveBytes;
    private final LongSupplier nanoClock;

    /**
     * @param retention how long a chunk that holds nothing live is kept before its space is reused
     *        (H2's {@code RETENTION_TIME}), or null for H2's default of 45 s; set on the open store,
     *        not persisted, so the file opened without the hub (and its periodic sync) keeps 45 s
     * @param quietAfter how long the store must be quiet before rounds aim at {@code quietTargetFillRate};
     *        zero: never
     */
    public H2Compaction(DataSource dataSource, Duration interval, int targetFillRate, long budgetBytes, Duration retention,
            Duration quietAfter, int quietTargetFillRate, MeterRegistry meters) {
        this(dataSource, interval, targetFillRate, budgetBytes, retention, quietAfter, quietTargetFillRate, meters,
                System::nanoTime);
    }

    H2Compaction(DataSource dataSource, Duration interval, int targetFillRate, long budgetBytes, Duration retention,
            Duration quietAfter, int quietTargetFillRate, MeterRegistry meters, LongSupplier nanoClock) {
        super("h2-compaction", requirePositive(interval), Duration.ofSeconds(30));
        if (retention != null && (retention.isNegative() || retention.toMillis() > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("unison.storage.h2-compaction.retention must be 0 or more (up to 24 days), got "
                    + retention);
        }
        this.retention = retention;
        if (targetFillRate < 1 || targetFillRate > 99) {
            throw new IllegalArgumentException("unison.storage.h2-compaction.target-fill-rate must be 1..99, got " + targetFillRate);
        }
        if (budgetBytes < 64 * 1024 || budgetBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("unison.storage.h2-compaction.budget must be 64KB..2047MB, got " + budgetBytes + " bytes");
        }
        if (quietAfter == null || quietAfter.isNegative()) {
            throw new IllegalArgumentException("unison.storage.h2-compaction.quiet-after must be 0 (never) or positive, got "
                    + quietAfter);
        }
        if (quietTargetFillRate < targetFillRate || quietTargetFillRate > 99) {
            throw new IllegalArgumentException("unison.storage.h2-compaction.quiet-target-fill-rate must be "
                    + targetFillRate + " (target-fill-rate)..99, got " + quietTargetFillRate);
        }
        this.quietAfter = quietAfter;
        this.nanoClock = nanoClock;
        this.quietTargetFillRate = quietTargetFillRate;
        this.dataSource = dataSource;
        this.targetFillRate = targetFillRate;
        this.budgetBytes = (int) budgetBytes;
        this.quietMoveBytes = budgetBytes;
        this.roundTime = Timer.builder("unison.h2.compaction").description("one compaction round of the embedded H2 file")
                .register(meters);
        this.rewrites = Counter.builder("unison.h2.compaction.rewrites")
                .description("rounds that rewrote the live pages of mostly empty chunks").register(meters);
        this.moves = Counter.builder("unison.h2.compaction.moves")
                .description("rounds that moved chunks toward the start of the file to shrink it").register(meters);
        Gauge.builder("unison.h2.compaction.quiet", this, c -> c.quiet ? 1 : 0)
                .description("1 while rounds aim at the quiet target fill rate").register(meters);
        FunctionCounter.builder("unison.h2.commits", this, c -> c.measure(MVStore::getCurrentVersion))
                .description("commits (versions) of the embedded H2 store since it opened").register(meters);
        Gauge.builder("unison.h2.file.bytes", this, c -> c.measure(mv -> mv.getFileStore().size())).baseUnit("bytes")
                .description("size of the embedded H2 file").register(meters);
        Gauge.builder("unison.h2.file.fill.rate", this, c -> c.measure(mv -> mv.getFileStore().getFillRate())).baseUnit("percent")
                .description("share of the H2 file's blocks that hold chunks").register(meters);
        Gauge.builder("unison.h2.chunks.fill.rate", this, c -> c.measure(mv -> mv.getFileStore().getChunksFillRate())).baseUnit("percent")
                .description("share of the H2 chunks' bytes that are still live").register(meters);
    }

    @Override
    protected boolean runRound() {
        long start = System.nanoTime();
        MVStore mv = store();
        FileStore<?> file = mv.getFileStore();
        int target = quiet(mv, nanoClock.getAsLong()) ? quietTargetFillRate : targetFillRate;
        // MVStore.compact only rewrites when the chunks' fill rate is below the target, and only
        // chunks older than the retention time; it gives up at once if a commit holds the lock
        if (mv.compact(target, budgetBytes)) {
            rewrites.increment();
        }
        if (file instanceof RandomAccessStore randomAccess && file.getFillRate() < target) {
            long before = file.size();
            randomAccess.compactMoveChunks(target, quiet ? quietMoveBytes : budgetBytes, mv);
            if (file.size() != before) {
                moves.increment();
                quietMoveBytes = budgetBytes;
            } else if (quiet) {
                // H2 moves only whole chunks that fit the size given, and one commit's chunk can be
                // larger than the budget (4.4 MB after an identity batch): at the end of the file it
                // keeps the file from shrinking, so quiet rounds double the size until it moves
                quietMoveBytes = Math.min(2 * quietMoveBytes, Math.max(budgetBytes, MAX_QUIET_MOVE_BYTES));
            }
        }
        roundTime.record(Duration.ofNanos(System.nanoTime() - start));
        // one round per interval even when more could be done: the budget is per interval
        return false;
    }

    /**
     * Whether the store has been quiet for {@code quietAfter}: commits counted by the store's version,
     * which every commit advances (a round's rewritten pages ride on the next commit; it makes none).
     */
    private boolean quiet(MVStore mv, long now) {
        long version = mv.getCurrentVersion();
        if (versionAtLastRound < 0) {
            lastBusyNanos = now;
        } else {
            double seconds = Math.max(1e-3, (now - lastRoundNanos) / 1e9);
            if ((version - versionAtLastRound) / seconds > QUIET_COMMITS_PER_SECOND) {
                lastBusyNanos = now;
            }
        }
        versionAtLastRound = version;
        lastRoundNanos = now;
        quiet = !quietAfter.isZero() && now - lastBusyNanos >= quietAfter.toNanos();
        if (!quiet) {
            quietMoveBytes = budgetBytes;
        }
        return quiet;
    }

    private double measure(java.util.function.ToLongFunction<MVStore> metric) {
        MVStore mv = store;
        if (mv == null || mv.isClosed()) {
            return Double.NaN;
        }
        return metric.applyAsLong(mv);
    }

    /** The MVStore behind the pool's embedded H2 database, found once through a pooled connection. */
    private MVStore store() {
        MVStore mv = store;
        if (mv != null && !mv.isClosed()) {
            return mv;
        }
        try (Connection connection = dataSource.getConnection()) {
            if (!(connection.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal session)) {
                throw new IllegalStateException("H2 compaction needs an embedded H2 database, not one behind an H2 server");
            }
            mv = session.getDatabase().getStore().getMvStore();
            if (retention != null) {
                mv.setRetentionTime((int) retention.toMillis());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the embedded H2 database: " + e.getMessage(), e);
        }
        store = mv;
        return mv;
    }

    private static Duration requirePositive(Duration interval) {
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("unison.storage.h2-compaction.interval must be positive, got " + interval);
        }
        return interval;
    }
}
