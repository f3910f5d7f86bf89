package dev.unison.hub.config;

import dev.unison.hub.api.ApiErrorAttributes;
import dev.unison.hub.api.ApiRateLimiter;
import dev.unison.hub.api.ApiSchemas;
import dev.unison.hub.api.ApiSupport;
import dev.unison.hub.api.OpenApiDocument;
import dev.unison.hub.api.PartnerApiRoutes;
import dev.unison.hub.api.Partners;
import dev.unison.hub.connectors.InstalledConnectors;
import dev.unison.hub.identity.ProfileDirectory;
import dev.unison.hub.orders.OrderStore;
import dev.unison.hub.outbox.Outbox;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** Wires the partner API and the bootstrap partner. */
@Configuration(proxyBeanMethods = false)
public class ApiConfiguration {

    @Bean
    Partners partners(JdbcTemplate jdbc, Clock clock, InstalledConnectors connectors) {
        return new Partners(jdbc, clock, connectors::isOwnChannel);
    }

    /** The request/response schemas; reservation-max-hold bounds a reservation's expiresAt. */
    @Bean
    ApiSchemas apiSchemas(Clock clock, @Value("${unison.api.reservation-max-hold:P7D}") Duration reservationMaxHold) {
        return new ApiSchemas(clock, Map.of("reservation-max-hold", reservationMaxHold));
    }

    @Bean
    PartnerApiRoutes partnerApiRoutes(Partners partners, ApiSchemas schemas, Outbox outbox, InstalledConnectors connectors,
            OrderStore orders, ProfileDirectory profiles, TransactionTemplate tx, ApiRateLimiter limiter,
            dev.unison.hub.outbox.OutboxRelay relay) {
        String version = ApiConfiguration.class.getPackage().getImplementationVersion();
        return new PartnerApiRoutes(new ApiSupport(partners, limiter), schemas, partners, outbox,
                new OpenApiDocument(version == null ? "dev" : version, schemas), connectors, orders, profiles, tx,
                relay.shards());
    }

    @Bean
    ApiErrorAttributes apiErrorAttributes() {
        return new ApiErrorAttributes();
    }

    /** UNISON_BOOTSTRAP_API_KEY gives a new installation its first key: partner "bootstrap", every scope. */
    @Bean
    ApplicationRunner bootstrapPartner(Partners partners, UnisonProperties properties) {
        return args -> {
            String key = properties.bootstrapApiKey();
            if (key != null && !key.isBlank()) {
                partners.ensureBootstrap(key.trim());
            }
        };
    }
}
