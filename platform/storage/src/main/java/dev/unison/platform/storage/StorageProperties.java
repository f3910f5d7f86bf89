package dev.unison.platform.storage;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The embedded H2 database: how often its file is forced to disk ({@link dev.unison.platform.storage.H2PeriodicSync};
 * zero turns the periodic sync off), and how it is kept compact while the hub runs. PostgreSQL: how
 * often the hub vacuums its queue tables ({@link dev.unison.platform.storage.PostgresQueueVacuum}; zero: never, autovacuum only).
 */
@ConfigurationProperties(prefix = "unison.storage")
public record StorageProperties(Duration h2SyncInterval, H2Compaction h2Compaction, Monitor monitor,
        Duration postgresQueueVacuumInterval) {
    public StorageProperties {
        postgresQueueVacuumInterval = postgresQueueVacuumInterval == null ? Duration.ofSeconds(5) : postgresQueueVacuumInterval;
        if (postgresQueueVacuumInterval.isNegative()) {
            throw new IllegalArgumentException("unison.storage.postgres-queue-vacuum-interval must be 0 (off) or positive, got "
                    + postgresQueueVacuumInterval);
        }
        h2SyncInterval = h2SyncInterval == null ? Duration.ofSeconds(1) : h2SyncInterval;
        if (h2SyncInterval.isNegative()) {
            throw new IllegalArgumentException("unison.storage.h2-sync-interval must be 0 (off) or positive, got "
                    + h2SyncInterval);
        }
        h2Compaction = h2Compaction == null ? new H2Compaction(null, null, null, null, null, null) : h2Compaction;
        monitor = monitor == null ? new Monitor(null, null, null, null) : monitor;
    }

    /**
     * {@link dev.unison.platform.storage.H2Compaction}: a round every {@code interval} (zero turns it off)
     * rewrites or moves at most {@code budget} of the file while less than {@code targetFillRate}
     * percent of it is live; space that holds nothing live is reused after {@code retention}
     * (H2's 45 s when the periodic sync is off). Once the store has been quiet for {@code quietAfter}
     * (zero: never), rounds aim at {@code quietTargetFillRate} instead.
     */
    public record H2Compaction(Duration interval, Integer targetFillRate, DataSize budget, Duration retention,
            Duration quietAfter, Integer quietTargetFillRate) {
        public H2Compaction {
            interval = interval == null ? Duration.ofSeconds(1) : interval;
            targetFillRate = targetFillRate == null ? 50 : targetFillRate;
            quietAfter = quietAfter == null ? Duration.ofSeconds(60) : quietAfter;
            quietTargetFillRate = quietTargetFillRate == null ? 90 : quietTargetFillRate;
            budget = budget == null ? DataSize.ofMegabytes(4) : budget;
            retention = retention == null ? Duration.ofSeconds(10) : retention;
            if (interval.isNegative()) {
                throw new IllegalArgumentException("unison.storage.h2-compaction.interval must be 0 (off) or positive, got "
                        + interval);
            }
        }
    }

    /** {@link dev.unison.platform.storage.StorageMonitor}: how often the data directory is measured and when it warns. */
    public record Monitor(Duration interval, Duration growthWindow, DataSize warnFreeBelow, Duration warnFullWithin) {
        public Monitor {
            interval = interval == null ? Duration.ofMinutes(1) : interval;
            growthWindow = growthWindow == null ? Duration.ofMinutes(10) : growthWindow;
            warnFreeBelow = warnFreeBelow == null ? DataSize.ofGigabytes(1) : warnFreeBelow;
            warnFullWithin = warnFullWithin == null ? Duration.ofHours(24) : warnFullWithin;
        }
    }
}
