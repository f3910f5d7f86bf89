package dev.unison.platform.inbox;

import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.spi.Inbox;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The inbox table behind {@link Inbox}: insert unless (connection, dedupe key) is already there;
 * pulled pages together with their stream's cursor ({@code poll_cursor}) in one transaction.
 */
public class JdbcInbox implements Inbox {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final Runnable afterAccept;

    public JdbcInbox(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, Runnable afterAccept) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.afterAccept = afterAccept;
    }

    @Override
    public Optional<String> cursor(String connectionId, String stream) {
        return jdbc.query("SELECT cursor_value FROM poll_cursor WHERE connection_id = ? AND stream = ?",
                (rs, n) -> rs.getString(1), connectionId, stream).stream().findFirst();
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
        return jdbc.update("INSERT INTO inbox (connection_id, connector, message_type, dedupe_key, headers, body, "
                        + "received_at, status) SELECT ?, ?, ?, ?, ?, ?, ?, 'pending' WHERE NOT EXISTS "
                        + "(SELECT 1 FROM inbox WHERE connection_id = ? AND dedupe_key = ?)",
                d.connectionId(), d.connector(), d.messageType(), d.dedupeKey(), CanonicalJson.write(d.headers()),
                new String(d.body(), StandardCharsets.UTF_8), d.receivedAt().atOffset(ZoneOffset.UTC),
                d.connectionId(), d.dedupeKey());
    }

    @Override
    public Result accept(InboundDelivery d) {
        int inserted;
        try {
            inserted = insert(d);
        } catch (DuplicateKeyException concurrentCopy) {
            return Result.DUPLICATE;
        }
        if (inserted == 1) {
            afterAccept.run();
            return Result.ACCEPTED;
        }
        return Result.DUPLICATE;
    }
}
