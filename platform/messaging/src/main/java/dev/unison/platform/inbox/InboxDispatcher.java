package dev.unison.platform.inbox;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.spi.CoalescingQueue;
import dev.unison.connectors.kit.spi.Connector;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.spi.RetryLaterException;
import dev.unison.platform.deadletter.DeadLetters;
import dev.unison.platform.outbox.Outbox;
import dev.unison.platform.worker.BackgroundWorker;
import dev.unison.connectors.kit.log.LogSafe;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Maps stored inbound deliveries to canonical events, each connection's in the order they arrived,
 * connections independently of each other.
 *
 * <p>Per connection: a lease ({@code queue_lease}, kind {@value #LEASE_KIND}) keeps one instance
 * of all hubs at work on a connection's deliveries, and one task of that instance, on a pool of
 * {@code threads}. A delivery is mapped <em>outside</em> any transaction, because mapping may call
 * the system's API (TikTok Shop's webhooks carry ids; the order is fetched with a signed request
 * that may take its full timeout); then one short transaction checks that the lease is still this
 * instance's and the delivery still pending, appends its events to the outbox and marks the row.
 * A crash in between replays the delivery, and the event ids being derived from it, nothing is
 * published twice; an instance that lost its lease during a slow call writes nothing, and the
 * new holder maps the delivery again from the start. So a connection whose API hangs holds one
 * pool thread and its own lease, never a lock another connection needs.
 *
 * <p>A delivery the connector cannot map is dead-lettered with its original body and the reason;
 * one it cannot map <em>yet</em> ({@link RetryLaterException}) is tried again with backoff while
 * the connection's later deliveries go on. An order, customer account or cart whose source version
 * is not newer than the one the hub holds ({@link InboundVersions}) is stale: counted and logged,
 * not published, so it changes no order, stock or identity.
 */
public class InboxDispatcher extends BackgroundWorker {

    private record Row(long id, String connectionId, String connector, String messageType, String dedupeKey,
            String headers, String body, OffsetDateTime receivedAt, int attempts) {
    }

    /** What mapping a delivery gave, decided before the transaction that records it. */
    private sealed interface Mapped {
        record Events(List<CanonicalEvent> events) implements Mapped {
        }

        record NotYet(RetryLaterException reason) implements Mapped {
        }

        record Failed(Exception reason) implements Mapped {
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(InboxDispatcher.class);

    /** The lease kind in {@code queue_lease}: the instance that maps a connection's deliveries. */
    public static final String LEASE_KIND = "inbox";

    /** Attempts before a delivery that keeps asking to be retried later is dead-lettered (~12 h of backoff). */
    static final int MAX_ATTEMPTS = 30;

    /** Deliveries one task maps before it gives its thread back (and is scheduled again). */
    static final int DELIVERIES_PER_TASK = 100;

    /**
     * Deliveries recorded in one transaction: a backlog (a pulled page of 200 orders, a burst of
     * webhooks) costs a commit per group, not per delivery. A group is cut short once mapping it has
     * taken {@link #GROUP_MAPPING_BUDGET}, so a connection whose mapping calls a slow API commits
     * what it has mapped well within its lease.
     */
    static final int GROUP = 50;
    static final Duration GROUP_MAPPING_BUDGET = Duration.ofSeconds(1);

    /** A delivery waiting to be handled whose retry time (if any) has come; one parameter: now. */
    private static final String DUE = "status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Outbox outbox;
    private final DeadLetters deadLetters;
    private final Map<String, Connector> connectors;
    private final ConnectorContext context;
    private final CoalescingQueue leases;
    private final Clock clock;
    private final InboundVersions versions;
    private final Duration lease;
    private final ThreadPoolExecutor pool;
    /** Connections a task of this instance is working on, or is queued for. */
    private final Set<String> working = ConcurrentHashMap.newKeySet();
    /** Connections whose last task failed on the database, and when to try them again. */
    private final Map<String, Backoff> backoffs = new ConcurrentHashMap<>();

    private record Backoff(Instant until, long millis) {
    }

    public InboxDispatcher(JdbcTemplate jdbc, TransactionTemplate tx, Outbox outbox, DeadLetters deadLetters,
            Map<String, Connector> connectors, ConnectorContext context, Clock clock, Duration pollInterval, int threads,
            Duration lease) {
        super("inbox-dispatcher", pollInterval, Duration.ofSeconds(30));
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("unison.inbox.threads must be 1..64, got " + threads);
        }
        if (lease == null || lease.compareTo(Duration.ofSeconds(5)) < 0) {
            throw new IllegalArgumentException("unison.inbox.lease must be at least 5s, got " + lease);
        }
        this.jdbc = jdbc;
        this.tx = tx;
        this.outbox = outbox;
        this.deadLetters = deadLetters;
        this.connectors = connectors;
        this.context = context;
        this.leases = context.outboundQueue();
        this.clock = clock;
        this.versions = new InboundVersions(jdbc);
        this.lease = lease;
        AtomicInteger numbers = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread thread = new Thread(task, "inbox-" + numbers.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Schedules a task for every connection with a due delivery that no task of this instance has
     * yet and whose lease this instance holds or can take.
     */
    @Override
    protected boolean runRound() {
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        // plain reads: an idle poll takes no lease (a write and a commit)
        for (String connectionId : dueConnections(now)) {
            Backoff backoff = backoffs.get(connectionId);
            if (backoff != null && clock.instant().isBefore(backoff.until()) || !working.add(connectionId)) {
                continue;
            }
            boolean scheduled = false;
            try {
                if (leases.tryLease(connectionId, LEASE_KIND, context.instanceId(), lease)) {
                    pool.execute(() -> work(connectionId));
                    scheduled = true;
                }
            } catch (RejectedExecutionException stopping) {
                return false;
            } finally {
                if (!scheduled) {
                    working.remove(connectionId);
                }
            }
        }
        return false;
    }

    /**
     * The connections with a due delivery. Each configured connection is probed on its own through
     * {@code ix_inbox_connection_pending}, which stops at the first due row: a DISTINCT over every
     * pending delivery read the whole backlog on every round (and a round follows every accepted
     * webhook), so with 100,000 deliveries waiting the dispatcher spent its time finding out that
     * one connection had work. Deliveries of connections no longer configured are looked for by
     * that whole scan at most once a minute, as before.
     */
    private List<String> dueConnections(OffsetDateTime now) {
        List<String> due = new java.util.ArrayList<>();
        for (String connector : connectors.keySet()) {
            for (dev.unison.connectors.kit.config.Connection c : context.connectionsOf(connector)) {
                if (leases.heldByAnother(c.id(), LEASE_KIND, context.instanceId())) {
                    continue; // another instance maps this connection's deliveries until its lease runs out
                }
                if (!jdbc.queryForList("SELECT id FROM inbox WHERE connection_id = ? AND " + DUE
                        + " ORDER BY connection_id, status, id FETCH FIRST 1 ROWS ONLY", Long.class, c.id(), now).isEmpty()) {
                    due.add(c.id());
                }
            }
        }
        Instant at = clock.instant();
        if (lastFullScan == null || !at.isBefore(lastFullScan.plusSeconds(60))) {
            lastFullScan = at;
            for (String other : jdbc.queryForList("SELECT DISTINCT connection_id FROM inbox WHERE " + DUE, String.class, now)) {
                if (!due.contains(other)) {
                    due.add(other);
                }
            }
        }
        return due;
    }

    private Instant lastFullScan;

    /** Maps the connection's due deliveries in order, up to {@value #DELIVERIES_PER_TASK}, a group per transaction. */
    private void work(String connectionId) {
        int handled = 0;
        try {
            while (isRunning() && handled < DELIVERIES_PER_TASK) {
                if (!leases.tryLease(connectionId, LEASE_KIND, context.instanceId(), lease)) {
                    return; // another instance took the connection over
                }
                List<Row> rows = next(connectionId, Math.min(GROUP, DELIVERIES_PER_TASK - handled));
                if (rows.isEmpty()) {
                    break;
                }
                List<Mapped> mapped = new java.util.ArrayList<>(rows.size());
                long budgetEnds = System.nanoTime() + GROUP_MAPPING_BUDGET.toNanos();
                for (Row row : rows) {
                    mapped.add(map(row));
                    if (System.nanoTime() - budgetEnds > 0) {
                        break; // the rest wait for the next group
                    }
                }
                List<Row> group = rows.subList(0, mapped.size());
                Boolean recorded;
                try {
                    recorded = tx.execute(status -> recordGroup(connectionId, group, mapped));
                } catch (RuntimeException groupFailed) {
                    if (group.size() == 1) {
                        throw groupFailed;
                    }
                    // one delivery's write failed: one at a time, so the deliveries before it commit and it
                    // alone is retried with backoff (its mapping is not done again for the others)
                    for (int i = 0; i < group.size(); i++) {
                        int at = i;
                        if (!Boolean.TRUE.equals(tx.execute(status -> recordGroup(connectionId, List.of(group.get(at)),
                                List.of(mapped.get(at)))))) {
                            return;
                        }
                        handled++;
                    }
                    continue;
                }
                if (!Boolean.TRUE.equals(recorded)) {
                    return; // the lease went to another instance meanwhile: it maps these again
                }
                handled += group.size();
            }
            backoffs.remove(connectionId);
        } catch (RuntimeException failure) {
            // the database (or the mapping's own reads) failed: the delivery stays pending, nothing was written
            Backoff previous = backoffs.get(connectionId);
            long millis = previous == null ? 200 : Math.min(30_000, previous.millis() * 2);
            backoffs.put(connectionId, new Backoff(clock.instant().plusMillis(millis), millis));
            if (isRunning()) {
                LOG.warn("inbox of connection {} failed, retrying in {} ms: {}", connectionId, millis,
                        LogSafe.of(failure, 1000));
            }
        } finally {
            working.remove(connectionId);
        }
        if (handled == DELIVERIES_PER_TASK) {
            wakeUp();
        }
    }

    private List<Row> next(String connectionId, int limit) {
        // ordered by the index's own columns (equal for every row here): H2 then reads the index in order and
        // stops after the first due rows; ORDER BY id alone made it read and sort every row of the connection
        return jdbc.query("SELECT * FROM inbox WHERE connection_id = ? AND " + DUE
                        + " ORDER BY connection_id, status, id FETCH FIRST " + limit + " ROWS ONLY",
                (rs, i) -> new Row(rs.getLong("id"), rs.getString("connection_id"), rs.getString("connector"),
                        rs.getString("message_type"), rs.getString("dedupe_key"), rs.getString("headers"),
                        rs.getString("body"), rs.getObject("received_at", OffsetDateTime.class), rs.getInt("attempts")),
                connectionId, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
    }

    /** Maps one delivery, outside any transaction; a database failure is thrown, never recorded as the delivery's fault. */
    private Mapped map(Row row) {
        try {
            return new Mapped.Events(mapInbound(row));
        } catch (DataAccessException databaseFailure) {
            throw databaseFailure; // transient: the delivery stays pending and is mapped again
        } catch (RetryLaterException notYet) {
            return new Mapped.NotYet(notYet);
        } catch (Exception mappingFailure) {
            return new Mapped.Failed(mappingFailure);
        }
    }

    /**
     * Records a group of mapped deliveries, in the caller's transaction: false (nothing written) when
     * the lease is no longer this instance's; a delivery no longer pending is left as it is.
     */
    private boolean recordGroup(String connectionId, List<Row> rows, List<Mapped> mapped) {
        // the lease row locked first: an instance taking the connection over waits for this commit
        List<String> holder = jdbc.queryForList("SELECT owner FROM queue_lease WHERE connection_id = ? AND kind = ? FOR UPDATE",
                String.class, connectionId, LEASE_KIND);
        if (holder.isEmpty() || !holder.get(0).equals(context.instanceId())) {
            return false;
        }
        Set<Long> pending = new java.util.HashSet<>(jdbc.queryForList("SELECT id FROM inbox WHERE id IN ("
                + String.join(", ", java.util.Collections.nCopies(rows.size(), "?")) + ") AND status = 'pending' FOR UPDATE",
                Long.class, rows.stream().map(Row::id).toArray()));
        for (int i = 0; i < rows.size(); i++) {
            if (pending.contains(rows.get(i).id())) {
                record(rows.get(i), mapped.get(i));
            }
        }
        return true;
    }

    /** Records one mapped delivery, pending and locked, in the caller's transaction. */
    private void record(Row row, Mapped mapped) {
        if (mapped instanceof Mapped.NotYet notYet) {
            if (row.attempts() + 1 < MAX_ATTEMPTS) {
                // 2 s, 4 s, ... capped at 30 min; the delivery keeps its place, the connection's later ones go on
                long seconds = Math.min(1800, 1L << Math.min(row.attempts() + 1, 11));
                jdbc.update("UPDATE inbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?",
                        OffsetDateTime.ofInstant(clock.instant().plusSeconds(seconds), ZoneOffset.UTC), row.id());
            } else {
                deadLetters.record("inbox:" + row.connectionId(), row.dedupeKey(), row.connector() + ":" + row.messageType(),
                        new IllegalStateException("gave up after " + MAX_ATTEMPTS + " attempts: " + notYet.reason().getMessage()),
                        row.body());
                mark(row.id(), "failed", 0);
            }
        } else if (mapped instanceof Mapped.Failed failed) {
            // nothing was written for this delivery: keep the original with the reason
            deadLetters.record("inbox:" + row.connectionId(), row.dedupeKey(), row.connector() + ":" + row.messageType(),
                    failed.reason(), row.body());
            mark(row.id(), "failed", 0);
        } else {
            List<CanonicalEvent> events = ((Mapped.Events) mapped).events();
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
        }
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

    private List<CanonicalEvent> mapInbound(Row row) throws Exception {
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

    /**
     * Lets the tasks finish the delivery they are on (each checks {@link #isRunning()} before the
     * next), never interrupting one: an interrupt inside a database call closes H2's file channel.
     * A task still waiting for a remote call after the grace time is left to end on its own; its
     * delivery stays pending and is mapped again after the restart.
     */
    @Override
    protected void afterLastRound() {
        pool.shutdown();
        try {
            pool.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
