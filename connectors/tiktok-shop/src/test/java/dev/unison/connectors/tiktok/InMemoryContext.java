package dev.unison.connectors.tiktok;

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

/** The hub's side of {@link ConnectorContext}, in memory, for connector unit tests. */
final class InMemoryContext implements ConnectorContext {

    record DeadLetter(String consumer, String key, String reason) {
    }

    final Map<String, String> refs = new ConcurrentHashMap<>();
    final Map<String, CoalescingQueue.Pending> queue = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, Long> watermarks = new ConcurrentHashMap<>();
    final List<DeadLetter> deadLetters = Collections.synchronizedList(new ArrayList<>());
    final Map<String, CheckResult> statuses = new ConcurrentHashMap<>();
    final Map<String, Long> counters = new ConcurrentHashMap<>();
    final List<Connection> connections;
    private final Clock clock;
    final dev.unison.connectors.kit.spi.CredentialStore credentials;
    private long versions;

    InMemoryContext(String connectionsYaml, Map<String, String> env, Clock clock) {
        var descriptor = new TikTokShopConnector().descriptor();
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
        throw new UnsupportedOperationException("not needed here");
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
        return (consumer, key, type, reason, payload) -> deadLetters.add(new DeadLetter(consumer, key, reason));
    }

    @Override
    public ConnectionMetrics metrics() {
        return (connectionId, what, outcome, amount) -> counters.merge(what + "/" + outcome, amount, Long::sum);
    }

    @Override
    public void reportStatus(String connectionId, CheckResult status) {
        statuses.put(connectionId, status);
    }

    Instant now() {
        return clock.instant();
    }
}
