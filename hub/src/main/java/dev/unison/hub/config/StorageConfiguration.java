package dev.unison.hub.config;

import dev.unison.hub.api.ApiRateLimiter;
import dev.unison.hub.api.ApiSupport;
import dev.unison.hub.api.Partners;
import dev.unison.hub.api.StorageApiRoutes;
import dev.unison.hub.jdbc.H2Compaction;
import dev.unison.hub.jdbc.H2PeriodicSync;
import dev.unison.hub.retention.RetentionSweeper;
import dev.unison.hub.storage.StorageMonitor;
import dev.unison.hub.storage.TableSizes;
import dev.unison.hub.storage.UncleanStopMarker;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Wires what storage needs beyond Spring's data source: the periodic sync and the compaction of an
 * H2 file, the retention sweep, and the disk monitor with its health component and API.
 */
@Configuration(proxyBeanMethods = false)
public class StorageConfiguration {

    /** Started and stopped with the other background workers. */
    @Bean
    StorageMonitor storageMonitor(UnisonProperties properties, Clock clock, MeterRegistry meters) {
        UnisonProperties.Monitor m = properties.storage().monitor();
        return new StorageMonitor(Path.of(properties.dataDir()), new StorageMonitor.Settings(m.interval(), m.growthWindow(),
                m.warnFreeBelow().toBytes(), m.warnFullWithin()), clock, meters);
    }

    /** Started and stopped with the other background workers; one instance of all sweeps at a time. */
    @Bean
    RetentionSweeper retentionSweeper(JdbcTemplate jdbc, TransactionTemplate tx, UnisonProperties properties, Clock clock,
            MeterRegistry meters) {
        UnisonProperties.Retention r = properties.retention();
        return new RetentionSweeper(jdbc, tx, new RetentionSweeper.Settings(r.sweepInterval(), r.batchSize(),
                properties.outbox().retention(), r.inbox(), r.deadLetters(), r.reservations()), clock, meters);
    }

    /** The health component {@code storage}. */
    @Bean
    HealthIndicator storageHealthIndicator(StorageMonitor monitor) {
        return monitor::health;
    }

    @Bean
    StorageApiRoutes storageApiRoutes(Partners partners, ApiRateLimiter limiter, StorageMonitor monitor, JdbcTemplate jdbc) {
        return new StorageApiRoutes(new ApiSupport(partners, limiter), monitor, new TableSizes(jdbc));
    }

    /**
     * Whether the previous run on this data directory stopped uncleanly; on an H2 file only, where
     * a kill has been seen to lose a committed update (InventoryConfiguration repairs what the
     * ledger derives). The data source depends on it ({@link #dataSourceAfterUncleanStopMarker}), so
     * the marker is removed only after the database has closed.
     */
    @Bean
    @Conditional(H2File.class)
    UncleanStopMarker uncleanStopMarker(UnisonProperties properties) {
        return new UncleanStopMarker(Path.of(properties.dataDir()));
    }

    /** The run has started completely: from now on a normal stop removes the marker. */
    @Bean
    ApplicationListener<ApplicationReadyEvent> uncleanStopMarkerStarted(ObjectProvider<UncleanStopMarker> marker) {
        return ready -> marker.ifAvailable(UncleanStopMarker::started);
    }

    /** Makes the data source depend on the marker: created after it, closed before it is removed. */
    @Bean
    static BeanFactoryPostProcessor dataSourceAfterUncleanStopMarker() {
        return factory -> {
            if (factory.containsBeanDefinition("uncleanStopMarker") && factory.containsBeanDefinition("dataSource")) {
                BeanDefinition dataSource = factory.getBeanDefinition("dataSource");
                String[] dependsOn = dataSource.getDependsOn();
                List<String> all = new ArrayList<>(dependsOn == null ? List.of() : List.of(dependsOn));
                all.add("uncleanStopMarker");
                dataSource.setDependsOn(all.toArray(String[]::new));
            }
        };
    }

    /** Started and stopped with the other background workers. */
    @Bean
    @Conditional(H2FileWithSyncInterval.class)
    H2PeriodicSync h2PeriodicSync(DataSource dataSource, UnisonProperties properties, MeterRegistry meters) {
        return new H2PeriodicSync(dataSource, properties.storage().h2SyncInterval(), meters);
    }

    /** Started and stopped with the other background workers. */
    @Bean
    @Conditional(H2FileWithCompactionInterval.class)
    H2Compaction h2Compaction(DataSource dataSource, UnisonProperties properties, MeterRegistry meters) {
        UnisonProperties.H2Compaction settings = properties.storage().h2Compaction();
        Duration retention = h2Retention(properties.storage().h2SyncInterval(), settings.retention());
        return new H2Compaction(dataSource, settings.interval(), settings.targetFillRate(), settings.budget().toBytes(),
                retention, settings.quietAfter(), settings.quietTargetFillRate(), meters);
    }

    /**
     * The retention to set on the open H2 store: the configured one while the hub forces the file
     * to disk ({@code sync} not zero), refused below five sync intervals; null (H2's 45 s) without
     * the periodic sync. Checked only where it applies, an H2 file with compaction on.
     */
    static Duration h2Retention(Duration sync, Duration configured) {
        if (sync.isZero()) {
            return null;
        }
        if (configured.compareTo(sync.multipliedBy(5)) < 0) {
            throw new IllegalArgumentException("unison.storage.h2-compaction.retention (" + configured
                    + ") must be at least five times unison.storage.h2-sync-interval (" + sync + "): H2 may "
                    + "overwrite a dead chunk once the retention has passed, safe only when newer data has reached the disk");
        }
        return configured;
    }

    /** An H2 file database ({@code spring.datasource.url}). */
    static class H2File implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return H2PeriodicSync.appliesTo(context.getEnvironment().getProperty("spring.datasource.url"));
        }
    }

    /** An H2 file database ({@code spring.datasource.url}) and an interval setting that is not zero (default 1 s). */
    abstract static class H2FileWithInterval implements Condition {
        private final String intervalKey;

        H2FileWithInterval(String intervalKey) {
            this.intervalKey = intervalKey;
        }

        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Duration interval = Binder.get(context.getEnvironment()).bind(intervalKey, Duration.class)
                    .orElse(Duration.ofSeconds(1));
            return H2PeriodicSync.appliesTo(context.getEnvironment().getProperty("spring.datasource.url"))
                    && !interval.isZero();
        }
    }

    static class H2FileWithCompactionInterval extends H2FileWithInterval {
        H2FileWithCompactionInterval() {
            super("unison.storage.h2-compaction.interval");
        }
    }

    static class H2FileWithSyncInterval extends H2FileWithInterval {
        H2FileWithSyncInterval() {
            super("unison.storage.h2-sync-interval");
        }
    }
}
