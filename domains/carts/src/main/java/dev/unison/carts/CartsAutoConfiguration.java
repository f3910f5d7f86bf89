package dev.unison.carts;

import dev.unison.connectors.kit.spi.KnownLocations;
import dev.unison.identity.ProfileDirectory;
import org.springframework.beans.factory.ObjectProvider;
import dev.unison.platform.edge.ApiSchemas;
import dev.unison.platform.edge.ApiSupport;
import dev.unison.platform.edge.DeclaredScopes;
import dev.unison.platform.outbox.Outbox;
import dev.unison.platform.retention.RetentionRule;
import dev.unison.platform.retention.RetentionSweeper;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** The carts domain: the cart store, its consumer, the abandonment worker and the carts API. */
@AutoConfiguration
@EnableConfigurationProperties(CartsProperties.class)
public class CartsAutoConfiguration {

    @Bean
    CartStore cartStore(JdbcTemplate jdbc, Clock clock, ProfileDirectory profiles, Outbox outbox, CartsProperties settings) {
        return new CartStore(jdbc, clock, profiles, outbox, settings);
    }

    @Bean
    CartRoutes cartRoutes(CartStore carts) {
        return new CartRoutes(carts);
    }

    @Bean
    CartExpiry cartExpiry(CartStore carts, TransactionTemplate tx) {
        return new CartExpiry(carts, tx);
    }

    /**
     * Closed carts (converted or abandoned) are deleted by the retention sweep once closed longer ago
     * than {@code unison.retention.carts} (default 30 days, at least 1 hour); open ones never are.
     */
    @Bean
    RetentionRule cartRetention(@Value("${unison.retention.carts:P30D}") Duration keep) {
        RetentionSweeper.Settings.requireAtLeast("unison.retention.carts", keep, Duration.ofHours(1));
        return new RetentionRule("cart", keep, "DELETE FROM cart WHERE cart_id IN (SELECT cart_id FROM cart "
                + "WHERE status <> 'open' AND closed_at < ? LIMIT ?)", false);
    }

    @Bean
    DeclaredScopes cartsScopes() {
        return CartsScopes.declared();
    }

    @Bean
    CartsApiRoutes cartsApiRoutes(ApiSupport api, ApiSchemas schemas, CartStore carts, TransactionTemplate tx,
            ObjectProvider<KnownLocations> locations) {
        // the stock network's locations (the inventory domain declares them); without one, any store id is taken
        KnownLocations known = locations.stream().findFirst().orElse(id -> true);
        return new CartsApiRoutes(api, schemas, carts, tx, known);
    }
}
