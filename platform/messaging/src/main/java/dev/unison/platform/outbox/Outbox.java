package dev.unison.platform.outbox;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.platform.jdbc.InLists;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The transactional outbox. {@link #append} writes through the caller's JDBC transaction, so the
 * event exists exactly when the state change it announces was committed; the {@link OutboxRelay}
 * moves it to the bus afterwards. Publishing anything to the bus goes through here.
 */
public class Outbox {

    private static final Pattern TOPIC = Pattern.compile("[a-z][a-z0-9-]{0,63}");
    private static final String INSERT_IF_ABSENT = "INSERT INTO outbox_event "
            + "(event_id, topic, event_type, partition_key, payload, created_at, shard) "
            + "SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM outbox_event WHERE event_id = ?)";

    private static final String INSERT = "INSERT INTO outbox_event "
            + "(event_id, topic, event_type, partition_key, payload, created_at, owner, owner_event_id, shard) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** Queues an appended event for the relay (in the appending transaction). */
    private static final String PENDING_BY_ID = "INSERT INTO outbox_pending (seq, shard) SELECT seq, shard FROM outbox_event "
            + "WHERE event_id = ?";

    private static final String PENDING = "INSERT INTO outbox_pending (seq, shard) VALUES (?, ?)";

    static final RowMapper<OutboxRecord> ROW = Outbox::mapRow;

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Runnable afterCommit;
    private final TransactionTemplate ownTransaction;

    /** @param afterCommit called once a transaction that appended events commits (wakes the relay) */
    public Outbox(JdbcTemplate jdbc, Clock clock, Runnable afterCommit) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.afterCommit = afterCommit;
        this.ownTransaction = new TransactionTemplate(new JdbcTransactionManager(jdbc.getDataSource()));
    }

    public static String requireTopic(String topic) {
        if (topic == null || !TOPIC.matcher(topic).matches()) {
            throw new IllegalArgumentException("bus topic must match " + TOPIC.pattern() + ", got '" + topic + "'");
        }
        return topic;
    }

    /** Appends events in one JDBC batch, inside the caller's transaction when there is one. */
    public void append(String topic, List<CanonicalEvent> events) {
        requireTopic(topic);
        if (events.isEmpty()) {
            return;
        }
        insert(topic, events.stream().map(e -> new Submitted(null, null, e)).toList());
    }

    public void append(String topic, CanonicalEvent event) {
        append(topic, List.of(event));
    }

    /**
     * Appends an event unless one with the same id is already in the outbox: the id is the
     * idempotency key of a submitted event. Returns false for a duplicate.
     */
    public boolean appendIfAbsent(String topic, CanonicalEvent e) {
        requireTopic(topic);
        int inserted;
        try {
            inserted = atomically(() -> {
                int n = jdbc.update(INSERT_IF_ABSENT, e.id(), topic, e.type().typeName(), e.partitionKey(),
                        e.toStructuredJson(), Timestamp.from(clock.instant()), RelayShards.of(e.partitionKey()), e.id());
                if (n == 1) {
                    jdbc.update(PENDING_BY_ID, e.id());
                }
                return n;
            });
        } catch (DuplicateKeyException concurrentDuplicate) {
            return false;
        }
        if (inserted == 1) {
            notifyRelay();
        }
        return inserted == 1;
    }

    /** An event a partner submitted: its owner (partner id), the id the partner gave it, the event as the hub built it. */
    public record Submitted(String owner, String ownerEventId, CanonicalEvent event) {
    }

    /**
     * Appends partner-submitted events in one JDBC batch, inside the caller's transaction, skipping
     * those whose bus id is already in the outbox (the partner's id is its idempotency key). Returns,
     * per event in order, whether it was accepted (false: a duplicate, also within the batch). A
     * concurrent request that inserts the same id first makes this throw {@link DuplicateKeyException};
     * the caller retries, and the retry sees the other request's row.
     */
    public List<Boolean> appendSubmitted(String topic, List<Submitted> events) {
        requireTopic(topic);
        Set<String> existing = new HashSet<>();
        List<String> ids = events.stream().map(s -> s.event().id()).distinct().toList();
        for (List<String> chunk : InLists.chunks(ids)) {
            existing.addAll(jdbc.queryForList("SELECT event_id FROM outbox_event WHERE event_id IN ("
                    + InLists.placeholders(chunk.size()) + ")", String.class, chunk.toArray()));
        }
        List<Boolean> accepted = new ArrayList<>(events.size());
        List<Submitted> fresh = new ArrayList<>();
        for (Submitted s : events) {
            boolean isNew = existing.add(s.event().id());
            accepted.add(isNew);
            if (isNew) {
                fresh.add(s);
            }
        }
        if (!fresh.isEmpty()) {
            insert(topic, fresh);
        }
        return accepted;
    }

    /**
     * Runs {@code work} in the caller's transaction, or in one of its own when there is none: an
     * event row and its pending row exist together or not at all (an event row alone would never
     * be published, and would be reported as published).
     */
    private <T> T atomically(java.util.function.Supplier<T> work) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            return work.get();
        }
        return ownTransaction.execute(status -> work.get());
    }

    /**
     * One JDBC batch of inserts, another of their rows in {@code outbox_pending} under the sequence
     * numbers the inserts were given, then the relay is woken once the transaction commits.
     */
    private void insert(String topic, List<Submitted> events) {
        atomically(() -> {
            insertRows(topic, events);
            return null;
        });
        notifyRelay();
    }

    private void insertRows(String topic, List<Submitted> events) {
        Timestamp now = Timestamp.from(clock.instant());
        GeneratedKeyHolder generated = new GeneratedKeyHolder();
        jdbc.batchUpdate(con -> con.prepareStatement(INSERT, new String[] {"seq"}), new BatchPreparedStatementSetter() {
            @Override
            public void setValues(PreparedStatement ps, int i) throws SQLException {
                Submitted s = events.get(i);
                CanonicalEvent e = s.event();
                ps.setString(1, e.id());
                ps.setString(2, topic);
                ps.setString(3, e.type().typeName());
                ps.setString(4, e.partitionKey());
                ps.setString(5, e.toStructuredJson());
                ps.setTimestamp(6, now);
                ps.setString(7, s.owner());
                ps.setString(8, s.ownerEventId());
                ps.setInt(9, RelayShards.of(e.partitionKey()));
            }

            @Override
            public int getBatchSize() {
                return events.size();
            }
        }, generated);
        List<Map<String, Object>> keys = generated.getKeyList();
        if (keys.size() != events.size()) {
            throw new IllegalStateException("the database returned " + keys.size() + " outbox sequence numbers for "
                    + events.size() + " inserted events");
        }
        jdbc.batchUpdate(PENDING, new BatchPreparedStatementSetter() {
            @Override
            public void setValues(PreparedStatement ps, int i) throws SQLException {
                ps.setLong(1, ((Number) keys.get(i).values().iterator().next()).longValue());
                ps.setInt(2, RelayShards.of(events.get(i).event().partitionKey()));
            }

            @Override
            public int getBatchSize() {
                return events.size();
            }
        });
    }

    /** The event a partner submitted under its own id. */
    public Optional<OutboxRecord> findOwned(String owner, String ownerEventId) {
        return jdbc.query("SELECT * FROM outbox_event WHERE owner = ? AND owner_event_id = ?", ROW, owner, ownerEventId)
                .stream().findFirst();
    }

    public Optional<OutboxRecord> find(String eventId) {
        return jdbc.query("SELECT * FROM outbox_event WHERE event_id = ?", ROW, eventId).stream().findFirst();
    }

    public long pendingCount() {
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM outbox_pending", Long.class);
        return n == null ? 0 : n;
    }

    /** Whether the event still waits for the relay (false once it is on the bus). */
    public boolean isPending(long seq) {
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM outbox_pending WHERE seq = ?", Long.class, seq);
        return n != null && n > 0;
    }

    private void notifyRelay() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    afterCommit.run();
                }
            });
        } else {
            afterCommit.run();
        }
    }

    private static OutboxRecord mapRow(ResultSet rs, int row) throws SQLException {
        return new OutboxRecord(rs.getLong("seq"), rs.getString("event_id"), rs.getString("topic"),
                rs.getString("event_type"), rs.getString("partition_key"), rs.getString("payload"),
                instant(rs, "created_at"), rs.getString("owner"), rs.getString("owner_event_id"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
