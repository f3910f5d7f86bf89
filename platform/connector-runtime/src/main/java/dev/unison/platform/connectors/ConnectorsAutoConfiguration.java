package dev.unison.platform.connectors;

import dev.unison.connectors.kit.mapping.MappingLibrary;
import dev.unison.platform.connectors.InstalledConnectors;
import dev.unison.platform.connectors.OutboundComponent;
import dev.unison.platform.connectors.JdbcCoalescingQueue;
import dev.unison.platform.connectors.JdbcExternalRefs;
import dev.unison.platform.connectors.LocationReferences;
import dev.unison.platform.connectors.MicrometerConnectionMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import dev.unison.platform.deadletter.DeadLetters;
import dev.unison.platform.secrets.EncryptionKeys;
import dev.unison.platform.secrets.JdbcCredentialStore;
import dev.unison.platform.inbox.InboxDispatcher;
import dev.unison.platform.inbox.JdbcInbox;
import dev.unison.platform.outbox.Outbox;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import dev.unison.connectors.kit.spi.KnownLocations;
import dev.unison.platform.edge.ApiSchemas;
import dev.unison.platform.edge.ApiSupport;
import dev.unison.platform.edge.ReservedChannels;
import dev.unison.platform.messaging.InboxProperties;
import dev.unison.platform.outbox.OutboxRelay;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.core.env.Environment;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The connector runtime: the installed connectors (found with ServiceLoader) and their connections,
 * their routes, the declarative mappings, the inbox and its dispatcher, the outbound component, the
 * stores behind the kit's SPI, and the operators' connections API. (The demo shops are the demo
 * module's, started by its own auto-configuration.)
 */
@AutoConfiguration
@EnableConfigurationProperties(ConnectorRuntimeProperties.class)
public class ConnectorsAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectorsAutoConfiguration.class);

    /** Every {@code <system>/<message-type>.jsonata} under the mappings location, compiled (a broken one stops start-up). */
    @Bean
    MappingLibrary mappingLibrary(ConnectorRuntimeProperties properties) throws IOException {
        String location = properties.mappingsLocation().replaceAll("/+$", "");
        // each connector's jar carries its own mappings/<system>/ folder: search every classpath root
        String search = location.startsWith("classpath:") ? "classpath*:" + location.substring("classpath:".length()) : location;
        Resource[] files = new PathMatchingResourcePatternResolver()
                .getResources(search + "/*/*" + MappingLibrary.FILE_SUFFIX);
        Map<String, String> sources = new LinkedHashMap<>();
        for (Resource file : files) {
            String system = systemOf(file);
            String name = system + "/" + file.getFilename().replace(MappingLibrary.FILE_SUFFIX, "");
            try (InputStream in = file.getInputStream()) {
                sources.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        MappingLibrary library = MappingLibrary.compile(sources);
        LOG.info("loaded {} mappings from {}: {}", sources.size(), location, library.names());
        return library;
    }

    private static String systemOf(Resource file) throws IOException {
        String uri = file.getURI().toString();
        String parent = uri.substring(0, uri.lastIndexOf('/'));
        return parent.substring(parent.lastIndexOf('/') + 1);
    }


    /** Webhook deliveries, stored by group commit before they are acknowledged. */
    @Bean(destroyMethod = "close")
    JdbcInbox jdbcInbox(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, ObjectProvider<InboxDispatcher> dispatcher,
            InboxProperties inbox, MeterRegistry meters) {
        return new JdbcInbox(jdbc, tx, clock, () -> dispatcher.getObject().wakeUp(), inbox.maxQueueWait(), meters);
    }

    @Bean
    InstalledConnectors installedConnectors(ConnectorRuntimeProperties properties, MappingLibrary mappings, JdbcTemplate jdbc,
            JdbcInbox inbox, Clock clock, Environment environment, DeadLetters deadLetters,
            MeterRegistry meters, TransactionTemplate tx, ObjectProvider<KnownLocations> locations) throws IOException {
        // connection ids are only known once the file is read: metrics resolve them lazily
        var connectionIds = new java.util.concurrent.CopyOnWriteArraySet<String>();
        var metrics = new java.util.concurrent.atomic.AtomicReference<MicrometerConnectionMetrics>();
        var stores = new InstalledConnectors.Stores(inbox,
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
                id -> locations.stream().anyMatch(known -> known.contains(id)));
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
            InstalledConnectors installed, Clock clock, InboxProperties inbox) {
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

    /** A partner may not take a connection's or its channel's name. */
    @Bean
    ReservedChannels connectionChannels(InstalledConnectors installed) {
        return installed::isOwnChannel;
    }

    @Bean
    OperationsApiRoutes operationsApiRoutes(ApiSupport api, ApiSchemas schemas, InstalledConnectors installed,
            OutboxRelay relay) {
        return new OperationsApiRoutes(api, schemas, installed, relay.shards());
    }

    /** Registered under the name "outbound": the endpoint routes/fan-out.yaml sends changes to. */
    @Bean("outbound")
    OutboundComponent outboundComponent(InstalledConnectors installed) {
        return new OutboundComponent(installed);
    }
}
