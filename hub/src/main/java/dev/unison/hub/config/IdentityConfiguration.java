package dev.unison.hub.config;

import dev.unison.canonical.identity.IdentifierNormalizer;
import dev.unison.canonical.identity.IdentityResolver;
import dev.unison.hub.api.ApiRateLimiter;
import dev.unison.hub.api.ApiSchemas;
import dev.unison.hub.api.ApiSupport;
import dev.unison.hub.api.Partners;
import dev.unison.hub.api.ProfileApiRoutes;
import dev.unison.hub.identity.IdentityRoutes;
import dev.unison.hub.identity.IdentityService;
import dev.unison.hub.identity.ProfileDirectory;
import dev.unison.hub.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/** Wires identity resolution: the resolver with the configured guards, its SQL graph, the consumer and the profile API. */
@Configuration(proxyBeanMethods = false)
public class IdentityConfiguration {

    @Bean
    IdentityResolver identityResolver(UnisonProperties properties) {
        UnisonProperties.Identity settings = properties.identity();
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

    @Bean
    ProfileApiRoutes profileApiRoutes(Partners partners, ApiSchemas schemas, IdentityService identity, ProfileDirectory directory,
            Clock clock, ApiRateLimiter limiter) {
        return new ProfileApiRoutes(new ApiSupport(partners, limiter), schemas, identity, directory, clock);
    }
}
