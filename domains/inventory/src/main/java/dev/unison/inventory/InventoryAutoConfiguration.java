package dev.unison.inventory;

import dev.unison.canonical.identity.IdentityResolver;
import dev.unison.platform.edge.ApiRateLimiter;
import dev.unison.platform.edge.ApiSchemas;
import dev.unison.platform.edge.ApiSupport;
import dev.unison.inventory.InventoryApiRoutes;
import dev.unison.platform.edge.Partners;
import dev.unison.inventory.InventoryLedger;
import dev.unison.inventory.InventoryNetwork;
import dev.unison.inventory.InventoryRoutes;
import dev.unison.inventory.PosTransactions;
import dev.unison.inventory.PositionRepair;
import dev.unison.inventory.ReservationExpiry;
import dev.unison.platform.outbox.Outbox;
import dev.unison.platform.storage.UncleanStopMarker;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.beans.factory.annotation.Value;
import dev.unison.platform.retention.RetentionRule;
import java.time.Duration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import dev.unison.platform.edge.DeclaredScopes;
import dev.unison.connectors.kit.spi.KnownLocations;
import dev.unison.canonical.identity.IdentifierNormalizer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** The inventory domain: network, ledger, the order consumer, POS and inventory APIs. */
@AutoConfiguration
@EnableConfigurationProperties(InventoryProperties.class)
public class InventoryAutoConfiguration {

    @Bean
    InventoryNetwork inventoryNetwork(InventoryProperties properties) {
        return new InventoryNetwork(properties.locations(), properties.safetyStock());
    }

    /** Connections may map their locations to the network's (checked at start-up). */
    @Bean
    KnownLocations networkLocations(InventoryNetwork network) {
        return id -> network.location(id).isPresent();
    }

    /**
     * Released or expired reservations are deleted by the retention sweep once they expired longer
     * ago than {@code unison.retention.reservations} (default 7 days, at least 1 hour).
     */
    @Bean
    RetentionRule reservationRetention(@Value("${unison.retention.reservations:P7D}") Duration keep) {
        return ReservationRetention.rule(keep);
    }

    @Bean
    DeclaredScopes inventoryScopes() {
        return InventoryScopes.declared();
    }

    @Bean
    InventoryLedger inventoryLedger(JdbcTemplate jdbc, Outbox outbox, InventoryNetwork network, Clock clock,
            MeterRegistry meters, @org.springframework.beans.factory.annotation.Value("${unison.fan-out.positions:false}")
            boolean publishPositions) {
        InventoryLedger ledger = new InventoryLedger(jdbc, outbox, network, clock, meters);
        // positions are published only for the route that hands them to connections (routes/fan-out.yaml)
        ledger.publishPositions(publishPositions);
        return ledger;
    }

    /**
     * After an unclean stop of the embedded H2 file, positions are checked against their movements
     * while the context starts, before the web server and the routes do.
     */
    @Bean
    PositionRepair positionRepair(InventoryLedger ledger, TransactionTemplate tx, ObjectProvider<UncleanStopMarker> marker) {
        PositionRepair repair = new PositionRepair(ledger, tx);
        UncleanStopMarker stop = marker.getIfAvailable();
        if (stop != null && stop.previousRunStoppedUncleanly()) {
            repair.run();
        }
        return repair;
    }

    @Bean
    ReservationExpiry reservationExpiry(InventoryLedger ledger, TransactionTemplate tx) {
        return new ReservationExpiry(ledger, tx);
    }

    /** Stock held for the carts domain's carts, from its cart events (docs/carts.md "Reservations"). */
    @Bean
    CartReservationRoutes cartReservationRoutes(InventoryLedger ledger, JdbcTemplate jdbc, Clock clock) {
        return new CartReservationRoutes(new CartReservations(ledger, jdbc, clock));
    }

    @Bean
    InventoryRoutes inventoryRoutes(InventoryLedger ledger) {
        return new InventoryRoutes(ledger);
    }

    @Bean
    PosTransactions posTransactions(JdbcTemplate jdbc, TransactionTemplate tx, InventoryLedger ledger, Outbox outbox,
            Clock clock, MeterRegistry meters, InventoryProperties settings) {
        PosTransactions pos = new PosTransactions(jdbc, tx, ledger, outbox, clock, settings.posMaxQueueWait());
        pos.bindMetrics(meters);
        return pos;
    }

    /** POS batch files: their reports and the consumer that applies their transactions (docs/connectors/pos-files.md). */
    @Bean
    PosFileReports posFileReports(JdbcTemplate jdbc, Clock clock) {
        return new PosFileReports(jdbc, clock);
    }

    /** POS file reports are kept {@code unison.retention.pos-files} (default 90 days, at least a day). */
    @Bean
    RetentionRule posFileTransactionRetention(@Value("${unison.retention.pos-files:P90D}") Duration keep) {
        return PosFileRetention.rules(keep).get(0);
    }

    @Bean
    RetentionRule posFileRetention(@Value("${unison.retention.pos-files:P90D}") Duration keep) {
        return PosFileRetention.rules(keep).get(1);
    }

    @Bean
    PosFileRoutes posFileRoutes(PosTransactions pos, PosFileReports reports, InventoryLedger ledger,
            dev.unison.platform.deadletter.DeadLetters deadLetters, ObjectProvider<IdentityResolver> identity,
            @Value("${unison.identity.default-region:US}") String defaultRegion) {
        // as the POS API normalizes a till's identifiers
        IdentifierNormalizer normalizer = identity.stream().findFirst().map(IdentityResolver::normalizer)
                .orElseGet(() -> new IdentifierNormalizer(defaultRegion));
        return new PosFileRoutes(pos, reports, ledger, deadLetters, normalizer);
    }

    @Bean
    PosFileApiRoutes posFileApiRoutes(ApiSupport api, ApiSchemas schemas, PosFileReports reports) {
        return new PosFileApiRoutes(api, schemas, reports);
    }

    @Bean
    InventoryApiRoutes inventoryApiRoutes(ApiSupport api, ApiSchemas schemas, InventoryLedger ledger, PosTransactions pos,
            TransactionTemplate tx, ObjectProvider<IdentityResolver> identity,
            @Value("${unison.identity.default-region:US}") String defaultRegion) {
        // a till's identifiers are normalized as the identity domain normalizes them; without it, for the same phone region
        IdentifierNormalizer normalizer = identity.stream().findFirst().map(IdentityResolver::normalizer)
                .orElseGet(() -> new IdentifierNormalizer(defaultRegion));
        return new InventoryApiRoutes(api, schemas, ledger, pos, tx, normalizer);
    }
}
