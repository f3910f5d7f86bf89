package dev.unison.hub.inbox;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.spi.Connector;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.spi.RetryLaterException;
import dev.unison.hub.deadletter.DeadLetters;
import dev.unison.hub.outbox.Outbox;
import dev.unison.hub.worker.BackgroundWorker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Maps stored inbound deliveries to canonical events, oldest first. Each delivery is handled in
 * one transaction: its events enter the outbox and the row is marked together, so a crash in
 * between replays the delivery and (the event ids being derived from it) publishes nothing twice.
 * A delivery the connector cannot map is dead-lettered with its original body and the reason; one
 * it cannot map <em>yet</em> ({@link RetryLaterException}) is tried again with backoff. An order,
 * customer account or cart whose source version is not newer than the one the hub holds ({@link InboundVersions}) is stale:
 * counted and logged, not published, so it changes no order, stock or identity.
 * A {@code job_lock} row keeps one dispatcher of all hub instances at work, so deliveries of one
 * connection are mapped in the order they arrived.
 */
public class InboxDispatcher extends BackgroundWorker {

    private record Row(long id, String connectionId, String connector, String messageType, String dedupeKey,
            String headers, String body, OffsetDateTime receivedAt, int attempts) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(InboxDispatcher.class);

    /** Attempts before a delivery that keeps asking to be retried later is dead-lettered (~12 h of backoff). */
    static final int MAX_ATTEMPTS = 30;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Outbox outbox;
    private final DeadLetters deadLetters;
    private final Map<String, Connector> connectors;
    private final ConnectorContext context;
    private final Clock clock;
    private final InboundVersions versions;

    public InboxDispatcher(JdbcTemplate jdbc, TransactionTemplate tx, Outbox outbox, DeadLetters deadLetters,
            Map<String, Connector> connectors, ConnectorContext context, Clock clock, Duration pollInterval) {
        super("inbox-dispatcher", pollInterval, Duration.ofSeconds(30));
        this.jdbc = jdbc;
        this.tx = tx;
        this.outbox = outbox;
        this.deadLetters = deadLetters;
        this.connectors = connectors;
        this.context = context;
        this.clock = clock;
        this.versions = new InboundVersions(jdbc);
    }

    /** A delivery waiting to be handled whose retry time (if any) has come; one parameter: now. */
    private static final String DUE = "status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)";

    /** Handles up to {@code limit} pending deliveries, each in its own transaction; returns how many. */
    public int dispatchOnce(int limit) {
        if (jdbc.queryForList("SELECT id FROM inbox WHERE " + DUE + " LIMIT 1", Long.class,
                OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)).isEmpty()) {
            // nothing due: a plain read, so an idle poll does not take the job lock (a write and a commit)
            return 0;
        }
        int handled = 0;
        while (handled < limit && Boolean.TRUE.equals(tx.execute(status -> handleNext()))) {
            handled++;
        }
        return handled;
    }

    private boolean handleNext() {
        jdbc.queryForList("SELECT name FROM job_lock WHERE name = 'inbox-dispatcher' FOR UPDATE");
        List<Row> rows = jdbc.query("SELECT * FROM inbox WHERE " + DUE + " ORDER BY id LIMIT 1",
                (rs, i) -> new Row(rs.getLong("id"), rs.getString("connection_id"), rs.getString("connector"),
                        rs.getString("message_type"), rs.getString("dedupe_key"), rs.getString("headers"),
                        rs.getString("body"), rs.getObject("received_at", OffsetDateTime.class), rs.getInt("attempts")),
                OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
        if (rows.isEmpty()) {
            return false;
        }
        Row row = rows.get(0);
        List<CanonicalEvent> events;
        try {
            events = map(row);
        } catch (org.springframework.dao.DataAccessException databaseFailure) {
            throw databaseFailure; // transient: roll back and retry the delivery, never dead-letter it
        } catch (RetryLaterException notYet) {
            if (row.attempts() + 1 < MAX_ATTEMPTS) {
                // 2 s, 4 s, ... capped at 30 min; the delivery keeps its place, others go on
                long seconds = Math.min(1800, 1L << Math.min(row.attempts() + 1, 11));
                jdbc.update("UPDATE inbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?",
                        OffsetDateTime.ofInstant(clock.instant().plusSeconds(seconds), ZoneOffset.UTC), row.id());
                return true;
            }
            deadLetters.record("inbox:" + row.connectionId(), row.dedupeKey(), row.connector() + ":" + row.messageType(),
                    new IllegalStateException("gave up after " + MAX_ATTEMPTS + " attempts: " + notYet.getMessage()), row.body());
            mark(row.id(), "failed", 0);
            return true;
        } catch (Exception mappingFailure) {
            // nothing was written for this delivery yet: keep the original with the reason
            deadLetters.record("inbox:" + row.connectionId(), row.dedupeKey(), row.connector() + ":" + row.messageType(),
                    mappingFailure, row.body());
            mark(row.id(), "failed", 0);
            return true;
        }
        // database failures from here on roll the whole delivery back; it is retried, not dead-lettered
        int published = 0;
        for (CanonicalEvent event : events) {
            if (versions.admit(row.connectionId(), event) == InboundVersions.Verdict.STALE) {
                stale(row, event);
                continue;
            }
            outbox.appendIfAbsent("events", event);
            published++;
        }
        mark(row.id(), events.isEmpty() ? "kept" : published == 0 ? "stale" : "processed", published);
        return true;
    }

    /**
     * A record not newer than the one the hub holds (a replayed or late delivery of an older state):
     * not an error and not dead-lettered — counted, logged, and nothing changes.
     */
    private void stale(Row row, CanonicalEvent event) {
        String kind = InboundVersions.kind(event).orElse("record");
        context.metrics().count(row.connectionId(), "inbound_" + kind, "stale");
        LOG.info("stale delivery {} of connection {}: {} {} at version {} is not newer than the version {} the hub "
                + "holds; nothing changed", row.id(), row.connectionId(), kind, printable(event.partitionKey()),
                InboundVersions.version(event).orElse(null),
                versions.held(row.connectionId(), event).orElse(null));
    }

    /** Control characters from a payload never reach the log raw. */
    private static String printable(String value) {
        return value == null ? null : value.codePoints()
                .map(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    private List<CanonicalEvent> map(Row row) throws Exception {
        Connector connector = connectors.get(row.connector());
        if (connector == null) {
            throw new IllegalStateException("connector " + row.connector() + " is not installed");
        }
        Connection connection = context.connection(row.connectionId()).orElseThrow(() ->
                new IllegalStateException("connection " + row.connectionId() + " is no longer configured"));
        InboundDelivery delivery = new InboundDelivery(row.connectionId(), row.connector(), row.messageType(),
                row.dedupeKey(), CanonicalJson.mapper().readValue(row.headers(), new TypeReference<Map<String, String>>() { }),
                row.body().getBytes(StandardCharsets.UTF_8), row.receivedAt().toInstant());
        return connector.mapInbound(delivery, connection, context);
    }

    private void mark(long id, String status, int events) {
        jdbc.update("UPDATE inbox SET status = ?, events = ?, processed_at = ? WHERE id = ?", status, events,
                OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC), id);
    }

    @Override
    protected boolean runRound() {
        return dispatchOnce(100) == 100;
    }
}
