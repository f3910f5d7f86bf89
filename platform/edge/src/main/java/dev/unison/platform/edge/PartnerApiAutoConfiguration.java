package dev.unison.platform.edge;

import dev.unison.platform.outbox.Outbox;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The partner API's platform: partners and their keys, the scopes every installed module declares,
 * request and response schemas, the OpenAPI document, events intake, and the bootstrap partner.
 * Domains add their operations with their own {@link ApiRoutes} beans.
 */
@AutoConfiguration(after = HttpEdgeAutoConfiguration.class)
public class PartnerApiAutoConfiguration {

    @Bean
    DeclaredScopes platformScopes() {
        return DeclaredScopes.platform();
    }

    @Bean
    ScopeCatalog scopeCatalog(List<DeclaredScopes> declared) {
        return new ScopeCatalog(declared);
    }

    @Bean
    Partners partners(JdbcTemplate jdbc, Clock clock, ObjectProvider<ReservedChannels> reserved, ScopeCatalog scopes,
            ApiProperties api) {
        return new Partners(jdbc, clock, name -> reserved.stream().anyMatch(r -> r.isReserved(name)), scopes, api.keyCacheTtl());
    }

    /** Authentication, rate limit and scope checks, shared by every module's API routes. */
    @Bean
    ApiSupport apiSupport(Partners partners, ApiRateLimiter limiter, ApiProperties api, HttpEdge edge) {
        return new ApiSupport(partners, limiter, api.edge().maxRequestWait(), edge);
    }

    /** The request/response schemas; reservation-max-hold bounds a reservation's expiresAt. */
    @Bean
    ApiSchemas apiSchemas(Clock clock, ApiProperties properties) {
        return new ApiSchemas(clock, Map.of("reservation-max-hold", properties.reservationMaxHold()));
    }

    /** One-event {@code POST /api/v1/events} requests share commits; refused (503) past the edge's longest wait. */
    @Bean(destroyMethod = "close")
    dev.unison.platform.jdbc.GroupCommit<Outbox.Submitted, Boolean> partnerEventIntake(TransactionTemplate tx, Outbox outbox,
            ApiProperties properties, io.micrometer.core.instrument.MeterRegistry meters) {
        return PartnerApiRoutes.singleEventIntake(tx, outbox, properties.edge().maxRequestWait(), meters);
    }

    @Bean
    PartnerApiRoutes partnerApiRoutes(ApiSupport api, Partners partners, ApiSchemas schemas, Outbox outbox,
            TransactionTemplate tx, ScopeCatalog scopes, dev.unison.platform.jdbc.GroupCommit<Outbox.Submitted, Boolean> partnerEventIntake) {
        String version = PartnerApiAutoConfiguration.class.getPackage().getImplementationVersion();
        return new PartnerApiRoutes(api, schemas, partners, outbox,
                new OpenApiDocument(version == null ? "dev" : version, schemas, scopes), tx, partnerEventIntake);
    }

    /** GET /api/v1/metrics: every business metric the installed domains declare. */
    @Bean
    dev.unison.platform.edge.metrics.BusinessMetricsApiRoutes businessMetricsApiRoutes(ApiSupport api, ApiSchemas schemas,
            List<dev.unison.platform.edge.metrics.BusinessMetric> metrics, Clock clock) {
        return new dev.unison.platform.edge.metrics.BusinessMetricsApiRoutes(api, schemas, metrics, clock);
    }

    /** The business metrics as Prometheus gauges, recomputed every unison.api.business-metrics-interval (1 min). */
    @Bean
    dev.unison.platform.edge.metrics.BusinessMetricGauges businessMetricGauges(
            List<dev.unison.platform.edge.metrics.BusinessMetric> metrics, io.micrometer.core.instrument.MeterRegistry registry,
            Clock clock, @Value("${unison.api.business-metrics-interval:1m}") java.time.Duration interval) {
        return new dev.unison.platform.edge.metrics.BusinessMetricGauges(metrics, registry, clock, interval);
    }

    /** UNISON_BOOTSTRAP_API_KEY gives a new installation its first key: partner "bootstrap", every scope. */
    @Bean
    ApplicationRunner bootstrapPartner(Partners partners, @Value("${unison.bootstrap-api-key:}") String key) {
        return args -> {
            if (key != null && !key.isBlank()) {
                partners.ensureBootstrap(key.trim());
            }
        };
    }
}
