package dev.unison.platform.messaging;

import dev.unison.platform.bus.ArtemisBusTransport;
import dev.unison.platform.bus.BusComponent;
import dev.unison.platform.bus.BusTransport;
import dev.unison.platform.bus.KafkaBusTransport;
import dev.unison.platform.deadletter.DeadLetters;
import dev.unison.platform.outbox.Outbox;
import dev.unison.platform.outbox.OutboxRelay;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.jms.ConnectionFactory;
import dev.unison.platform.worker.BackgroundWorker;
import dev.unison.platform.worker.WorkersLifecycle;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** The messaging platform: the event bus the transport chosen by {@code unison.bus.type}, the outbox and its relay, {@code bus:}. */
@AutoConfiguration
@EnableConfigurationProperties({BusProperties.class, OutboxProperties.class, InboxProperties.class})
public class MessagingAutoConfiguration {

    /** Once every route is in place: a {@code unison.bus.batch-wait.<group>} naming no consumer group is logged (WARN). */
    @Bean
    org.springframework.context.ApplicationListener<org.springframework.boot.context.event.ApplicationReadyEvent> batchWaitGroupsCheck(
            BusComponent bus, org.apache.camel.CamelContext camel) {
        return ready -> {
            java.util.Set<String> unknown = bus.batchWaitsForNoGroup(camel.getEndpoints());
            if (!unknown.isEmpty()) {
                org.slf4j.LoggerFactory.getLogger(MessagingAutoConfiguration.class).warn(
                        "unison.bus.batch-wait names consumer groups no route consumes as, so it changes nothing for them: {}",
                        unknown);
            }
        };
    }

    /** The Kafka consumers' metrics without their per-topic copies (see {@link KafkaConsumerMeters}). */
    @Bean
    io.micrometer.core.instrument.config.MeterFilter kafkaConsumerMetersPerClient() {
        return dev.unison.platform.bus.KafkaConsumerMeters.perClientCopiesOnly();
    }

    /**
     * Embedded Artemis: redeliver without limit. A consumer group rolls a batch back when the
     * database is unavailable and retries with backoff; Artemis' default of 10 delivery attempts
     * (ActiveMQ Artemis docs, "Undelivered Messages") would then drop events during a longer outage.
     * The dead-letter and expiry addresses are named anyway (the broker's own DLQ and ExpiryQueue,
     * as in its default broker.xml): nothing reaches them, since delivery is never given up and our
     * messages carry no expiry, but without them Artemis warns about every queue at each start
     * (AMQ222165, AMQ222166). What a consumer cannot handle goes to the hub's dead_letter table.
     */
    @Bean
    org.springframework.boot.artemis.autoconfigure.ArtemisConfigurationCustomizer unlimitedRedelivery() {
        return configuration -> configuration.addAddressSetting("#",
                new org.apache.activemq.artemis.core.settings.impl.AddressSettings().setMaxDeliveryAttempts(-1)
                        .setDeadLetterAddress(org.apache.activemq.artemis.api.core.SimpleString.of("DLQ"))
                        .setExpiryAddress(org.apache.activemq.artemis.api.core.SimpleString.of("ExpiryQueue")));
    }

    @Bean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean(destroyMethod = "close")
    BusTransport busTransport(BusProperties bus, ObjectProvider<ConnectionFactory> jms,
            ObjectProvider<org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ> embedded) {
        return switch (bus.type()) {
            case ARTEMIS -> new ArtemisBusTransport(jms.getObject(), dev.unison.platform.bus.EmbeddedSubscriptionFilters.of(embedded.getIfAvailable()));
            case KAFKA -> {
                if (bus.kafkaBrokers() == null || bus.kafkaBrokers().isBlank()) {
                    throw new IllegalStateException("unison.bus.type=kafka needs unison.bus.kafka-brokers "
                            + "(env KAFKA_BOOTSTRAP_SERVERS in the production profile)");
                }
                yield new KafkaBusTransport(bus.kafkaBrokers(), bus.sendTimeout().toMillis());
            }
        };
    }

    @Bean
    OutboxRelay outboxRelay(JdbcTemplate jdbc, TransactionTemplate tx, BusTransport transport,
            OutboxProperties o, Clock clock, MeterRegistry meters) {
        return new OutboxRelay(jdbc, tx, transport,
                new OutboxRelay.Settings(o.batchSize(), o.pollInterval(), o.maxBackoff(), o.shardLease()),
                dev.unison.connectors.kit.spi.InstanceId.OF_THIS_PROCESS, clock, meters);
    }

    @Bean
    Outbox outbox(JdbcTemplate jdbc, Clock clock, ObjectProvider<OutboxRelay> relay) {
        return new Outbox(jdbc, clock, () -> relay.getObject().wakeUp());
    }

    @Bean
    DeadLetters deadLetters(JdbcTemplate jdbc, Clock clock, MeterRegistry meters) {
        return new DeadLetters(jdbc, clock, meters);
    }

    /** Registered under the name "bus": Camel finds components in the Spring registry by bean name. */
    @Bean("bus")
    BusComponent busComponent(BusTransport transport, Outbox outbox, DeadLetters deadLetters, DataSource dataSource,
            TransactionTemplate tx, MeterRegistry meters, BusProperties bus) {
        Map<String, Long> batchWait = new java.util.HashMap<>();
        bus.batchWait().forEach((group, wait) -> batchWait.put(group, wait.toMillis()));
        return new BusComponent(transport, outbox, deadLetters, dataSource, tx, meters, batchWait);
    }

    @Bean
    HealthIndicator busHealthIndicator(BusTransport transport) {
        return () -> {
            try {
                transport.check();
                return Health.up().withDetail("transport", transport.name()).build();
            } catch (RuntimeException e) {
                return Health.down().withDetail("transport", transport.name()).withDetail("error", e.getMessage())
                        .build();
            }
        };
    }

    /** The background workers (outbox relay unless disabled, inbox dispatcher), started when the hub is ready. */
    @Bean
    WorkersLifecycle backgroundWorkers(List<BackgroundWorker> workers, OutboxProperties outbox) {
        return new WorkersLifecycle(workers.stream()
                .filter(worker -> outbox.relayEnabled() || !(worker instanceof OutboxRelay))
                .toList());
    }
}
