package dev.unison.platform.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Random;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * An H2 file written the way the hub writes it (a commit per change, {@code WRITE_DELAY=0}, H2's
 * own compaction off) grows far past its live data; rounds of {@link H2Compaction} bring it back
 * near the live data without losing a row, and the file opens again afterwards. Breaks when a new
 * H2 version changes the MVStore API the compaction uses.
 */
class H2CompactionIT {

    private static final int ROWS = 2_000;

    @TempDir
    Path dir;

    @Test
    void roundsBringAFileThatGrewWithRewritesBackNearItsLiveData() throws Exception {
        JdbcDataSource dataSource = dataSource();
        try (Connection keepOpen = dataSource.getConnection()) {
            JdbcTemplate jdbc = itemsTable(dataSource);
            rewriteRowsOneCommitEach(keepOpen, 6_000);
            long live = jdbc.queryForObject("SELECT DISK_SPACE_USED('item')", Long.class);
            long grown = Files.size(file());
            assertThat(grown).as("without compaction the file grows far past its %d live bytes", live).isGreaterThan(20 * live);
            long sumBefore = jdbc.queryForObject("SELECT SUM(quantity) FROM item", Long.class);

            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            H2Compaction compaction = new H2Compaction(dataSource, Duration.ofSeconds(1), 50, 256 * 1024, Duration.ZERO, Duration.ZERO, 90, meters);
            for (int round = 0; round < 400 && Files.size(file()) > 3 * live; round++) {
                compaction.runRound();
                // the pages a round rewrote reach the file with the next commit; the hub's periodic sync makes one
                jdbc.execute("CHECKPOINT");
            }

            assertThat(Files.size(file())).as("file after compaction, live data %d bytes, grown to %d", live, grown)
                    .isLessThanOrEqualTo(3 * live);
            assertThat(meters.get("unison.h2.compaction.rewrites").counter().count()).isPositive();
            assertThat(meters.get("unison.h2.file.bytes").gauge().value()).isEqualTo((double) Files.size(file()));
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM item", Long.class)).isEqualTo(ROWS);
            assertThat(jdbc.queryForObject("SELECT SUM(quantity) FROM item", Long.class)).isEqualTo(sumBefore);
        }
        // closed with the last connection; every row is there when it opens again
        JdbcTemplate reopened = new JdbcTemplate(dataSource());
        assertThat(reopened.queryForObject("SELECT COUNT(*) FROM item", Long.class)).isEqualTo(ROWS);
    }

    @Test
    void quietRoundsAimHigherThanBusyOnesAndTheFirstBusyRoundGoesBack() throws Exception {
        JdbcDataSource dataSource = dataSource();
        try (Connection keepOpen = dataSource.getConnection()) {
            JdbcTemplate jdbc = itemsTable(dataSource);
            rewriteRowsOneCommitEach(keepOpen, 6_000);
            long sumBefore = jdbc.queryForObject("SELECT SUM(quantity) FROM item", Long.class);

            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            long[] now = {0};
            H2Compaction compaction = new H2Compaction(dataSource, Duration.ofSeconds(1), 50, 256 * 1024, Duration.ZERO,
                    Duration.ofSeconds(30), 90, meters, () -> now[0]);

            // busy: a commit every 10 ms of the compaction's clock (100 a second), until the rounds change nothing
            long busyFile = compactUntilStable(compaction, jdbc, now, Duration.ofMillis(10));
            assertThat(meters.get("unison.h2.compaction.quiet").gauge().value()).isZero();
            double busyFill = meters.get("unison.h2.file.fill.rate").gauge().value();
            assertThat(busyFill).as("busy rounds reach their 50%% target").isGreaterThanOrEqualTo(50);

            // quiet: one commit a second; after 30 s of it the rounds aim at 90%
            long quietFile = compactUntilStable(compaction, jdbc, now, Duration.ofSeconds(1));
            assertThat(meters.get("unison.h2.compaction.quiet").gauge().value()).isEqualTo(1);
            assertThat(quietFile).as("file after quiet rounds, after busy ones %d bytes (%.0f%% used)", busyFile, busyFill)
                    .isLessThanOrEqualTo(busyFile);
            assertThat(meters.get("unison.h2.file.fill.rate").gauge().value()).as("quiet rounds reach their 90%% target")
                    .isGreaterThanOrEqualTo(90);

            // the first busy round goes back to the busy target
            rewriteRowsOneCommitEach(keepOpen, 50);
            now[0] += Duration.ofSeconds(1).toNanos();
            compaction.runRound();
            assertThat(meters.get("unison.h2.compaction.quiet").gauge().value()).isZero();
            assertThat(meters.get("unison.h2.commits").functionCounter().count()).isPositive();
            assertThat(jdbc.queryForObject("SELECT SUM(quantity) FROM item", Long.class)).isEqualTo(sumBefore + 50);
        }
    }

