package dev.unison.hub.inbox;

import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.spi.Inbox;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/** The inbox table behind {@link Inbox}: insert unless (connection, dedupe key) is already there. */
public class JdbcInbox implements Inbox {

    private final JdbcTemplate jdbc;
    private final Runnable afterAccept;

    public JdbcInbox(JdbcTemplate jdbc, Runnable afterAccept) {
        this.jdbc = jdbc;
        this.afterAccept = afterAccept;
    }

    @Override
    public Result accept(InboundDelivery d) {
        int inserted;
        try {
            inserted = jdbc.update("INSERT INTO inbox (connection_id, connector, message_type, dedupe_key, headers, body, "
                            + "received_at, status) SELECT ?, ?, ?, ?, ?, ?, ?, 'pending' WHERE NOT EXISTS "
                            + "(SELECT 1 FROM inbox WHERE connection_id = ? AND dedupe_key = ?)",
                    d.connectionId(), d.connector(), d.messageType(), d.dedupeKey(), CanonicalJson.write(d.headers()),
                    new String(d.body(), StandardCharsets.UTF_8), d.receivedAt().atOffset(ZoneOffset.UTC),
                    d.connectionId(), d.dedupeKey());
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
