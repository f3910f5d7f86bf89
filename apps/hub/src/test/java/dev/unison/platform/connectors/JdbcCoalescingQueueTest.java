package dev.unison.platform.connectors;

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

    /**
     * A consumer group's batch gives SKU-2 a newer value and holds its row lock while {@code done}
     * runs (it must finish within 5 s though the lock timeout is 10 s), then commits or rolls back.
     */
    private static void doneWhileAGroupHoldsSku2(DriverManagerDataSource db, JdbcCoalescingQueue queue,
            List<CoalescingQueue.Pending> sent, boolean commit) throws Exception {
        try (Connection group = db.getConnection()) {
            group.setAutoCommit(false);
            try (Statement statement = group.createStatement()) {
                statement.executeUpdate("UPDATE pending_update SET payload = '{\"quantity\":5}', version = version + 1 "
                        + "WHERE update_key = 'SKU-2'");
            }
            CompletableFuture.runAsync(() -> queue.done(sent)).get(5, TimeUnit.SECONDS);
            if (commit) {
                group.commit();
            } else {
                group.rollback();
            }
        }
    }

    @Test
    void doneNeverWaitsForARowAGroupHoldsAndForgetsOnlyWhatWasSent() throws Exception {
        DriverManagerDataSource db = database();
        JdbcCoalescingQueue queue = queue(db);
        List<CoalescingQueue.Pending> sent = queue.next("shop", "inventory", 10);

        doneWhileAGroupHoldsSku2(db, queue, sent, true);

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

        doneWhileAGroupHoldsSku2(db, queue, sent, false);

        // the sent value of SKU-2 is still queued: setting it once more is harmless, losing a value is not
        assertThat(queue.next("shop", "inventory", 10)).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("SKU-2");
            assertThat(p.value().get("quantity").asInt()).isEqualTo(4);
        });
    }
}
