package dev.unison.platform.connectors;

import dev.unison.connectors.kit.spi.ExternalRefs;
import dev.unison.platform.jdbc.InLists;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** {@link ExternalRefs} in the {@code external_ref} table (update, else insert). */
public class JdbcExternalRefs implements ExternalRefs {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;

    public JdbcExternalRefs(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
    }

    /** Batched update, then batched insert of the keys no row held, in one transaction (one commit per call). */
    @Override
    public void putAll(String connectionId, String kind, Map<String, String> externalIdsByKey) {
        if (externalIdsByKey.isEmpty()) {
            return;
        }
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        List<String> keys = new ArrayList<>(externalIdsByKey.keySet());
        List<Object[]> updates = new ArrayList<>(keys.size());
        for (String key : keys) {
            updates.add(new Object[] {externalIdsByKey.get(key), now, connectionId, kind, key});
        }
        tx.executeWithoutResult(status -> {
            int[] updated = jdbc.batchUpdate("UPDATE external_ref SET external_id = ?, updated_at = ? WHERE connection_id = ? "
                    + "AND kind = ? AND ref_key = ?", updates);
            List<Object[]> inserts = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                if (updated[i] == 0) {
                    inserts.add(new Object[] {connectionId, kind, keys.get(i), externalIdsByKey.get(keys.get(i)), now});
                }
            }
            if (!inserts.isEmpty()) {
                jdbc.batchUpdate("INSERT INTO external_ref (connection_id, kind, ref_key, external_id, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", inserts);
            }
        });
    }

    @Override
    public void put(String connectionId, String kind, String key, String externalId) {
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (jdbc.update("UPDATE external_ref SET external_id = ?, updated_at = ? WHERE connection_id = ? AND kind = ? "
                + "AND ref_key = ?", externalId, now, connectionId, kind, key) == 0) {
            jdbc.update("INSERT INTO external_ref (connection_id, kind, ref_key, external_id, updated_at) "
                    + "VALUES (?, ?, ?, ?, ?)", connectionId, kind, key, externalId, now);
        }
    }

    /** Chunked {@code IN} reads ({@link InLists}): a sender looks up a whole batch's refs at once. */
    @Override
    public Map<String, String> getAll(String connectionId, String kind, Collection<String> keys) {
        Map<String, String> found = new HashMap<>();
        for (List<String> chunk : InLists.chunks(List.copyOf(new LinkedHashSet<>(keys)))) {
            // whole primary keys: H2 uses a one-column IN list as an index condition only on an index's
            // first column, so "... AND ref_key IN (...)" walked every ref of the connection and kind
            List<Object> args = new ArrayList<>(chunk.size() * 3);
            chunk.forEach(key -> args.addAll(List.of(connectionId, kind, key)));
            jdbc.query("SELECT ref_key, external_id FROM external_ref WHERE (connection_id, kind, ref_key) IN ("
                    + String.join(", ", java.util.Collections.nCopies(chunk.size(), "(?, ?, ?)")) + ")", rs -> {
                        found.put(rs.getString(1), rs.getString(2));
                    }, args.toArray());
        }
        return found;
    }

    @Override
    public Optional<String> get(String connectionId, String kind, String key) {
        return jdbc.queryForList("SELECT external_id FROM external_ref WHERE connection_id = ? AND kind = ? AND ref_key = ?",
                String.class, connectionId, kind, key).stream().findFirst();
    }
}
