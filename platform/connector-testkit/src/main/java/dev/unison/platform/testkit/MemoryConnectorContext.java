package dev.unison.platform.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.config.ConnectionsLoader;
import dev.unison.connectors.kit.mapping.MappingLibrary;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.CoalescingQueue;
import dev.unison.connectors.kit.spi.ConnectionMetrics;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.DeadLetterSink;
import dev.unison.connectors.kit.spi.ExternalRefs;
import dev.unison.connectors.kit.spi.Inbox;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hub's side of {@link ConnectorContext}, in memory, for connector unit tests: connections read
 * from a connections file through the connector's descriptor (so settings are typed and validated
 * as in the hub), an inbox that keeps pulled pages with their cursors, the coalescing queue,
 * external refs, dead letters, metrics and reported statuses, all visible to the test.
 */
public final class MemoryConnectorContext implements ConnectorContext {

    public record DeadLetter(String consumer, String key, String reason, String payload) {
    }

    /** Deliveries the inbox stored, in order (a duplicate dedupe key is stored once). */
    public final List<InboundDelivery> stored = Collections.synchronizedList(new ArrayList<>());
    /** Cursors of pulled streams, by {@code connectionId/stream}. */
    public final Map<String, String> cursors = new ConcurrentHashMap<>();
    /** How long each page commit takes (a busy hub's database), zero by default. */
    public volatile java.time.Duration pageCommitTakes = java.time.Duration.ZERO;

    /** When positive, the page commit with this number fails as a crash before it would (counted from 1). */
    public volatile int failOnPage = -1;
    private int pages;
    public final Map<String, String> refs = new ConcurrentHashMap<>();
    public final Map<String, CoalescingQueue.Pending> queue = Collections.synchronizedMap(new LinkedHashMap<>());
    public final Map<String, Long> watermarks = new ConcurrentHashMap<>();
    public final List<DeadLetter> deadLetters = Collections.synchronizedList(new ArrayList<>());
    public final Map<String, CheckResult> statuses = new ConcurrentHashMap<>();
    public final Map<String, Long> counters = new ConcurrentHashMap<>();
    public final List<Connection> connections;
    private final Clock clock;
    public final dev.unison.connectors.kit.spi.CredentialStore credentials;
    private long versions;

    /** Connections of {@code descriptor}'s connector from a connections file, placeholders resolved from {@code env}. */
    public MemoryConnectorContext(ConnectorDescriptor descriptor, String connectionsYaml, Map<String, String> env, Clock clock) {
        this.connections = new ConnectionsLoader(Map.of(descriptor.name(), descriptor), env::get)
                .load(new ByteArrayInputStream(connectionsYaml.getBytes(StandardCharsets.UTF_8)), "test");
        this.clock = clock;
        this.credentials = dev.unison.connectors.kit.spi.CredentialStore.inMemory(clock);
    }

    @Override
    public dev.unison.connectors.kit.spi.CredentialStore credentials() {
        return credentials;
    }

    @Override
    public Optional<Connection> connection(String connectionId) {
        return connections.stream().filter(c -> c.id().equals(connectionId)).findFirst();
    }

    @Override
    public List<Connection> connectionsOf(String connectorName) {
        return connections.stream().filter(c -> c.connector().name().equals(connectorName)).toList();
    }

    @Override
    public MappingLibrary mappings() {
        throw new UnsupportedOperationException("not needed here");
    }

