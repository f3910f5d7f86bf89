package dev.unison.hub.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.unison.connectors.kit.spi.CoalescingQueue;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The coalescing queue's "done" when another transaction holds rows it would delete: it skips them, never waits. */
class JdbcCoalescingQueueTest {

    private static JdbcCoalescingQueue queue(DriverManagerDataSource db) {
        JdbcTemplate jdbc = new JdbcTemplate(db);
        jdbc.execute("CREATE TABLE pending_update (connection_id VARCHAR(64) NOT NULL, kind VARCHAR(64) NOT NULL, "
                + "update_key VARCHAR(256) NOT NULL, payload VARCHAR(65536) NOT NULL, version BIGINT NOT NULL, "
                + "first_offered_at TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY (connection_id, kind, update_key))");
        JdbcCoalescingQueue queue = new JdbcCoalescingQueue(jdbc, Clock.systemUTC());
        queue.offer("shop", "inventory", "SKU-1", JsonNodeFactory.instance.objectNode().put("quantity", 3));
        queue.offer("shop", "inventory", "SKU-2", JsonNodeFactory.instance.objectNode().put("quantity", 4));
        return queue;
    }

    private static DriverManagerDataSource database() {
        // a long lock timeout: a "done" that waited for the group's lock would still be waiting when checked
        return new DriverManagerDataSource(
                "jdbc:h2:mem:queue-" + System.nanoTime() + ";MODE=PostgreSQL;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000", "sa", "");
    }

    @Test
    void doneNeverWaitsForARowAGroupHoldsAndForgetsOnlyWhatWasSent() throws Exception {
        DriverManagerDataSource db = database();
        JdbcCoalescingQueue queue = queue(db);
        List<CoalescingQueue.Pending> sent = queue.next("shop", "inventory", 10);

        // a consumer group's batch touches SKU-2 (a newer value) and keeps its lock until it commits
        try (Connection group = db.getConnection()) {
            group.setAutoCommit(false);
            try (Statement statement = group.createStatement()) {
                statement.executeUpdate("UPDATE pending_update SET payload = '{\"quantity\":5}', version = version + 1 "
                        + "WHERE update_key = 'SKU-2'");
            }
            CompletableFuture.runAsync(() -> queue.done(sent)).get(5, TimeUnit.SECONDS);
            group.commit();
        }

        // SKU-1 was sent and forgotten; SKU-2 changed after it was sent, so its newer value stays queued
        assertThat(queue.next("shop", "inventory", 10)).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("SKU-2");
            assertThat(p.value().get("quantity").asInt()).isEqualTo(5);
        });
        assertThat(queue.lockRetries()).isZero();
    }

    @Test
    void aSkippedRowWhoseGroupRolledBackIsSentAgain() throws Exception {
        DriverManagerDataSource db = database();
        JdbcCoalescingQueue queue = queue(db);
        List<CoalescingQueue.Pending> sent = queue.next("shop", "inventory", 10);

        try (Connection group = db.getConnection()) {
            group.setAutoCommit(false);
            try (Statement statement = group.createStatement()) {
                statement.executeUpdate("UPDATE pending_update SET payload = '{\"quantity\":5}', version = version + 1 "
                        + "WHERE update_key = 'SKU-2'");
            }
            CompletableFuture.runAsync(() -> queue.done(sent)).get(5, TimeUnit.SECONDS);
            group.rollback();
        }

        // the sent value of SKU-2 is still queued: setting it once more is harmless, losing a value is not
        assertThat(queue.next("shop", "inventory", 10)).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("SKU-2");
            assertThat(p.value().get("quantity").asInt()).isEqualTo(4);
        });
    }
}
