package dev.unison.platform.inbox;

import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.spi.Inbox;
import java.nio.charset.StandardCharsets;
import dev.unison.platform.jdbc.GroupCommit;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The inbox table behind {@link Inbox}: insert unless (connection, dedupe key) is already there;
 * pulled pages together with their stream's cursor ({@code poll_cursor}) in one transaction.
 *
 * <p>Webhook deliveries arriving together share one transaction ({@link GroupCommit}): a shop
 * sends one webhook per order, and a commit per delivery was most of a delivery's cost. A delivery
 * is acknowledged only after the commit that holds it. When the inbox is further behind than its
 * longest wait, a delivery is refused with {@link dev.unison.connectors.kit.spi.Overloaded} and the
 * receiver answers 503: the sender retries it (Shopify and TikTok Shop retry any non-2xx answer).
 */
public class JdbcInbox implements Inbox, AutoCloseable {

    /** Most deliveries in one group commit. */
    static final int MAX_GROUP = 500;
    private static final String INSERT = "INSERT INTO inbox (connection_id, connector, message_type, dedupe_key, headers, body, "
            + "received_at, status) SELECT ?, ?, ?, ?, ?, ?, ?, 'pending' WHERE NOT EXISTS "
            + "(SELECT 1 FROM inbox WHERE connection_id = ? AND dedupe_key = ?)";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final Runnable afterAccept;
    private final GroupCommit<InboundDelivery, Result> deliveries;

    /**
     * Deliveries stored by group commit; refused once the oldest one waiting has waited longer than
     * {@code maxQueueWait} (zero: never).
     */
    public JdbcInbox(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, Runnable afterAccept, Duration maxQueueWait,
            MeterRegistry meters) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.afterAccept = afterAccept;
        this.deliveries = new GroupCommit<>("webhooks", tx, this::insertAll, MAX_GROUP, 1, maxQueueWait, meters);
    }

    @Override
    public void close() {
        deliveries.close();
    }

    @Override
    public Optional<String> cursor(String connectionId, String stream) {
        return jdbc.query("SELECT cursor_value FROM poll_cursor WHERE connection_id = ? AND stream = ?",
                (rs, n) -> rs.getString(1), connectionId, stream).stream().findFirst();
    }

    @Override
    public Set<String> stored(String connectionId, Collection<String> dedupeKeys) {
        Set<String> found = new HashSet<>();
        List<String> keys = List.copyOf(new LinkedHashSet<>(dedupeKeys));
        // a few hundred keys per statement: one round trip a page, within every driver's parameter limit
        for (int from = 0; from < keys.size(); from += 500) {
            List<String> chunk = keys.subList(from, Math.min(keys.size(), from + 500));
            List<Object> args = new ArrayList<>(chunk.size() + 1);
            args.add(connectionId);
            args.addAll(chunk);
            found.addAll(jdbc.queryForList("SELECT dedupe_key FROM inbox WHERE connection_id = ? AND dedupe_key IN ("
                    + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")", String.class, args.toArray()));
        }
        return found;
    }

    @Override
    public Optional<Integer> acceptPage(String connectionId, String stream, Optional<String> expected, String next,
            List<InboundDelivery> page) {
        Optional<Integer> stored = acceptPageOnce(connectionId, stream, expected, next, page);
        if (stored.isPresent() && stored.get() > 0) {
            afterAccept.run();
        }
        return stored;
    }

    private Optional<Integer> acceptPageOnce(String connectionId, String stream, Optional<String> expected, String next,
            List<InboundDelivery> page) {
        return tx.execute(status -> {
            Object now = clock.instant().atOffset(ZoneOffset.UTC);
            // compare-and-set: the cursor moves only from where this page was fetched
            int moved = expected.isPresent()
                    ? jdbc.update("UPDATE poll_cursor SET cursor_value = ?, updated_at = ? WHERE connection_id = ? AND stream = ? "
                            + "AND cursor_value = ?", next, now, connectionId, stream, expected.get())
                    // the stream's first page: another instance storing its first cursor meanwhile wins
                    : jdbc.update("INSERT INTO poll_cursor (connection_id, stream, cursor_value, updated_at) VALUES (?, ?, ?, ?) "
                            + "ON CONFLICT DO NOTHING", connectionId, stream, next, now);
            if (moved == 0) {
                return Optional.<Integer>empty();
            }
            int inserted = 0;
            for (InboundDelivery d : page) {
                inserted += insert(d);
            }
            return Optional.of(inserted);
        });
    }

    private int insert(InboundDelivery d) {
        return jdbc.update(INSERT, row(d));
    }

    private static Object[] row(InboundDelivery d) {
        return new Object[] {d.connectionId(), d.connector(), d.messageType(), d.dedupeKey(), CanonicalJson.write(d.headers()),
                new String(d.body(), StandardCharsets.UTF_8), d.receivedAt().atOffset(ZoneOffset.UTC), d.connectionId(),
                d.dedupeKey()};
    }

    /**
     * A group of deliveries in one batched statement, inside the group's transaction. A copy of an
     * earlier delivery of the same group finds it (same transaction) and is a duplicate.
     */
    private List<Result> insertAll(List<InboundDelivery> group) {
        int[] counts = jdbc.batchUpdate(INSERT, group.stream().map(JdbcInbox::row).toList());
        List<Result> results = new java.util.ArrayList<>(counts.length);
        for (int count : counts) {
            if (count != 0 && count != 1) {
                // e.g. PostgreSQL's reWriteBatchedInserts: without per-row counts duplicates cannot be told apart
                throw new IllegalStateException("the JDBC driver reported update count " + count
                        + " for an inbox insert; it must report per-row counts (no batch rewriting)");
            }
            results.add(count == 1 ? Result.ACCEPTED : Result.DUPLICATE);
        }
        return results;
    }

    @Override
    public Result accept(InboundDelivery d) {
        Result result;
        try {
            result = deliveries.submit(d);
        } catch (DuplicateKeyException concurrentCopy) {
            // another instance stored the same delivery between the check and the insert
            return Result.DUPLICATE;
        }
        if (result == Result.ACCEPTED) {
            afterAccept.run();
        }
        return result;
    }
}
