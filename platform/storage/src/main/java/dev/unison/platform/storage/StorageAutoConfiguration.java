package dev.unison.platform.storage;


import dev.unison.platform.edge.ApiRateLimiter;
import dev.unison.platform.edge.ApiSupport;
import dev.unison.platform.edge.Partners;
import dev.unison.platform.storage.StorageApiRoutes;
import dev.unison.platform.storage.H2Compaction;
import dev.unison.platform.storage.H2PeriodicSync;
import dev.unison.platform.retention.RetentionRule;
import dev.unison.platform.retention.RetentionSweeper;
import dev.unison.platform.storage.StorageMonitor;
import dev.unison.platform.storage.TableSizes;
import dev.unison.platform.storage.UncleanStopMarker;
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
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.beans.factory.annotation.Value;
import dev.unison.platform.messaging.OutboxProperties;
import dev.unison.platform.edge.ApiSchemas;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Wires what storage needs beyond Spring's data source: the periodic sync and the compaction of an
 * H2 file, the vacuum of PostgreSQL's queue tables, the retention sweep, and the disk monitor with its health component and API.
 */
@AutoConfiguration
@EnableConfigurationProperties({StorageProperties.class, RetentionProperties.class})
public class StorageAutoConfiguration {

    /** Started and stopped with the other background workers. */
    @Bean
    StorageMonitor storageMonitor(StorageProperties properties, @Value("${unison.data-dir:./data}") String dataDir, Clock clock,
            MeterRegistry meters) {
        StorageProperties.Monitor m = properties.monitor();
        return new StorageMonitor(Path.of(dataDir), new StorageMonitor.Settings(m.interval(), m.growthWindow(),
                m.warnFreeBelow().toBytes(), m.warnFullWithin()), clock, meters);
    }

    /** Started and stopped with the other background workers; one instance of all sweeps at a time. */
    @Bean
    RetentionSweeper retentionSweeper(JdbcTemplate jdbc, TransactionTemplate tx, RetentionProperties r, OutboxProperties outbox,
            ObjectProvider<RetentionRule> domainRules, Clock clock, MeterRegistry meters) {
        RetentionSweeper.Settings settings = new RetentionSweeper.Settings(r.sweepInterval(), r.batchSize(), outbox.retention(),
                r.inbox(), r.deadLetters());
        // the platform's tables first, then those of each domain, as the domains contribute them
        List<RetentionRule> rules = new ArrayList<>(settings.platformRules());
        domainRules.orderedStream().forEach(rules::add);
        return new RetentionSweeper(jdbc, tx, settings, rules, clock, meters);
    }

    /** The health component {@code storage}. */
    @Bean
    HealthIndicator storageHealthIndicator(StorageMonitor monitor) {
        return monitor::health;
    }

    @Bean
    StorageApiRoutes storageApiRoutes(ApiSupport api, ApiSchemas schemas, StorageMonitor monitor, JdbcTemplate jdbc) {
        return new StorageApiRoutes(api, schemas, monitor, new TableSizes(jdbc));
    }

    /**
     * Whether the previous run on this data directory stopped uncleanly; on an H2 file only, where
     * a kill has been seen to lose a committed update (the inventory domain repairs what its
     * ledger derives). The data source depends on it ({@link #dataSourceAfterUncleanStopMarker}), so
     * the marker is removed only after the database has closed.
     */
    @Bean
    @Conditional(H2File.class)
    UncleanStopMarker uncleanStopMarker(@Value("${unison.data-dir:./data}") String dataDir) {
        return new UncleanStopMarker(Path.of(dataDir));
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
    H2PeriodicSync h2PeriodicSync(DataSource dataSource, StorageProperties properties, MeterRegistry meters) {
        return new H2PeriodicSync(dataSource, properties.h2SyncInterval(), meters);
    }

    /** Started and stopped with the other background workers. */
    @Bean
    @Conditional(H2FileWithCompactionInterval.class)
    H2Compaction h2Compaction(DataSource dataSource, StorageProperties properties, MeterRegistry meters) {
        StorageProperties.H2Compaction settings = properties.h2Compaction();
        Duration retention = h2Retention(properties.h2SyncInterval(), settings.retention());
        return new H2Compaction(dataSource, settings.interval(), settings.targetFillRate(), settings.budget().toBytes(),
                retention, settings.quietAfter(), settings.quietTargetFillRate(), meters);
    }

    /** Started and stopped with the other background workers. */
    @Bean
    @Conditional(PostgresWithQueueVacuumInterval.class)
    PostgresQueueVacuum postgresQueueVacuum(DataSource dataSource, StorageProperties properties, MeterRegistry meters) {
        return new PostgresQueueVacuum(dataSource, PostgresQueueVacuum.QUEUE_TABLES, properties.postgresQueueVacuumInterval(),
                meters);
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

    /** A PostgreSQL database ({@code spring.datasource.url}) and a queue vacuum interval that is not zero (default 5 s). */
    static class PostgresWithQueueVacuumInterval implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Duration interval = Binder.get(context.getEnvironment())
                    .bind("unison.storage.postgres-queue-vacuum-interval", Duration.class).orElse(Duration.ofSeconds(5));
            return PostgresQueueVacuum.appliesTo(context.getEnvironment().getProperty("spring.datasource.url"))
                    && !interval.isZero();
        }
    }

    static class H2FileWithSyncInterval extends H2FileWithInterval {
        H2FileWithSyncInterval() {
            super("unison.storage.h2-sync-interval");
        }
    }
}
