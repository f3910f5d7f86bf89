package dev.unison.platform.bus;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.platform.outbox.OutboxRecord;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.KafkaMessageFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Exchange;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka transport. Events go in CloudEvents <em>binary</em> mode ({@code ce_*} headers, data as the
 * record value; CloudEvents Kafka Protocol Binding) with the partition key as the record key, so
 * one key always lands on one partition and stays in order. The producer is idempotent with
 * {@code acks=all}; a batch is sent, flushed, and every acknowledgement awaited before the relay
 * deletes its pending rows. Consumer groups are Kafka consumer groups, consumed in batches by
 * {@link KafkaBatchConsumer}.
 */
public class KafkaBusTransport implements BusTransport {

    private static final EventFormat STRUCTURED_JSON =
            EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);

    static final int MAX_BATCH = 500;

    private final String brokers;
    private final KafkaProducer<String, byte[]> producer;
    private final long sendTimeoutMillis;

    public KafkaBusTransport(String brokers, long sendTimeoutMillis) {
        this.brokers = brokers;
        this.sendTimeoutMillis = sendTimeoutMillis;
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) sendTimeoutMillis);
        // delivery.timeout.ms must cover linger.ms + request.timeout.ms
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1_000, Math.min(30_000, sendTimeoutMillis / 2)));
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, sendTimeoutMillis);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "unison-outbox-relay");
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public void publish(List<OutboxRecord> batch) {
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
        for (OutboxRecord r : batch) {
            // the row was validated when it entered the outbox: convert the envelope, do not re-validate
            CloudEvent event = STRUCTURED_JSON.deserialize(r.payload().getBytes(StandardCharsets.UTF_8));
            ProducerRecord<String, byte[]> record = KafkaMessageFactory
                    .createWriter(BusTransport.brokerTopic(r.topic()), r.partitionKey())
                    .writeBinary(event);
            acks.add(producer.send(record));
        }
        producer.flush();
        try {
            for (Future<RecordMetadata> ack : acks) {
                ack.get(sendTimeoutMillis, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BusException("interrupted while publishing to Kafka", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new BusException("Kafka publish of " + batch.size() + " events failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String consumerUri(String topic, String group) {
        return "kafka:" + BusTransport.brokerTopic(topic) + "?brokers=" + brokers + "&groupId=" + group
                + "&autoOffsetReset=earliest&breakOnFirstError=true"
                + "&valueDeserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer";
    }

    /** Batches of up to 500 records (gathered for the group's batchWait), one database transaction each (see {@link KafkaBatchConsumer}). */
    @Override
    public org.apache.camel.Consumer batchConsumer(org.apache.camel.Endpoint endpoint, String topic, String group,
            java.util.Set<String> types, BusDelivery delivery) {
        BusEndpoint bus = (BusEndpoint) endpoint;
        return new KafkaBatchConsumer(bus, brokers, BusTransport.brokerTopic(topic), group, delivery, MAX_BATCH,
                bus.getBatchWait(), bus.getComponent().meters);
    }

    @Override
    public CanonicalEvent decode(Exchange exchange) {
        RecordHeaders headers = new RecordHeaders();
        exchange.getIn().getHeaders().forEach((name, value) -> {
            if ((name.startsWith("ce_") || name.equalsIgnoreCase("content-type")) && value instanceof byte[] bytes) {
                headers.add(name, bytes);
            }
        });
        byte[] body = exchange.getIn().getBody(byte[].class);
        // our own bus: validated when built, before the outbox (CanonicalEvent.fromTrustedCloudEvent)
        return CanonicalEvent.fromTrustedCloudEvent(KafkaMessageFactory.createReader(headers, body).toEvent());
    }

    @Override
    public String peekType(Exchange exchange) {
        Object type = exchange.getIn().getHeader("ce_type");
        return type instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
                : type == null ? null : type.toString();
    }

    @Override
    public void check() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000))) {
            admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BusException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new BusException("Kafka unreachable at " + brokers + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