    @Override
    public Inbox inbox() {
        return new Inbox() {
            @Override
            public Result accept(InboundDelivery delivery) {
                synchronized (stored) {
                    if (isStored(delivery)) {
                        return Result.DUPLICATE;
                    }
                    stored.add(delivery);
                    return Result.ACCEPTED;
                }
            }

            @Override
            public Optional<String> cursor(String connectionId, String stream) {
                return Optional.ofNullable(cursors.get(connectionId + "/" + stream));
            }

            @Override
            public java.util.Set<String> stored(String connectionId, java.util.Collection<String> dedupeKeys) {
                synchronized (stored) {
                    return dedupeKeys.stream().filter(key -> stored.stream().anyMatch(d -> d.connectionId().equals(connectionId)
                            && d.dedupeKey().equals(key))).collect(java.util.stream.Collectors.toSet());
                }
            }

            @Override
            public Optional<Integer> acceptPage(String connectionId, String stream, Optional<String> expected, String next,
                    List<InboundDelivery> page) {
                if (!pageCommitTakes.isZero()) {
                    try {
                        Thread.sleep(pageCommitTakes.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                synchronized (stored) {
                    if (++pages == failOnPage) {
                        throw new IllegalStateException("the hub died before page " + pages + " was committed");
                    }
                    if (!cursor(connectionId, stream).equals(expected)) {
                        return Optional.empty();
                    }
                    cursors.put(connectionId + "/" + stream, next);
                    int fresh = 0;
                    for (InboundDelivery d : page) {
                        if (!isStored(d)) {
                            stored.add(d);
                            fresh++;
                        }
                    }
                    return Optional.of(fresh);
                }
            }
        };
    }

    private boolean isStored(InboundDelivery delivery) {
        return stored.stream().anyMatch(d -> d.connectionId().equals(delivery.connectionId())
                && d.dedupeKey().equals(delivery.dedupeKey()));
    }

    @Override
    public ExternalRefs refs() {
        return new ExternalRefs() {
            @Override
            public void put(String connectionId, String kind, String key, String externalId) {
                refs.put(connectionId + "/" + kind + "/" + key, externalId);
            }

            @Override
            public Optional<String> get(String connectionId, String kind, String key) {
                return Optional.ofNullable(refs.get(connectionId + "/" + kind + "/" + key));
            }
        };
    }

    @Override
    public CoalescingQueue outboundQueue() {
        return new CoalescingQueue() {
            @Override
            public synchronized void offer(String connectionId, String kind, String key, JsonNode value) {
                CoalescingQueue.Pending before = queue.get(key);
                queue.put(key, new Pending(connectionId, kind, key, value, ++versions,
                        before == null ? clock.instant() : before.firstOfferedAt()));
            }

            @Override
            public synchronized boolean offerIfAbsent(String connectionId, String kind, String key, JsonNode value) {
                if (queue.containsKey(key)) {
                    return false;
                }
                offer(connectionId, kind, key, value);
                return true;
            }

            @Override
            public synchronized boolean offerIfNewer(String connectionId, String kind, String key, JsonNode value,
                    long sourceVersion) {
                String watermark = connectionId + "/" + kind + "/" + key; // per connection and kind, as the hub keeps it
                Long newest = watermarks.get(watermark);
                if (newest != null && newest >= sourceVersion) {
                    return false;
                }
                watermarks.put(watermark, sourceVersion);
                offer(connectionId, kind, key, value);
                return true;
            }

            @Override
            public List<Pending> next(String connectionId, String kind, int limit) {
                synchronized (queue) {
                    return queue.values().stream().limit(limit).toList();
                }
            }

            @Override
            public void done(List<Pending> sent) {
                sent.forEach(p -> queue.remove(p.key(), p));
            }

            @Override
            public boolean tryLease(String connectionId, String kind, String owner, Duration ttl) {
                return true;
            }
        };
    }

    @Override
    public DeadLetterSink deadLetters() {
        return (consumer, key, type, reason, payload) -> deadLetters.add(new DeadLetter(consumer, key, reason, payload));
    }

    @Override
    public ConnectionMetrics metrics() {
        return (connectionId, what, outcome, amount) -> counters.merge(what + "/" + outcome, amount, Long::sum);
    }

    @Override
    public void reportStatus(String connectionId, CheckResult status) {
        statuses.put(connectionId, status);
    }

    public Instant now() {
        return clock.instant();
    }
}
