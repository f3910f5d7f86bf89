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

/** The coalescing queue's "done" when another transaction holds the rows it deletes. */
class JdbcCoalescingQueueTest {

    @Test
    void aDeleteThatLosesALockRaceIsTriedAgainAndForgetsOnlyWhatWasSent() throws Exception {
        // a short lock timeout: H2 answers a lock it cannot get within 100 ms with error 50200
        DriverManagerDataSource db = new DriverManagerDataSource(
                "jdbc:h2:mem:queue-" + System.nanoTime() + ";MODE=PostgreSQL;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=100", "sa", "");
        JdbcTemplate jdbc = new JdbcTemplate(db);
        jdbc.execute("CREATE TABLE pending_update (connection_id VARCHAR(64) NOT NULL, kind VARCHAR(64) NOT NULL, "
                + "update_key VARCHAR(256) NOT NULL, payload VARCHAR(65536) NOT NULL, version BIGINT NOT NULL, "
                + "first_offered_at TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY (connection_id, kind, update_key))");
        JdbcCoalescingQueue queue = new JdbcCoalescingQueue(jdbc, Clock.systemUTC());
        queue.offer("shop", "inventory", "SKU-1", JsonNodeFactory.instance.objectNode().put("quantity", 3));
        queue.offer("shop", "inventory", "SKU-2", JsonNodeFactory.instance.objectNode().put("quantity", 4));
        List<CoalescingQueue.Pending> sent = queue.next("shop", "inventory", 10);

        // a consumer group's batch touches SKU-2 (a newer value) and keeps its lock for a while
        try (Connection group = db.getConnection()) {
            group.setAutoCommit(false);
            try (Statement statement = group.createStatement()) {
                statement.executeUpdate("UPDATE pending_update SET payload = '{\"quantity\":5}', version = version + 1 "
                        + "WHERE update_key = 'SKU-2'");
            }
            CompletableFuture<Void> done = CompletableFuture.runAsync(() -> queue.done(sent));
            Thread.sleep(250); // "done" has timed out on the lock at least once by now
            assertThat(done).isNotDone();
            group.commit();
            done.get(10, TimeUnit.SECONDS);
        }

        // SKU-1 was sent and forgotten; SKU-2 changed after it was sent, so its newer value stays queued
        assertThat(queue.next("shop", "inventory", 10)).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("SKU-2");
            assertThat(p.value().get("quantity").asInt()).isEqualTo(5);
        });
    }
}
