package dev.unison.platform.secrets;

import dev.unison.connectors.kit.spi.CredentialStore;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@link CredentialStore} in the {@code connection_credential} (values sealed with
 * {@link SecretCipher}, bound to connection and key) and {@code connection_authorization} tables.
 * A value that does not open — altered, or sealed with another key — is treated as absent and
 * logged: the connection falls back to its configured credentials instead of failing to start.
 */
public class JdbcCredentialStore implements CredentialStore {

    private static final Logger log = LoggerFactory.getLogger(JdbcCredentialStore.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final SecretCipher cipher;
    private final Clock clock;

    public JdbcCredentialStore(JdbcTemplate jdbc, TransactionTemplate tx, SecretCipher cipher, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.cipher = cipher;
        this.clock = clock;
    }

    private static String place(String connectionId, String key) {
        return "connection_credential/" + connectionId + "/" + key;
    }

    @Override
    public Optional<String> get(String connectionId, String key) {
        List<String> rows = jdbc.queryForList("SELECT sealed_value FROM connection_credential WHERE connection_id = ? "
                + "AND credential_key = ?", String.class, connectionId, key);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(cipher.decrypt(rows.get(0), place(connectionId, key)));
        } catch (SecretCipher.SecretRefusedException e) {
            log.error("Stored credential {} of connection {} is ignored: {}", key, connectionId, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void putAll(String connectionId, Map<String, String> values) {
        OffsetDateTime now = now();
        List<Object[]> rows = new ArrayList<>();
        values.forEach((key, value) -> rows.add(new Object[] {cipher.encrypt(value, place(connectionId, key)), now,
                connectionId, key}));
        tx.executeWithoutResult(status -> {
            for (Object[] row : rows) {
                if (jdbc.update("UPDATE connection_credential SET sealed_value = ?, updated_at = ? WHERE connection_id = ? "
                        + "AND credential_key = ?", row) == 0) {
                    jdbc.update("INSERT INTO connection_credential (sealed_value, updated_at, connection_id, credential_key) "
                            + "VALUES (?, ?, ?, ?)", row);
                }
            }
        });
    }

    @Override
    public void clear(String connectionId) {
        jdbc.update("DELETE FROM connection_credential WHERE connection_id = ?", connectionId);
    }

    @Override
    public Optional<Deauthorization> deauthorization(String connectionId) {
        return jdbc.query("SELECT deauthorized_at, reason FROM connection_authorization WHERE connection_id = ?",
                (rs, i) -> new Deauthorization(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getString(2)),
                connectionId).stream().findFirst();
    }

    @Override
    public Deauthorization deauthorize(String connectionId, String reason) {
        String bounded = reason.length() > 1000 ? reason.substring(0, 997) + "..." : reason;
        // a concurrent insert of the same connection loses quietly: the first time and reason stand
        jdbc.update("INSERT INTO connection_authorization (connection_id, deauthorized_at, reason) VALUES (?, ?, ?) "
                + "ON CONFLICT DO NOTHING", connectionId, now(), bounded);
        return deauthorization(connectionId).orElseThrow();
    }

    @Override
    public void reauthorize(String connectionId) {
        jdbc.update("DELETE FROM connection_authorization WHERE connection_id = ?", connectionId);
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