    @Test
    void aQuietRoundMovesAChunkLargerThanTheBudgetThatKeepsTheFileFromShrinking() throws Exception {
        JdbcDataSource dataSource = dataSource();
        try (Connection keepOpen = dataSource.getConnection()) {
            JdbcTemplate jdbc = itemsTable(dataSource);
            jdbc.execute("CREATE TABLE bulk (id INT PRIMARY KEY, body VARCHAR(1000) NOT NULL)");
            // many small commits, then one commit of about 2 MB: the file's last chunk, eight times the budget
            rewriteRowsOneCommitEach(keepOpen, 6_000);
            jdbc.batchUpdate("INSERT INTO bulk (id, body) VALUES (?, ?)",
                    java.util.stream.IntStream.range(0, 2_000).mapToObj(i -> new Object[] {i, ("b" + i).repeat(200)}).toList());
            jdbc.execute("CHECKPOINT");

            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            long[] now = {0};
            H2Compaction compaction = new H2Compaction(dataSource, Duration.ofSeconds(1), 50, 256 * 1024, Duration.ZERO,
                    Duration.ofSeconds(30), 50, meters, () -> now[0]);
            long busyFile = compactUntilStable(compaction, jdbc, now, Duration.ofMillis(10));
            double busyFill = meters.get("unison.h2.file.fill.rate").gauge().value();
            assertThat(busyFill).as("busy rounds leave the file under the target: the last chunk does not fit the budget")
                    .isLessThan(50);

            // the same target when quiet: only the size a round may move differs
            long quietFile = compactUntilStable(compaction, jdbc, now, Duration.ofSeconds(1));
            assertThat(meters.get("unison.h2.compaction.quiet").gauge().value()).isEqualTo(1);
            assertThat(quietFile).as("after quiet rounds, after busy ones %d bytes (%.0f%% used)", busyFile, busyFill)
                    .isLessThan(busyFile / 2);
            assertThat(meters.get("unison.h2.file.fill.rate").gauge().value()).isGreaterThanOrEqualTo(50);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM bulk", Long.class)).isEqualTo(2_000);
        }
    }

    /**
     * Rounds, each followed by one commit (a row's note changed; the quantities stay) and the
     * compaction's clock advanced by {@code step}, until the file stops shrinking.
     */
    private long compactUntilStable(H2Compaction compaction, JdbcTemplate jdbc, long[] now, Duration step) throws Exception {
        long size = Files.size(file());
        for (int unchanged = 0, round = 0; unchanged < 60 && round < 2_000; round++) {
            now[0] += step.toNanos();
            compaction.runRound();
            jdbc.update("UPDATE item SET note = ? WHERE id = ?", "round " + round, round % ROWS);
            jdbc.execute("CHECKPOINT");
            long next = Files.size(file());
            unchanged = next < size ? 0 : unchanged + 1;
            size = Math.min(size, next);
        }
        return Files.size(file());
    }

    @Test
    void refusesSettingsThatCannotWork() {
        JdbcDataSource dataSource = dataSource();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        assertThatThrownBy(() -> new H2Compaction(dataSource, Duration.ZERO, 50, 1 << 20, null, Duration.ZERO, 90, meters))
                .hasMessageContaining("interval must be positive");
        assertThatThrownBy(() -> new H2Compaction(dataSource, Duration.ofSeconds(1), 100, 1 << 20, null, Duration.ZERO, 90, meters))
                .hasMessageContaining("target-fill-rate must be 1..99");
        assertThatThrownBy(() -> new H2Compaction(dataSource, Duration.ofSeconds(1), 50, 1024, null, Duration.ZERO, 90, meters))
                .hasMessageContaining("budget must be 64KB..2047MB");
        assertThatThrownBy(() -> new H2Compaction(dataSource, Duration.ofSeconds(1), 50, 1 << 20, null, Duration.ZERO, 40, meters))
                .hasMessageContaining("quiet-target-fill-rate must be 50 (target-fill-rate)..99");
        assertThatThrownBy(() -> new H2Compaction(dataSource, Duration.ofSeconds(1), 50, 1 << 20, null, Duration.ofSeconds(-1),
                90, meters)).hasMessageContaining("quiet-after must be 0 (never) or positive");
    }

    /** A table of {@value #ROWS} rows of about 170 bytes each, as one commit. */
    private static JdbcTemplate itemsTable(JdbcDataSource dataSource) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        jdbc.execute("CREATE TABLE item (id INT PRIMARY KEY, quantity BIGINT NOT NULL, note VARCHAR(200) NOT NULL)");
        jdbc.batchUpdate("INSERT INTO item (id, quantity, note) VALUES (?, 0, ?)",
                java.util.stream.IntStream.range(0, ROWS).mapToObj(i -> new Object[] {i, "x".repeat(150)}).toList());
        return jdbc;
    }

    private void rewriteRowsOneCommitEach(Connection connection, int commits) throws Exception {
        Random random = new Random(42);
        try (PreparedStatement update = connection.prepareStatement("UPDATE item SET quantity = quantity + 1 WHERE id = ?")) {
            for (int i = 0; i < commits; i++) {
                update.setInt(1, random.nextInt(ROWS));
                update.executeUpdate();
            }
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("CHECKPOINT");
        }
    }

    private JdbcDataSource dataSource() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:file:" + dir.resolve("db") + ";WRITE_DELAY=0;AUTO_COMPACT_FILL_RATE=0");
        dataSource.setUser("sa");
        return dataSource;
    }

    private Path file() {
        return dir.resolve("db.mv.db");
    }
}
