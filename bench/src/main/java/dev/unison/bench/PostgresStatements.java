package dev.unison.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where an embedded PostgreSQL's time went, per statement ({@code pg_stat_statements}), for the
 * benchmarks that start one: {@code -Dbench.pgStatements=<file>} loads the extension at start and
 * writes the 40 costliest statements of the whole run (warm-up included) to the file at the end.
 */
public final class PostgresStatements {

    /** Where to write the report; null: not collected. */
    public static final String REPORT = System.getProperty("bench.pgStatements");

    private PostgresStatements() {
    }

    /** Loads the extension when a report was asked for. */
    public static EmbeddedPostgres.Builder configure(EmbeddedPostgres.Builder builder) {
        return REPORT == null ? builder : builder.setServerConfig("shared_preload_libraries", "pg_stat_statements");
    }

    /** Writes the report, if one was asked for; a failure is printed, never thrown (the run's result matters more). */
    public static void write(EmbeddedPostgres postgres) {
        if (REPORT == null) {
            return;
        }
        try (var connection = postgres.getPostgresDatabase().getConnection(); var statement = connection.createStatement()) {
            statement.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            StringBuilder report = new StringBuilder("total_ms\tcalls\tmean_ms\trows\tquery\n");
            try (var rows = statement.executeQuery("SELECT total_exec_time, calls, mean_exec_time, rows, query"
                    + " FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 40")) {
                while (rows.next()) {
                    report.append(String.format("%.0f\t%d\t%.3f\t%d\t%s%n", rows.getDouble(1), rows.getLong(2),
                            rows.getDouble(3), rows.getLong(4), rows.getString(5).replaceAll("\\s+", " ")));
                }
            }
            Files.writeString(Path.of(REPORT), report);
            System.err.println("statements: " + REPORT);
        } catch (Exception e) {
            System.err.println("no statements report: " + e);
        }
    }
}
