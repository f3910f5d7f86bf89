package dev.unison.platform.storage;

import dev.unison.platform.worker.BackgroundWorker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Forces the embedded H2 database file to disk at a steady pace with {@code CHECKPOINT SYNC}
 * (H2 SQL grammar, "Commands (Other)"; needs admin rights, which the embedded {@code sa} has). In
 * H2 2.4 and 2.5 it stores pending changes (as any commit does) and then calls
 * {@code FileChannel.force(true)} on the file outside the store lock that commits take.
 *
 * <p>Why: with {@code WRITE_DELAY=0} every commit reaches the OS page cache but H2 never syncs the
 * file. Linux writes a continuously written file back once its oldest dirty page is 30 s old
 * ({@code vm.dirty_expire_centisecs}) and then writes all of it at once: under load that was about
 * 1 GB every 31 s, and each burst stalled commits and the broker journal's syncs for 1-2 s (the
 * freshness benchmark's stalls, docs/benchmarks.md). A sync each second keeps the write-back small
 * and steady (the reason PostgreSQL has {@code checkpoint_flush_after}), and bounds what a power
 * loss can take to about one interval of commits.
 */
public class H2PeriodicSync extends BackgroundWorker {

    private final DataSource dataSource;
    private final Timer syncTime;

    public H2PeriodicSync(DataSource dataSource, Duration interval, MeterRegistry meters) {
        super("h2-sync", requirePositive(interval), Duration.ofSeconds(30));
        this.dataSource = dataSource;
        this.syncTime = Timer.builder("unison.h2.sync").description("one CHECKPOINT SYNC of the embedded H2 file")
                .register(meters);
    }

    /** True for an H2 database kept in a file (embedded or behind an H2 server), false for in-memory and other databases. */
    public static boolean appliesTo(String jdbcUrl) {
        return jdbcUrl != null && jdbcUrl.startsWith("jdbc:h2:") && !jdbcUrl.contains("mem:");
    }

    @Override
    protected boolean runRound() {
        long start = System.nanoTime();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CHECKPOINT SYNC");
        } catch (SQLException e) {
            throw new IllegalStateException("CHECKPOINT SYNC failed: " + e.getMessage(), e);
        }
        syncTime.record(Duration.ofNanos(System.nanoTime() - start));
        return false;
    }

    private static Duration requirePositive(Duration interval) {
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("unison.storage.h2-sync-interval must be positive, got " + interval);
        }
        return interval;
    }
}
