package dev.unison.identity;

import dev.unison.canonical.identity.IdentifierNormalizer;
import dev.unison.canonical.identity.IdentityResolver;
import dev.unison.platform.edge.ApiRateLimiter;
import dev.unison.platform.edge.ApiSchemas;
import dev.unison.platform.edge.ApiSupport;
import dev.unison.platform.edge.Partners;
import dev.unison.identity.ProfileApiRoutes;
import dev.unison.identity.IdentityRoutes;
import dev.unison.identity.IdentityService;
import dev.unison.identity.ProfileDirectory;
import dev.unison.platform.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import dev.unison.platform.edge.DeclaredScopes;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/** The identity domain: the resolver with the configured guards, its SQL graph, the consumer and the profile API. */
@AutoConfiguration
@EnableConfigurationProperties(IdentityProperties.class)
public class IdentityAutoConfiguration {

    @Bean
    IdentityResolver identityResolver(IdentityProperties settings) {
        return new IdentityResolver(new IdentifierNormalizer(settings.defaultRegion(), settings.relayEmails()),
                settings.rules());
    }

    @Bean
    IdentityService identityService(IdentityResolver resolver, JdbcTemplate jdbc, PlatformTransactionManager transactions,
            Outbox outbox, Clock clock, MeterRegistry meters) {
        return new IdentityService(resolver, jdbc, transactions, outbox, clock, meters);
    }

    @Bean
    ProfileDirectory profileDirectory(JdbcTemplate jdbc, IdentityResolver resolver) {
        return new ProfileDirectory(jdbc, resolver);
    }

    @Bean
    IdentityRoutes identityRoutes(IdentityService identity) {
        return new IdentityRoutes(identity);
    }

    /** Single sightings ({@code POST /api/v1/identities}) resolved by group commit; 503 past the edge's longest wait. */
    @Bean(destroyMethod = "close")
    dev.unison.platform.jdbc.GroupCommit<dev.unison.canonical.identity.ScreenedObservation, dev.unison.canonical.identity.Resolution>
            sightingIntake(IdentityService identity, dev.unison.platform.edge.ApiProperties api) {
        return identity.sightingIntake(api.edge().maxRequestWait());
    }

    @Bean
    ProfileApiRoutes profileApiRoutes(ApiSupport api, ApiSchemas schemas, IdentityService identity, ProfileDirectory directory,
            Clock clock, dev.unison.platform.jdbc.GroupCommit<dev.unison.canonical.identity.ScreenedObservation,
                    dev.unison.canonical.identity.Resolution> sightingIntake) {
        return new ProfileApiRoutes(api, schemas, identity, directory, clock, sightingIntake::submit);
    }

    @Bean
    IdentityResolutionRate identityResolutionRate(JdbcTemplate jdbc, IdentityResolver resolver) {
        return new IdentityResolutionRate(jdbc, resolver);
    }

    @Bean
    DeclaredScopes identityScopes() {
        return IdentityScopes.declared();
    }
}
