package dev.unison.platform.storage;

import dev.unison.platform.worker.BackgroundWorker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * PostgreSQL only: vacuums the hub's queue tables every few seconds. A queue table's rows live for
 * milliseconds to seconds (an event waiting for the relay in {@code outbox_pending}, a quantity
 * waiting for its sender in {@code pending_update}), and each one left behind a dead row version
 * and index entries that every later lookup of the same key walked until a vacuum removed them.
 * Autovacuum visits a table at most once per {@code autovacuum_naptime} (one minute by default;
 * PostgreSQL documentation, "Automatic Vacuuming"), in which a thousand sales a second leave tens
 * of thousands of dead versions over a few hundred live rows: in the freshness benchmark the
 * sender's and the fan-out's statements on {@code pending_update} grew from 0.02 to 1-4 ms, and
 * PostgreSQL's CPU went to a full core. These tables stay small, so vacuuming them takes
 * milliseconds. Options (PostgreSQL 12+, "VACUUM"): {@code SKIP_LOCKED} passes over a table another
 * instance is vacuuming at that moment instead of waiting for it; {@code TRUNCATE false} leaves the
 * emptied pages at the table's end in place, because giving them back takes an exclusive lock
 * that every append and the relay would queue behind (with truncation, a vacuum of
 * {@code outbox_pending} took 170-240 ms, against milliseconds without), and the next rows fill
 * them anyway.
 */
public class PostgresQueueVacuum extends BackgroundWorker {

    /** The platform's queue tables: the relay's pending events and the senders' coalescing queues. */
    public static final List<String> QUEUE_TABLES = List.of("outbox_pending", "pending_update");

    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final DataSource dataSource;
    private final List<String> tables;
    private final Timer vacuumTime;

    public PostgresQueueVacuum(DataSource dataSource, List<String> tables, Duration interval, MeterRegistry meters) {
        super("queue-vacuum", requirePositive(interval), Duration.ofMinutes(1));
        tables.forEach(t -> {
            if (!TABLE.matcher(t).matches()) {
                throw new IllegalArgumentException("not a table name: '" + t + "'");
            }
        });
        this.dataSource = dataSource;
        this.tables = List.copyOf(tables);
        this.vacuumTime = Timer.builder("unison.postgres.queue.vacuum")
                .description("one round of VACUUM over the hub's queue tables").register(meters);
    }

    /** True for a PostgreSQL JDBC URL. */
    public static boolean appliesTo(String jdbcUrl) {
        return jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:");
    }

    @Override
    protected boolean runRound() {
        long start = System.nanoTime();
        List<String> failed = new java.util.ArrayList<>();
        // VACUUM cannot run inside a transaction block: a pooled connection in auto-commit mode
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            for (String table : tables) {
                try {
                    statement.execute("VACUUM (SKIP_LOCKED, TRUNCATE false) " + table);
                    // a table the user may not vacuum (not its owner) is skipped with a warning, not an error
                    for (java.sql.SQLWarning w = statement.getWarnings(); w != null; w = w.getNextWarning()) {
                        if (!w.getMessage().contains("lock not available")) { // SKIP_LOCKED: another instance is at it
                            failed.add(table + ": " + w.getMessage());
                        }
                    }
                    statement.clearWarnings();
                } catch (SQLException e) {
                    failed.add(table + ": " + e.getMessage());
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("VACUUM of " + tables + " failed: " + e.getMessage(), e);
        }
        vacuumTime.record(Duration.ofNanos(System.nanoTime() - start));
        if (!failed.isEmpty()) {
            // logged by the worker, and tried again after its back-off
            throw new IllegalStateException("VACUUM did not run on " + failed);
        }
        return false;
    }

    private static Duration requirePositive(Duration interval) {
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("unison.storage.postgres-queue-vacuum-interval must be positive, got " + interval);
        }
        return interval;
    }
}
