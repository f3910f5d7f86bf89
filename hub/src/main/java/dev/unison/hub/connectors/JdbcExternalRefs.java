package dev.unison.hub.connectors;

import dev.unison.connectors.kit.spi.ExternalRefs;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;

/** {@link ExternalRefs} in the {@code external_ref} table (update, else insert). */
public class JdbcExternalRefs implements ExternalRefs {

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public JdbcExternalRefs(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
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

    @Override
    public Optional<String> get(String connectionId, String kind, String key) {
        return jdbc.queryForList("SELECT external_id FROM external_ref WHERE connection_id = ? AND kind = ? AND ref_key = ?",
                String.class, connectionId, kind, key).stream().findFirst();
    }
}
