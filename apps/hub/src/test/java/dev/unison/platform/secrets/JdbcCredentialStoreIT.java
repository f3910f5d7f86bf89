package dev.unison.platform.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.unison.connectors.kit.spi.CredentialStore;
import dev.unison.hub.support.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The credential store (migration V10) on H2 and PostgreSQL: sealed at rest, deauthorization kept. */
class JdbcCredentialStoreIT {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void storesSealedValuesAndTheFirstDeauthorization(String database) {
        try (HikariDataSource dataSource = database.equals("h2") ? TestDatabases.h2(dir) : TestDatabases.postgres()) {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
            Clock clock = Clock.fixed(Instant.parse("2026-12-03T10:00:00Z"), ZoneOffset.UTC);
            SecretCipher cipher = SecretCipher.fromBase64(SecretCipher.newKeyBase64());
            CredentialStore store = new JdbcCredentialStore(jdbc, tx, cipher, clock);

            store.putAll("tt", Map.of("accessToken", "TTP_one", "refreshToken", "TTR_one"));
            store.putAll("tt", Map.of("accessToken", "TTP_two"));
            store.putAll("other", Map.of("accessToken", "TTP_other"));

            assertThat(store.get("tt", "accessToken")).contains("TTP_two");
            assertThat(store.get("tt", "refreshToken")).contains("TTR_one");
            assertThat(store.get("tt", "missing")).isEmpty();
            assertThat(jdbc.queryForList("SELECT sealed_value FROM connection_credential", String.class))
                    .hasSize(3).allSatisfy(sealed -> assertThat(sealed).startsWith("v1:").doesNotContain("TTP_").doesNotContain("TTR_"));

            // a row moved onto another connection does not open: ignored, not used
            jdbc.update("UPDATE connection_credential SET sealed_value = (SELECT sealed_value FROM connection_credential "
                    + "WHERE connection_id = 'tt' AND credential_key = 'accessToken') WHERE connection_id = 'other'");
            assertThat(store.get("other", "accessToken")).isEmpty();
            // another key opens nothing either
            assertThat(new JdbcCredentialStore(jdbc, tx, SecretCipher.fromBase64(SecretCipher.newKeyBase64()), clock)
                    .get("tt", "accessToken")).isEmpty();

            assertThat(store.deauthorization("tt")).isEmpty();
            CredentialStore.Deauthorization first = store.deauthorize("tt", "the seller deauthorized the app");
            assertThat(store.deauthorize("tt", "a later reason")).isEqualTo(first);
            assertThat(first.since()).isEqualTo(clock.instant());
            assertThat(store.deauthorization("tt")).contains(first);
            assertThat(store.deauthorization("other")).isEmpty();
            store.reauthorize("tt");
            assertThat(store.deauthorization("tt")).isEmpty();

            store.clear("tt");
            assertThat(store.get("tt", "refreshToken")).isEmpty();
        }
    }
}
