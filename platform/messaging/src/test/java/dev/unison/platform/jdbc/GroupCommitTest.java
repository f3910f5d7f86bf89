package dev.unison.platform.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.unison.connectors.kit.spi.Overloaded;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/** Group commit against a real database: shared transactions, a bad item failing alone, refusal when behind. */
class GroupCommitTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ExecutorService callers = Executors.newFixedThreadPool(64);
    private JdbcTemplate jdbc;
    private TransactionTemplate tx;
    private GroupCommit<String, Integer> intake;

    @BeforeEach
    void database() {
        DriverManagerDataSource data = new DriverManagerDataSource("jdbc:h2:mem:group-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        jdbc = new JdbcTemplate(data);
        tx = new TransactionTemplate(new DataSourceTransactionManager(data));
        jdbc.execute("CREATE TABLE item (k VARCHAR(64) PRIMARY KEY)");
    }

    @AfterEach
    void stop() {
        callers.shutdownNow();
        if (intake != null) {
            intake.close();
        }
    }

    /** Inserts each item; a key the table already has breaks the whole group (primary key). */
    private List<Integer> insert(List<String> items, List<Integer> groupSizes, CountDownLatch hold) {
        groupSizes.add(items.size());
        await(hold);
        List<Integer> counts = new ArrayList<>();
        for (String item : items) {
            counts.add(jdbc.update("INSERT INTO item (k) VALUES (?)", item));
        }
        return counts;
    }

    @Test
    void callersArrivingTogetherShareOneTransactionAndEachHearsOfItsOwnItem() throws Exception {
        List<Integer> groups = new CopyOnWriteArrayList<>();
        CountDownLatch firstGroupHeld = new CountDownLatch(1);
        intake = new GroupCommit<>("test", tx, items -> insert(items, groups, groups.isEmpty() ? firstGroupHeld : null), 100, 1,
                Duration.ZERO, meters);
        List<CompletableFuture<Integer>> outcomes = new ArrayList<>();
        outcomes.add(CompletableFuture.supplyAsync(() -> intake.submit("k-0"), callers));
        Awaitility.await().until(() -> groups.size() == 1); // the writer holds k-0's group open
        for (int i = 1; i <= 40; i++) {
            String key = "k-" + i;
            outcomes.add(CompletableFuture.supplyAsync(() -> intake.submit(key), callers));
        }
        Awaitility.await().until(() -> intake.waiting() == 40);
        firstGroupHeld.countDown();

        for (CompletableFuture<Integer> outcome : outcomes) {
            assertThat(outcome.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(groups).containsExactly(1, 40);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM item", Integer.class)).isEqualTo(41);
        assertThat(meters.get("unison.intake.group.size").tag("intake", "test").summary().max()).isEqualTo(40);
    }

    @Test
    void aGroupThatFailsIsStoredAgainOneItemAtATimeSoOnlyTheBadItemFails() throws Exception {
        jdbc.update("INSERT INTO item (k) VALUES ('taken')");
        List<Integer> groups = new CopyOnWriteArrayList<>();
        CountDownLatch firstGroupHeld = new CountDownLatch(1);
        intake = new GroupCommit<>("test", tx, items -> insert(items, groups, groups.isEmpty() ? firstGroupHeld : null), 100, 1,
                Duration.ZERO, meters);
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> intake.submit("a"), callers);
        Awaitility.await().until(() -> groups.size() == 1);
        CompletableFuture<Integer> b = CompletableFuture.supplyAsync(() -> intake.submit("b"), callers);
        CompletableFuture<Integer> bad = CompletableFuture.supplyAsync(() -> intake.submit("taken"), callers);
        CompletableFuture<Integer> c = CompletableFuture.supplyAsync(() -> intake.submit("c"), callers);
        Awaitility.await().until(() -> intake.waiting() == 3);
        firstGroupHeld.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(c.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(org.springframework.dao.DuplicateKeyException.class);
        assertThat(jdbc.queryForList("SELECT k FROM item ORDER BY k", String.class)).containsExactly("a", "b", "c", "taken");
        assertThat(meters.get("unison.intake.group.replayed").tag("intake", "test").counter().count()).isEqualTo(1);
    }

    @Test
    void whenTheOldestItemHasWaitedTooLongNewItemsAreRefusedAtOnceAndNothingOfThemIsStored() throws Exception {
        List<Integer> groups = new CopyOnWriteArrayList<>();
        CountDownLatch held = new CountDownLatch(1);
        intake = new GroupCommit<>("test", tx, items -> insert(items, groups, held), 100, 1, Duration.ofMillis(200), meters);
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> intake.submit("held"), callers);
        Awaitility.await().until(() -> intake.behind().toMillis() > 200);

        // refused while the held group still holds the writer: it was answered, not queued behind it
        assertThatThrownBy(() -> intake.submit("refused")).isInstanceOfSatisfying(Overloaded.class,
                busy -> assertThat(busy.retryAfterSeconds()).isEqualTo(1));
        assertThat(meters.get("unison.intake.overloaded").tag("intake", "test").counter().count()).isEqualTo(1);

        held.countDown();
        assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(jdbc.queryForList("SELECT k FROM item", String.class)).containsExactly("held");
        Awaitility.await().until(() -> intake.behind().isZero());
        assertThat(intake.submit("after")).isEqualTo(1); // caught up: accepted again
    }

    private static void await(CountDownLatch latch) {
        if (latch == null) {
            return;
        }
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
