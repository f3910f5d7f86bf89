package dev.unison.orders;

import dev.unison.identity.ProfileDirectory;
import dev.unison.platform.edge.ApiSchemas;
import dev.unison.platform.edge.ApiSupport;
import dev.unison.platform.edge.DeclaredScopes;
import java.time.Clock;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

/** The orders domain: the order store, the consumer that fills it from the bus, and its API. */
@AutoConfiguration
public class OrdersAutoConfiguration {

    @Bean
    OrderStore orderStore(JdbcTemplate jdbc, Clock clock) {
        return new OrderStore(jdbc, clock);
    }

    @Bean
    OrderStoreRoutes orderStoreRoutes(OrderStore orders) {
        return new OrderStoreRoutes(orders);
    }

    @Bean
    DeclaredScopes orderScopes() {
        return OrderScopes.declared();
    }

    @Bean
    OrdersApiRoutes ordersApiRoutes(ApiSupport api, ApiSchemas schemas, OrderStore orders, ProfileDirectory profiles) {
        return new OrdersApiRoutes(api, schemas, orders, profiles);
    }
}
