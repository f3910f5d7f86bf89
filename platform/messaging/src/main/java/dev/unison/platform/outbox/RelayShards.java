package dev.unison.platform.outbox;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The outbox's shards and which hub instance publishes each.
 *
 * <p>Every outbox row belongs to one of {@link #COUNT} shards by its partition key, so all events of
 * one key are in one shard. A shard is published by the instance holding its lease (table
 * {@code relay_shard}), so instances share the publishing work and per-key order holds. Instances
 * announce themselves in {@code relay_member}; each takes its fair share (shards ÷ live instances,
 * rounded up) of free or expired shards and gives back what is above it, so a new instance gets
 * work within a rebalance interval and a dead one's shards are taken once its leases expire.
 *
 * <p>A lease alone does not stop two publishers (clocks drift, a paused process wakes up late):
 * each batch locks its instance's {@code relay_shard} rows ({@link #lockHeld}) for the whole
 * transaction that publishes a batch and deletes its pending rows, and a takeover is an update of
 * the same row, which waits for that transaction. So a shard has at most one publisher at any moment, whatever the clocks say.
 */
public class RelayShards {

    /**
     * Fixed by migration V13 (one {@code relay_shard} row each): the shard of a pending row must not
     * change while it waits, so a different count needs a migration that re-assigns pending rows.
     * 16 spreads evenly over 1, 2, 4, 8 or 16 instances and within one shard of even over 3.
     */
    public static final int COUNT = 16;

    /** A shard, the instance holding it (null when free) and until when. */
    public record Lease(int shard, String owner, Instant expiresAt) {
    }

    /** An instance that announced itself, and until when it counts as live. */
    public record Member(String instance, Instant expiresAt) {
    }

    private final JdbcTemplate jdbc;
    private final String instance;
    private final Duration ttl;
    private final Clock clock;

    public RelayShards(JdbcTemplate jdbc, String instance, Duration ttl, Clock clock) {
        if (instance == null || instance.isBlank() || instance.length() > 128) {
            throw new IllegalArgumentException("relay instance id must be 1..128 characters, got '" + instance + "'");
        }
        this.jdbc = jdbc;
        this.instance = instance;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** The shard of a partition key: CRC-32 of its UTF-8 bytes, modulo {@link #COUNT} (stable across versions). */
    public static int of(String partitionKey) {
        CRC32 crc = new CRC32();
        crc.update(partitionKey.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % COUNT);
    }

    public String instance() {
        return instance;
    }

    /**
     * Renews this instance's membership and leases, gives back shards above its fair share and takes
     * free or expired ones up to it; returns the shards it holds, in order. Each statement commits on
     * its own: nothing here waits for another instance except a takeover waiting for a running batch.
     */
    public List<Integer> rebalance() {
        Instant now = clock.instant();
        OffsetDateTime until = Outbox.utc(now.plus(ttl));
        if (jdbc.update("UPDATE relay_member SET expires_at = ? WHERE instance_id = ?", until, instance) == 0) {
            // ON CONFLICT: two relays of one instance registering it at once (NOT EXISTS alone raced: H2StorageIT)
            jdbc.update("INSERT INTO relay_member (instance_id, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING", instance, until);
        }
        // members silent for a whole lease period more are gone (a restarted process has a new id)
        jdbc.update("DELETE FROM relay_member WHERE expires_at < ?", Outbox.utc(now.minus(ttl)));
        Long live = jdbc.queryForObject("SELECT COUNT(*) FROM relay_member WHERE expires_at > ?", Long.class,
                Outbox.utc(now));
        int fairShare = (int) Math.ceil((double) COUNT / Math.max(1, live == null ? 1 : live));

        jdbc.update("UPDATE relay_shard SET expires_at = ? WHERE owner = ?", until, instance);
        List<Integer> held = new ArrayList<>(jdbc.queryForList(
                "SELECT shard FROM relay_shard WHERE owner = ? ORDER BY shard", Integer.class, instance));
        while (held.size() > fairShare) {
            int shard = held.remove(held.size() - 1);
            jdbc.update("UPDATE relay_shard SET owner = NULL, expires_at = NULL WHERE shard = ? AND owner = ?", shard,
                    instance);
        }
        if (held.size() < fairShare) {
            List<Integer> free = jdbc.queryForList("SELECT shard FROM relay_shard "
                    + "WHERE owner IS NULL OR expires_at < ? ORDER BY shard", Integer.class, Outbox.utc(now));
            for (int shard : free) {
                if (held.size() >= fairShare) {
                    break;
                }
                // the condition again: another instance may have taken it since the read
                if (jdbc.update("UPDATE relay_shard SET owner = ?, expires_at = ? WHERE shard = ? "
                        + "AND (owner IS NULL OR expires_at < ?)", instance, until, shard, Outbox.utc(now)) == 1) {
                    held.add(shard);
                }
            }
            held.sort(null);
        }
        return List.copyOf(held);
    }

    /**
     * Inside the caller's transaction: locks this instance's shard rows until it ends and returns
     * those still held (a takeover since the last rebalance removed the others).
     */
    public List<Integer> lockHeld() {
        return jdbc.queryForList("SELECT shard FROM relay_shard WHERE owner = ? ORDER BY shard FOR UPDATE",
                Integer.class, instance);
    }

    /** Gives every shard back (a stopping instance), so the others need not wait for its leases to expire. */
    public void releaseAll() {
        jdbc.update("UPDATE relay_shard SET owner = NULL, expires_at = NULL WHERE owner = ?", instance);
        jdbc.update("DELETE FROM relay_member WHERE instance_id = ?", instance);
    }

    public List<Lease> leases() {
        return jdbc.query("SELECT shard, owner, expires_at FROM relay_shard ORDER BY shard",
                (rs, i) -> new Lease(rs.getInt(1), rs.getString(2), Outbox.instant(rs, "expires_at")));
    }

    public List<Member> members() {
        return jdbc.query("SELECT instance_id, expires_at FROM relay_member ORDER BY instance_id",
                (rs, i) -> new Member(rs.getString(1), Outbox.instant(rs, "expires_at")));
    }

    /** {@code WHERE shard IN (...)} for the given shards, or nothing when they are all of them. */
    static String where(List<Integer> shards) {
        if (shards.size() == COUNT) {
            return "";
        }
        return " WHERE shard IN (" + shards.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")";
    }
}
