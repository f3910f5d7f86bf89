package dev.unison.attribution;

import dev.unison.identity.IdentityService;
import dev.unison.identity.ProfileDirectory;
import dev.unison.platform.edge.ApiSchemas;
import dev.unison.platform.edge.ApiSupport;
import dev.unison.platform.edge.DeclaredScopes;
import dev.unison.platform.edge.Partners;
import dev.unison.platform.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The attribution domain: its tables, the consumer group that fills them, the engine, the API. */
@AutoConfiguration
@EnableConfigurationProperties(AttributionProperties.class)
public class AttributionAutoConfiguration {

    @Bean
    AttributionStore attributionStore(JdbcTemplate jdbc, Clock clock, IdentityService identity) {
        AttributionStore store = new AttributionStore(jdbc, clock);
        // a profile that gains an email or absorbs another is attributed again, queued in the same transaction
        identity.addListener(store::markProfiles);
        return store;
    }

    @Bean
    AttributionEngine attributionEngine(AttributionStore store, ProfileDirectory directory,
            PlatformTransactionManager transactions, AttributionProperties settings, Clock clock, MeterRegistry meters) {
        return new AttributionEngine(store, directory, transactions, settings, clock, meters);
    }

    @Bean
    AttributionIntakeRoutes attributionIntakeRoutes(AttributionStore store, ProfileDirectory directory, AttributionEngine engine) {
        return new AttributionIntakeRoutes(store, directory, engine);
    }

    @Bean
    RoasReport roasReport(JdbcTemplate jdbc, AttributionStore store, AttributionEngine engine, AttributionProperties settings) {
        return new RoasReport(jdbc, store, engine, settings.minShoppers());
    }

    @Bean
    AdFileIntake adFileIntake(Outbox outbox, TransactionTemplate tx, Clock clock, MeterRegistry meters) {
        return new AdFileIntake(outbox, tx, clock, meters);
    }

    @Bean
    AdFileFeedRoutes adFileFeedRoutes(AdFileIntake intake, AttributionProperties settings) {
        return new AdFileFeedRoutes(intake, settings.feeds());
    }

    @Bean
    CrossChannelConversionRate crossChannelConversionRate(JdbcTemplate jdbc, AttributionProperties settings) {
        return new CrossChannelConversionRate(jdbc, settings.crossChannelWindowDays());
    }

    @Bean
    InventoryDeflectionRate inventoryDeflectionRate(JdbcTemplate jdbc, dev.unison.inventory.InventoryNetwork network) {
        return new InventoryDeflectionRate(jdbc, network);
    }

    @Bean
    DeclaredScopes attributionScopes() {
        return AttributionScopes.declared();
    }

    @Bean
    AttributionApiRoutes attributionApiRoutes(ApiSupport api, ApiSchemas schemas, AttributionStore store, RoasReport report,
            AttributionEngine engine, AdFileIntake files, ProfileDirectory directory, Partners partners, TransactionTemplate tx,
            Clock clock, AttributionProperties settings) {
        return new AttributionApiRoutes(api, schemas, store, report, engine, files, directory, partners, tx, clock,
                settings.minShoppers());
    }
}
