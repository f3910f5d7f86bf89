package dev.unison.hub.config;

import dev.unison.connectors.kit.mapping.MappingLibrary;
import dev.unison.hub.connectors.InstalledConnectors;
import dev.unison.hub.connectors.OutboundComponent;
import dev.unison.hub.connectors.JdbcCoalescingQueue;
import dev.unison.hub.connectors.JdbcExternalRefs;
import dev.unison.hub.connectors.LocationReferences;
import dev.unison.hub.connectors.MicrometerConnectionMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import dev.unison.hub.deadletter.DeadLetters;
import dev.unison.hub.secrets.EncryptionKeys;
import dev.unison.hub.secrets.JdbcCredentialStore;
import dev.unison.hub.inbox.InboxDispatcher;
import dev.unison.hub.inbox.JdbcInbox;
import dev.unison.hub.inventory.InventoryNetwork;
import dev.unison.hub.orders.OrderStore;
import dev.unison.hub.orders.OrderStoreRoutes;
import dev.unison.hub.outbox.Outbox;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Wires connectors: discovery, connections, their routes, the inbox and its dispatcher, the order
 * store. (The demo shops are the demo module's, started by its own auto-configuration.)
 */
@Configuration(proxyBeanMethods = false)
public class ConnectorsConfiguration {

    @Bean
    InstalledConnectors installedConnectors(UnisonProperties properties, MappingLibrary mappings, JdbcTemplate jdbc,
            ObjectProvider<InboxDispatcher> dispatcher, Clock clock, Environment environment, DeadLetters deadLetters,
            MeterRegistry meters, TransactionTemplate tx, InventoryNetwork network) throws IOException {
        // connection ids are only known once the file is read: metrics resolve them lazily
        var connectionIds = new java.util.concurrent.CopyOnWriteArraySet<String>();
        var metrics = new java.util.concurrent.atomic.AtomicReference<MicrometerConnectionMetrics>();
        var stores = new InstalledConnectors.Stores(new JdbcInbox(jdbc, tx, clock, () -> dispatcher.getObject().wakeUp()),
                new JdbcExternalRefs(jdbc, tx, clock), new JdbcCoalescingQueue(jdbc, clock),
                (consumer, key, type, reason, payload) -> deadLetters.record(consumer, key, type, reason, payload),
                (connection, what, outcome, amount) -> metrics.get().add(connection, what, outcome, amount),
                new JdbcCredentialStore(jdbc, tx, EncryptionKeys.resolve(environment.getProperty(EncryptionKeys.SETTING),
                        environment.matchesProfiles("production"), java.nio.file.Path.of(properties.dataDir())), clock));
        // ${NAME} in connections.yaml: environment variables first, like every Spring property source
        InstalledConnectors installed = new InstalledConnectors(InstalledConnectors.discover(),
                new DefaultResourceLoader().getResource(properties.connectionsLocation()), environment::getProperty, mappings,
                stores, clock);
        List<String> undeclared = LocationReferences.problems(installed.connections(), installed.connectors(),
                id -> network.location(id).isPresent());
        if (!undeclared.isEmpty()) {
            throw new IllegalStateException(String.join("; ", undeclared));
        }
        installed.connections().forEach(c -> connectionIds.add(c.id()));
        metrics.set(new MicrometerConnectionMetrics(meters, connectionIds));
        metrics.get().registerGauges(jdbc);
        return installed;
    }

    @Bean
    InboxDispatcher inboxDispatcher(JdbcTemplate jdbc, TransactionTemplate tx, Outbox outbox, DeadLetters deadLetters,
            InstalledConnectors installed, Clock clock, UnisonProperties properties) {
        UnisonProperties.Inbox inbox = properties.inbox();
        return new InboxDispatcher(jdbc, tx, outbox, deadLetters, installed.connectors(), installed, clock,
                inbox.pollInterval(), inbox.threads(), inbox.lease());
    }

    /** Each connector's own routes (e.g. its webhook endpoint), added before Camel starts. */
    @Bean
    CamelContextConfiguration connectorRoutes(InstalledConnectors installed) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camel) {
                installed.connectors().values().forEach(connector -> {
                    try {
                        camel.addRoutes(connector.routes(installed));
                    } catch (Exception e) {
                        throw new IllegalStateException("routes of connector " + connector.descriptor().name(), e);
                    }
                });
            }

            @Override
            public void afterApplicationStart(CamelContext camel) {
                // nothing to do once started
            }
        };
    }

    @Bean
    OrderStore orderStore(JdbcTemplate jdbc, Clock clock) {
        return new OrderStore(jdbc, clock);
    }

    @Bean
    OrderStoreRoutes orderStoreRoutes(OrderStore orders) {
        return new OrderStoreRoutes(orders);
    }

    /** Registered under the name "outbound": the endpoint routes/fan-out.yaml sends changes to. */
    @Bean("outbound")
    OutboundComponent outboundComponent(InstalledConnectors installed) {
        return new OutboundComponent(installed);
    }
}
