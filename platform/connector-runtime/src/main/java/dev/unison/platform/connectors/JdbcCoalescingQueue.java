package dev.unison.platform.connectors;

import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.spi.CoalescingQueue;
import dev.unison.platform.jdbc.InLists;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@link CoalescingQueue} in the {@code pending_update} table: an offer updates the key's row
 * (newest value, version + 1, keeping the age of the first unsent offer) or inserts it.
 */
public class JdbcCoalescingQueue implements CoalescingQueue {

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final org.springframework.transaction.support.TransactionTemplate tx;

    public JdbcCoalescingQueue(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
        // joins a caller's transaction; on its own, a batch of deletes commits once (in auto-commit
        // H2 commits, and writes out every changed page, after each statement of the batch)
        this.tx = new org.springframework.transaction.support.TransactionTemplate(
                new org.springframework.jdbc.support.JdbcTransactionManager(jdbc.getDataSource()));
    }

    @Override
    public void offer(String connectionId, String kind, String key, com.fasterxml.jackson.databind.JsonNode value) {
        String payload = CanonicalJson.write(value);
        // insert first: a sender keeps up, so the key is usually absent and one statement does
        // (update-first missed 98% of the time in the PostgreSQL benchmark, two statements each).
        // The row the insert ran into may be a sender's, locked and about to be deleted: then the
        // update waits, finds nothing, and the insert goes again (a value is never dropped).
        while (true) {
            if (jdbc.update("INSERT INTO pending_update (connection_id, kind, update_key, payload, version, first_offered_at) "
                    + "VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING", connectionId, kind, key, payload,
                    OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)) == 1
                    || jdbc.update("UPDATE pending_update SET payload = ?, version = version + 1 WHERE connection_id = ? "
                            + "AND kind = ? AND update_key = ?", payload, connectionId, kind, key) == 1) {
                return;
            }
        }
    }

    /**
     * Advances the key's row in {@code offer_watermark} (kept after the value is sent), then offers,
     * in one transaction (the caller's when there is one): a watermark advanced for a value that was
     * not stored would make the value's retry look old and drop it. When another transaction
     * inserts the first row of the key at the same time, the insert finds it after that
     * transaction ends and the update is tried once more against it.
     */
    @Override
    public boolean offerIfNewer(String connectionId, String kind, String key, com.fasterxml.jackson.databind.JsonNode value,
            long sourceVersion) {
        return Boolean.TRUE.equals(tx.execute(status -> {
            if (!advanceWatermark(connectionId, kind, key, sourceVersion)) {
                int inserted = jdbc.update("INSERT INTO offer_watermark (connection_id, kind, update_key, source_version) "
                        + "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", connectionId, kind, key, sourceVersion);
                if (inserted == 0 && !advanceWatermark(connectionId, kind, key, sourceVersion)) {
                    return false; // this version or a newer one was offered before
                }
            }
            offer(connectionId, kind, key, value);
            return true;
        }));
    }

    private boolean advanceWatermark(String connectionId, String kind, String key, long sourceVersion) {
        return jdbc.update("UPDATE offer_watermark SET source_version = ? WHERE connection_id = ? AND kind = ? "
                + "AND update_key = ? AND source_version < ?", sourceVersion, connectionId, kind, key, sourceVersion) == 1;
    }

    @Override
    public boolean offerIfAbsent(String connectionId, String kind, String key, com.fasterxml.jackson.databind.JsonNode value) {
        return jdbc.update("INSERT INTO pending_update (connection_id, kind, update_key, payload, version, first_offered_at) "
                        + "VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING", connectionId, kind, key, CanonicalJson.write(value),
                OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)) == 1;
    }

    @Override
    public List<Pending> next(String connectionId, String kind, int limit) {
        // ORDER BY names the index's leading columns (ix_pending_update_age: connection_id, kind,
        // first_offered_at): H2 then reads the index in order and stops at the limit; ordered by
        // first_offered_at alone it read and sorted the whole queue on every call (a backlog of 900,000
        // queued conversions took minutes per batch). The same order, as the first two are fixed.
        return jdbc.query("SELECT * FROM pending_update WHERE connection_id = ? AND kind = ? "
                        + "ORDER BY connection_id, kind, first_offered_at, update_key LIMIT ?",
                (rs, i) -> new Pending(rs.getString("connection_id"), rs.getString("kind"), rs.getString("update_key"),
                        CanonicalJson.parse(rs.getString("payload")), rs.getLong("version"),
                        rs.getObject("first_offered_at", OffsetDateTime.class).toInstant()),
                connectionId, kind, limit);
    }

    /**
     * Forgets what was sent, unless a newer value arrived meanwhile (version check). Keys are deleted
     * in sorted order, and a lost lock race is tried again: a consumer group offering a batch of
     * changes holds row locks on the same table until it commits, and under load H2 picked this
     * delete as the deadlock victim (error 40001), which left already-sent quantities queued to be
     * sent once more. Each delete is idempotent, so repeating the batch is safe (up to 5 attempts).
     */
    @Override
    public void done(List<Pending> sent) {
        done(sent, () -> {
        });
    }

    /** As {@link #done(List)}, with {@code alsoRecord} in the same transaction (and repeated with it after a lost lock race). */
    @Override
    public void done(List<Pending> sent, Runnable alsoRecord) {
        List<Pending> sorted = sent.stream().sorted(java.util.Comparator.comparing(Pending::connectionId)
                .thenComparing(Pending::kind).thenComparing(Pending::key)).toList();
        for (int attempt = 1; ; attempt++) {
            try {
                tx.executeWithoutResult(status -> {
                    alsoRecord.run();
                    deleteSent(sorted);
                });
                return;
            } catch (org.springframework.dao.PessimisticLockingFailureException | org.springframework.dao.QueryTimeoutException lostRace) {
                // a deadlock victim (H2 40001) or a lock wait that timed out (H2 50200)
                if (attempt == 5) {
                    throw lostRace;
                }
                lockRetries.incrementAndGet();
                try {
                    Thread.sleep(20L * attempt);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw lostRace;
                }
            }
        }
    }

    private final java.util.concurrent.atomic.AtomicLong lockRetries = new java.util.concurrent.atomic.AtomicLong();

    /** How often {@link #done} had to repeat its transaction after a lost lock race (zero is the aim). */
    public long lockRetries() {
        return lockRetries.get();
    }

    /**
     * Deletes the sent rows that still hold the sent version, without ever waiting for a row another
     * transaction holds: the rows are locked first with {@code FOR UPDATE SKIP LOCKED} (PostgreSQL
     * "The Locking Clause"; H2's SELECT grammar has the same clause), and only the locked ones are
     * deleted. A row a consumer group is updating right now is skipped: when that group commits,
     * the row holds a newer value the delete would not have matched anyway; when it rolls back, the
     * already-sent value stays queued and is set once more (setting an absolute quantity again is
     * harmless). Waiting instead is what deadlocked under load: the group updates the rows of its
     * batch in event order and holds them until it commits, while a batched delete of the same
     * keys in another order waited for them (on PostgreSQL every batch of both sides was rolled
     * back, and nothing reached the shop). As this transaction never waits, no cycle can form.
     */
    private void deleteSent(List<Pending> sent) {
        Map<String, List<Pending>> byQueue = new java.util.LinkedHashMap<>();
        sent.forEach(p -> byQueue.computeIfAbsent(p.connectionId() + "\u0000" + p.kind(), q -> new ArrayList<>()).add(p));
        for (List<Pending> queued : byQueue.values()) {
            String connectionId = queued.get(0).connectionId();
            String kind = queued.get(0).kind();
            for (List<Pending> chunk : InLists.chunks(queued)) {
                // whole primary keys in the IN list: H2 uses an IN list of one column as an index
                // condition only on an index's first column, so "... AND update_key IN (...)" walked
                // every queued row of the connection for each chunk; rows of the whole key are
                // primary-key lookups in H2 and PostgreSQL alike
                List<Object> args = new ArrayList<>(chunk.size() * 3);
                chunk.forEach(p -> args.addAll(List.of(connectionId, kind, p.key())));
                Map<String, Long> lockedVersions = new java.util.HashMap<>();
                jdbc.query("SELECT update_key, version FROM pending_update WHERE (connection_id, kind, update_key) IN ("
                                + keyRows(chunk.size()) + ") FOR UPDATE SKIP LOCKED",
                        rs -> {
                            lockedVersions.put(rs.getString(1), rs.getLong(2));
                        }, args.toArray());
                List<Object> deletable = new ArrayList<>(chunk.size() * 3);
                chunk.stream().filter(p -> Long.valueOf(p.version()).equals(lockedVersions.get(p.key())))
                        .forEach(p -> deletable.addAll(List.of(connectionId, kind, p.key())));
                if (!deletable.isEmpty()) {
                    // the rows are locked by this transaction and hold the sent versions: no version
                    // check is needed again, and one statement deletes the chunk
                    jdbc.update("DELETE FROM pending_update WHERE (connection_id, kind, update_key) IN ("
                            + keyRows(deletable.size() / 3) + ")", deletable.toArray());
                }
            }
        }
    }

    /** {@code (?, ?, ?), (?, ?, ?)} for n primary keys. */
    private static String keyRows(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "(?, ?, ?)"));
    }

    /** Leases this instance holds (connection, kind, owner) and until when, as last written. */
    private final java.util.Map<String, java.time.Instant> heldUntil = new java.util.concurrent.ConcurrentHashMap<>();
    /** Leases another instance held when this one last asked (connection, kind, asker), and until when. */
    private final java.util.Map<String, java.time.Instant> othersUntil = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A lease still held for more than half its time is not written again: no other instance can
     * take it before it expires, and a sender asks on every tick (an UPDATE and a commit each time,
     * up to 20 a second per connection, each making H2 write out every changed page). Likewise an
     * instance that found the lease held by another does not ask again before that lease's expiry,
     * the first moment it could be taken (leases are never given back early): with several
     * instances, every other instance's senders had asked on every tick, two statements each,
     * about 0.4 PostgreSQL transactions per sale in the 3-instance benchmark.
     */
    @Override
    public boolean tryLease(String connectionId, String kind, String owner, java.time.Duration ttl) {
        String lease = connectionId + "\u0000" + kind + "\u0000" + owner;
        java.time.Instant now = clock.instant();
        java.time.Instant held = heldUntil.get(lease);
        if (held != null && now.plus(ttl.dividedBy(2)).isBefore(held)) {
            return true;
        }
        java.time.Instant other = othersUntil.get(lease);
        if (other != null && now.isBefore(other)) {
            return false;
        }
        boolean taken = writeLease(connectionId, kind, owner, ttl);
        if (taken) {
            heldUntil.put(lease, now.plus(ttl));
            othersUntil.remove(lease);
        } else {
            heldUntil.remove(lease);
            List<java.time.Instant> until = jdbc.query("SELECT expires_at FROM queue_lease WHERE connection_id = ? AND kind = ? "
                    + "AND owner <> ?", (rs, i) -> rs.getObject(1, OffsetDateTime.class).toInstant(), connectionId, kind, owner);
            if (until.isEmpty()) {
                othersUntil.remove(lease);
            } else {
                // never longer than one lease from now: an expiry moved earlier (the holder's clock
                // stepped back, a shorter lease configured) is noticed within a lease at most
                java.time.Instant cap = now.plus(ttl);
                othersUntil.put(lease, until.get(0).isAfter(cap) ? cap : until.get(0));
            }
        }
        return taken;
    }

    @Override
    public boolean heldByAnother(String connectionId, String kind, String owner) {
        java.time.Instant other = othersUntil.get(connectionId + "\u0000" + kind + "\u0000" + owner);
        return other != null && clock.instant().isBefore(other);
    }

    @Override
    public List<Lease> leases(String connectionId) {
        return jdbc.query("SELECT kind, owner, expires_at FROM queue_lease WHERE connection_id = ? ORDER BY kind",
                (rs, i) -> new Lease(rs.getString(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class).toInstant()),
                connectionId);
    }

    private boolean writeLease(String connectionId, String kind, String owner, java.time.Duration ttl) {
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        OffsetDateTime until = now.plus(ttl);
        if (jdbc.update("UPDATE queue_lease SET owner = ?, expires_at = ? WHERE connection_id = ? AND kind = ? "
                + "AND (owner = ? OR expires_at < ?)", owner, until, connectionId, kind, owner, now) == 1) {
            return true;
        }
        try {
            return jdbc.update("INSERT INTO queue_lease (connection_id, kind, owner, expires_at) SELECT ?, ?, ?, ? "
                    + "WHERE NOT EXISTS (SELECT 1 FROM queue_lease WHERE connection_id = ? AND kind = ?)",
                    connectionId, kind, owner, until, connectionId, kind) == 1;
        } catch (org.springframework.dao.DuplicateKeyException anotherInstanceWasFaster) {
            return false;
        }
    }
}
