package dev.unison.hub.config;

import dev.unison.canonical.identity.IdentityResolver;
import dev.unison.hub.api.ApiRateLimiter;
import dev.unison.hub.api.ApiSchemas;
import dev.unison.hub.api.ApiSupport;
import dev.unison.hub.api.InventoryApiRoutes;
import dev.unison.hub.api.Partners;
import dev.unison.hub.inventory.InventoryLedger;
import dev.unison.hub.inventory.InventoryNetwork;
import dev.unison.hub.inventory.InventoryRoutes;
import dev.unison.hub.inventory.PosTransactions;
import dev.unison.hub.inventory.PositionRepair;
import dev.unison.hub.inventory.ReservationExpiry;
import dev.unison.hub.outbox.Outbox;
import dev.unison.hub.storage.UncleanStopMarker;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** Wires the inventory core: network, ledger, the order consumer, POS and inventory APIs. */
@Configuration(proxyBeanMethods = false)
public class InventoryConfiguration {

    @Bean
    InventoryNetwork inventoryNetwork(UnisonProperties properties) {
        return new InventoryNetwork(properties.inventory().locations(), properties.inventory().safetyStock());
    }

    @Bean
    InventoryLedger inventoryLedger(JdbcTemplate jdbc, Outbox outbox, InventoryNetwork network, Clock clock,
            MeterRegistry meters) {
        return new InventoryLedger(jdbc, outbox, network, clock, meters);
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

    @Bean
    InventoryRoutes inventoryRoutes(InventoryLedger ledger) {
        return new InventoryRoutes(ledger);
    }

    @Bean
    PosTransactions posTransactions(JdbcTemplate jdbc, TransactionTemplate tx, InventoryLedger ledger, Outbox outbox,
            Clock clock, MeterRegistry meters) {
        PosTransactions pos = new PosTransactions(jdbc, tx, ledger, outbox, clock);
        pos.bindMetrics(meters);
        return pos;
    }

    @Bean
    InventoryApiRoutes inventoryApiRoutes(Partners partners, ApiSchemas schemas, InventoryLedger ledger, PosTransactions pos,
            TransactionTemplate tx, IdentityResolver identity, ApiRateLimiter limiter) {
        return new InventoryApiRoutes(new ApiSupport(partners, limiter), schemas, ledger, pos, tx, identity.normalizer());
    }
}
