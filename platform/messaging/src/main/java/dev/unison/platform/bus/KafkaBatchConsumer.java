package dev.unison.platform.bus;

import dev.unison.connectors.kit.log.LogSafe;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one consumer group from Kafka in batches: each poll's records (up to {@code maxBatch})
 * are handled in one database transaction ({@link BusDelivery#processBatch}, which replays a batch
 * one record at a time when one of them fails, so only that one is dead-lettered), and the offsets
 * are committed only after that transaction commits. Records of one key share a partition and are
 * handled in partition order (Kafka documentation, "Consumer" / "Topics and Logs": order is kept
 * within a partition).
 *
 * <p>Rebalances: polling, processing and committing happen on one thread, so a partition can only
 * be revoked inside {@code poll()}, when the previous batch has already been committed to the
 * database and its offsets to Kafka, or while the next batch is being gathered, before any of it
 * is applied (its records then leave the batch); nothing is ever in flight at a revoke. A member that loses its
 * partitions anyway (processing longer than {@code max.poll.interval.ms}) fails to commit offsets
 * ({@code CommitFailedException}); the new owner receives those records again and the idempotent
 * repository, written in the same database transaction as their effects, drops them: neither lost
 * nor applied twice. When the database is unavailable the batch is rolled back and the consumer
 * seeks back to the batch's first offsets, so the same records come again after a backoff.
 *
 * <p>Every group reads the whole topic; a group that handles some types only skips the others.
 * When nothing of a poll was for the group, nothing was written, so its offsets need no commit of
 * their own: they wait ({@link SkippedOffsets}) for the group's next commit, at most a second, or
 * for their partition's revoke. An idle group committed once per fetch before, three times as
 * often as a gathering group applying every sale, and with N relays publishing a member sees N
 * fetches where one relay would make one.
 *
 * <p>The consumer's own metrics ({@code records-lag-max}, fetch rates; see {@link KafkaConsumerMeters}) are bound
 * to Micrometer with the group as a tag: {@code kafka_consumer_fetch_manager_records_lag_max}.
 */
class KafkaBatchConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBatchConsumer.class);

    /** How long offsets of records a group skipped (other types only) may wait uncommitted. */
    static final long SKIPPED_COMMIT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String brokers;
    private final String brokerTopic;
    private final String group;
    private final BusDelivery delivery;
    private final int maxBatch;
    private final long batchWaitMillis;
    private final MeterRegistry meters;
    private final io.micrometer.core.instrument.Counter commits;
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread worker;

    KafkaBatchConsumer(BusEndpoint endpoint, String brokers, String brokerTopic, String group, BusDelivery delivery,
            int maxBatch, long batchWaitMillis, MeterRegistry meters) {
        super(endpoint, exchange -> { });
        this.brokers = brokers;
        this.brokerTopic = brokerTopic;
        this.group = group;
        this.delivery = delivery;
        this.maxBatch = maxBatch;
        this.batchWaitMillis = batchWaitMillis;
        this.meters = meters;
        this.commits = io.micrometer.core.instrument.Counter.builder("unison.bus.offset.commits").tag("group", group)
                .description("offset commits to Kafka: one per batch applied; skipped records' about once a second")
                .register(meters);
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "unison-" + group + "-" + Long.toHexString(System.nanoTime()));
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false); // offsets follow the database commit
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxBatch);
        // a partition keeps a member busy at most one batch; handing it on after 5 min is safe (see above)
        config.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 300_000);
        // cooperative rebalancing: members keep their other partitions while one moves
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        if (brokerWaitMillis() > 0) {
            // the broker gathers: it answers a fetch once the wait has passed or much has piled up
            // (Kafka documentation, consumer configs fetch.min.bytes / fetch.max.wait.ms), so a
            // member gets one fetch per wait however many relays publish to its partitions; a
            // fetch answered at once gave a member with N relays N fetches for one relay's one
            config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) brokerWaitMillis());
            config.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, FETCH_MIN_BYTES_WHEN_GATHERING);
        }
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Joins the group before the route counts as started, so the first poll happens at once. */
    @Override
    protected void doStart() throws Exception {
        super.doStart();
        running = true;
        worker = new Thread(this::run, "bus-" + group);
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        if (worker != null) {
            worker.join(TimeUnit.SECONDS.toMillis(15));
        }
        super.doStop();
    }

    private void run() {
        long backoffMillis = 100;
        while (running) {
            try (KafkaConsumer<String, byte[]> kafka = newConsumer();
                    KafkaClientMetrics metrics = new KafkaClientMetrics(kafka, List.of(Tag.of("group", group)))) {
                metrics.bindTo(meters);
                consumer = kafka;
                Set<TopicPartition> revoked = new HashSet<>();
                SkippedOffsets skipped = new SkippedOffsets(SKIPPED_COMMIT_INTERVAL_NANOS);
                kafka.subscribe(List.of(brokerTopic), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        // called inside poll(): a batch being gathered drops these partitions' records (see gather)
                        revoked.addAll(partitions);
                        commitSkipped(kafka, skipped.takeFor(partitions), null); // still ours until this returns
                        LOG.info("bus group {}: partitions revoked {}", group, partitions);
                    }

                    @Override
                    public void onPartitionsLost(Collection<TopicPartition> partitions) {
                        revoked.addAll(partitions);
                        skipped.takeFor(partitions); // no longer ours to commit; the new owner skips them too
                        LOG.info("bus group {}: partitions lost {}", group, partitions);
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        LOG.info("bus group {}: partitions assigned {}", group, partitions);
                    }
                });
                backoffMillis = 100;
                while (running) {
                    List<ConsumerRecord<String, byte[]>> records = gather(kafka, revoked);
                    if (records.isEmpty()) {
                        commitSkipped(kafka, skipped.takeIfDue(), skipped);
                        continue;
                    }
                    List<Exchange> batch = new ArrayList<>(records.size());
                    Map<TopicPartition, OffsetAndMetadata> next = new LinkedHashMap<>();
                    Map<TopicPartition, Long> first = new LinkedHashMap<>();
                    for (ConsumerRecord<String, byte[]> record : records) {
                        batch.add(exchange(record));
                        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                        first.putIfAbsent(partition, record.offset());
                        next.put(partition, new OffsetAndMetadata(record.offset() + 1));
                    }
                    boolean wroteAnything;
                    try {
                        wroteAnything = delivery.processBatch(batch);
                    } catch (RuntimeException failure) {
                        // the database is unavailable: nothing committed; read the same records again
                        LOG.warn("bus group {}: batch of {} failed, retrying: {}", group, batch.size(), LogSafe.of(failure, 1000));
                        first.forEach(kafka::seek);
                        BusDelivery.pause(backoffMillis);
                        backoffMillis = Math.min(backoffMillis * 2, 5_000);
                        continue;
                    }
                    backoffMillis = 100;
                    if (!wroteAnything) {
                        // nothing of these records was for this group: reading them again changes
                        // nothing, so their offsets wait for the group's next commit (or a second)
                        skipped.add(next);
                        commitSkipped(kafka, skipped.takeIfDue(), skipped);
                        continue;
                    }
                    try {
                        kafka.commitSync(skipped.takeWith(next));
                        commits.increment();
                    } catch (org.apache.kafka.clients.consumer.CommitFailedException
                            | org.apache.kafka.common.errors.RebalanceInProgressException lostPartitions) {
                        // a rebalance took the partitions: their new owner reprocesses, the idempotent repository drops it
                        LOG.warn("bus group {}: offsets not committed after a rebalance; the new owner skips what this "
                                + "batch applied: {}", group, LogSafe.of(lostPartitions, 500));
                    }
                }
            } catch (WakeupException stopping) {
                // doStop(): leave the group (closing revokes the partitions, which commits what
                // waits of skipped records; should that fail, the next owner skips them again)
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warn("bus group {}: Kafka consumer failed, reconnecting: {}", group, LogSafe.of(e, 1000));
                    BusDelivery.pause(backoffMillis);
                    backoffMillis = Math.min(backoffMillis * 2, 5_000);
                }
            } finally {
                consumer = null;
            }
        }
    }

    /** The part of the group's batchWait the broker waits out (fetch.max.wait.ms); the client waits the rest. */
    private long brokerWaitMillis() {
        return Math.min(batchWaitMillis, MAX_BROKER_WAIT_MILLIS);
    }

    /** Kafka's default fetch.max.wait.ms; longer holds a fetch beyond what a poll would wait for. */
    static final long MAX_BROKER_WAIT_MILLIS = 500;
    /** Far above what piles up within a wait here: the wait, not the size, answers the fetch. */
    static final int FETCH_MIN_BYTES_WHEN_GATHERING = 1 << 20;

    /** Whether the last commit of skipped offsets failed (logged once until one succeeds). */
    private boolean skippedCommitFailing;

    /**
     * Commits the offsets of skipped records, waiting at most 2 s: it also runs in the revoke
     * callback of a closing consumer, which must not hold a stop for the client's 60 s default. A
     * failure only means the records are read (and skipped) again; unless the partitions are gone
     * ({@code CommitFailedException}) or revoked ({@code putBack} null), the offsets wait for the
     * next try, so an idle group's committed offsets do not stay behind.
     */
    private void commitSkipped(KafkaConsumer<String, byte[]> kafka, Map<TopicPartition, OffsetAndMetadata> offsets,
            SkippedOffsets putBack) {
        if (offsets.isEmpty()) {
            return;
        }
        try {
            kafka.commitSync(offsets, SKIPPED_COMMIT_TIMEOUT);
            commits.increment();
            if (skippedCommitFailing) {
                skippedCommitFailing = false;
                LOG.info("bus group {}: offsets of skipped records committed again", group);
            }
        } catch (WakeupException stopping) {
            throw stopping;
        } catch (org.apache.kafka.clients.consumer.CommitFailedException partitionsGone) {
            LOG.debug("bus group {}: offsets of skipped records not committed, partitions reassigned", group);
        } catch (org.apache.kafka.common.KafkaException notCommitted) {
            if (putBack != null) {
                putBack.add(offsets);
            }
            if (!skippedCommitFailing) {
                skippedCommitFailing = true;
                LOG.warn("bus group {}: offsets of skipped records not committed (retried every second; until then "
                        + "Kafka shows the group behind): {}", group, LogSafe.of(notCommitted, 500));
            }
        }
    }

    private static final Duration SKIPPED_COMMIT_TIMEOUT = Duration.ofSeconds(2);

    /**
     * One batch: a poll's records, and when the group sets {@code batchWait}, what the broker
     * gathered for it (up to 500 ms of it, fetch.max.wait.ms) and for a longer wait the records of
     * further polls until the rest has passed since the first (or the batch holds {@code maxBatch}). Without the wait a member commits one transaction per fetch that finds
     * something, and with several instances each relay's publishes arrive as fetches of their own:
     * the same events cost more transactions the more instances there are. A partition revoked
     * (or lost) during a later poll of the gathering leaves the batch, nothing of it applied; its
     * new owner starts at the committed offset. Should it come straight back to this member, the
     * consumer is sent back to the first record dropped, so nothing is skipped.
     */
    private List<ConsumerRecord<String, byte[]>> gather(KafkaConsumer<String, byte[]> kafka, Set<TopicPartition> revoked) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        revoked.clear();
        kafka.poll(Duration.ofMillis(500)).forEach(records::add);
        revoked.clear(); // revoked before anything was held: nothing to drop
        if (records.isEmpty() || batchWaitMillis <= brokerWaitMillis()) {
            return records; // no wait, or the broker waited it out already
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(batchWaitMillis - brokerWaitMillis());
        while (records.size() < maxBatch && running) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                break;
            }
            kafka.poll(Duration.ofMillis(left)).forEach(records::add);
        }
        if (!revoked.isEmpty()) {
            Map<TopicPartition, Long> firstDropped = new LinkedHashMap<>();
            records.removeIf(record -> {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (revoked.contains(partition)) {
                    firstDropped.putIfAbsent(partition, record.offset());
                    return true;
                }
                return false;
            });
            Set<TopicPartition> assigned = kafka.assignment();
            firstDropped.forEach((partition, offset) -> {
                if (assigned.contains(partition)) {
                    kafka.seek(partition, offset);
                }
            });
            revoked.clear();
        }
        return records;
    }

    /** The record as a camel-kafka consumer would present it: value as body, headers as byte[]. */
    private Exchange exchange(ConsumerRecord<String, byte[]> record) {
        Exchange exchange = getEndpoint().createExchange();
        exchange.getIn().setBody(record.value());
        for (Header header : record.headers()) {
            exchange.getIn().setHeader(header.key(), header.value());
        }
        return exchange;
    }
}
