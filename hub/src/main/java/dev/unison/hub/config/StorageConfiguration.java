package dev.unison.hub.config;

import dev.unison.hub.jdbc.H2PeriodicSync;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Wires what the database needs beyond Spring's data source: the periodic sync of an H2 file. */
@Configuration(proxyBeanMethods = false)
public class StorageConfiguration {

    /** Started and stopped with the other background workers. */
    @Bean
    @Conditional(H2FileWithSyncInterval.class)
    H2PeriodicSync h2PeriodicSync(DataSource dataSource, UnisonProperties properties, MeterRegistry meters) {
        return new H2PeriodicSync(dataSource, properties.storage().h2SyncInterval(), meters);
    }

    /** An H2 file database ({@code spring.datasource.url}) and a sync interval that is not zero. */
    static class H2FileWithSyncInterval implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Duration interval = Binder.get(context.getEnvironment())
                    .bind("unison.storage.h2-sync-interval", Duration.class).orElse(Duration.ofSeconds(1));
            return H2PeriodicSync.appliesTo(context.getEnvironment().getProperty("spring.datasource.url"))
                    && !interval.isZero();
        }
    }
}
