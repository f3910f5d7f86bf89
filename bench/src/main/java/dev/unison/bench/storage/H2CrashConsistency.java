package dev.unison.bench.storage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.bench.Options;
import dev.unison.bench.Results;
import dev.unison.canonical.json.CanonicalJson;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;

/**
 * Does an H2 file database keep every transaction whole across SIGKILL, with the settings of the
 * hub's embedded default? A child JVM writes with four threads, each transaction inserting 1-20
 * rows into {@code t} and adding one per row to a counter row in {@code p} (the shape of a POS
 * group: records plus the positions they move), prints each transaction's ids once it committed,
 * and is killed with SIGKILL after a few seconds. Reopened, the database must hold every
 * acknowledged row, and the counters must add up to the rows (a transaction partly kept shows as
 * a difference). Another thread inserts and deletes large rows so that compaction has work; with
 * {@code --compaction on} a thread runs the hub's kind of rounds ({@code MVStore.compact} and
 * {@code RandomAccessStore.compactMoveChunks}, 10 s chunk retention) every
 * {@code --compaction-interval-ms}, more often than the hub's once a second so that a kill meets
 * one more often, and {@code CHECKPOINT SYNC} runs every second as {@code H2PeriodicSync} does.
 *
 * <p>Options: {@code --kills} (20), {@code --compaction} (on | off), {@code --compaction-interval-ms}
 * (100), {@code --seed} (1), {@code --out} (bench/results).
 */
public final class H2CrashConsistency {

    private static final String SETTINGS = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;WRITE_DELAY=0;AUTO_COMPACT_FILL_RATE=0;"
            + "DB_CLOSE_ON_EXIT=FALSE";
    private static final int COUNTERS = 20;

    private H2CrashConsistency() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--writer")) {
            write(Path.of(args[1]), args[2].equals("on"), Long.parseLong(args[3]));
            return;
        }
        Map<String, String> options = Options.parse(args, Set.of("kills", "compaction", "compaction-interval-ms", "seed", "out"));
        int kills = Integer.parseInt(options.getOrDefault("kills", "20"));
        String compaction = options.getOrDefault("compaction", "on");
        if (!compaction.equals("on") && !compaction.equals("off")) {
            throw new IllegalArgumentException("--compaction is on or off, got " + compaction);
        }
        long interval = Long.parseLong(options.getOrDefault("compaction-interval-ms", "100"));
        Random random = new Random(Long.parseLong(options.getOrDefault("seed", "1")));
        Path out = Path.of(options.getOrDefault("out", "bench/results"));

        ObjectNode result = CanonicalJson.mapper().createObjectNode();
        result.put("h2", org.h2.engine.Constants.FULL_VERSION).put("kills", kills).put("compaction", compaction)
                .put("compactionIntervalMs", interval);
        ArrayNode runs = result.putArray("runs");
        int broken = 0;
        long lost = 0;
        for (int kill = 1; kill <= kills; kill++) {
            Path dir = Files.createTempDirectory("h2-crash-");
            Path acks = dir.resolve("acks");
            Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), H2CrashConsistency.class.getName(), "--writer", dir.toString(),
                    compaction, Long.toString(interval)).redirectErrorStream(true).redirectOutput(dir.resolve("writer.log").toFile())
                    .start();
            dev.unison.bench.Polling.until(java.time.Duration.ofSeconds(60), java.time.Duration.ofMillis(100),
                    () -> Files.exists(acks) && Files.readString(acks).contains("STARTED"),
                    () -> "the writer has not started; its log: " + dir.resolve("writer.log"));
            // the kill lands at a random moment of the writing, not at a scheduled point
            Thread.sleep(2000 + random.nextInt(3000));
            writer.destroyForcibly();
            writer.waitFor();
            ObjectNode run = check(dir, acks);
            run.put("kill", kill);
            runs.add(run);
            boolean whole = run.get("countersMatchRows").asBoolean() && run.get("acknowledgedMissing").asLong() == 0;
            if (!whole) {
                broken++;
            }
            lost += run.get("acknowledgedMissing").asLong();
            System.out.println("kill " + kill + ": " + run);
            if (whole) {
                deleteTree(dir);
            }
        }
        result.put("killsWithATransactionNotWhole", broken).put("acknowledgedRowsMissing", lost);
        String markdown = "# H2 crash consistency\n\n"
                + "`java -cp bench/target/benchmarks.jar dev.unison.bench.storage.H2CrashConsistency --kills " + kills
                + " --compaction " + compaction + " --compaction-interval-ms " + interval + "`, H2 "
                + org.h2.engine.Constants.FULL_VERSION + "\n\n"
                + "| kills | a transaction not whole after the kill | acknowledged rows missing |\n|---|---|---|\n"
                + "| " + kills + " | " + broken + " | " + lost + " |\n";
        Results.write(out, "h2-crash-consistency-compaction-" + compaction, result, markdown);
    }

    /** Reopens the killed writer's database and compares it with what the writer acknowledged. */
    private static ObjectNode check(Path dir, Path acks) throws Exception {
        Set<Long> acknowledged = new HashSet<>();
        if (Files.exists(acks)) {
            for (String line : Files.readAllLines(acks)) {
                if (line.startsWith("A ")) {
                    Arrays.stream(line.substring(2).split(" ")).map(Long::parseLong).forEach(acknowledged::add);
                }
            }
        }
        ObjectNode run = CanonicalJson.mapper().createObjectNode();
        run.put("acknowledged", acknowledged.size());
        try (Connection db = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("db") + SETTINGS, "sa", "")) {
            Set<Long> rows = new HashSet<>();
            try (ResultSet rs = db.createStatement().executeQuery("SELECT id FROM t")) {
                while (rs.next()) {
                    rows.add(rs.getLong(1));
                }
            }
            long missing = acknowledged.stream().filter(id -> !rows.contains(id)).count();
            long counted;
            try (ResultSet rs = db.createStatement().executeQuery("SELECT COALESCE(SUM(v), 0) FROM p")) {
                rs.next();
                counted = rs.getLong(1);
            }
            run.put("rows", rows.size()).put("counted", counted).put("countersMatchRows", counted == rows.size())
                    .put("acknowledgedMissing", missing);
            if (counted != rows.size()) {
                // which counters are off, and whether the newest rows were acknowledged: a transaction in
                // flight at the kill that kept its rows but not its counter shows as unacknowledged rows
                StringBuilder off = new StringBuilder();
                try (ResultSet rs = db.createStatement().executeQuery("SELECT p.k, p.v, (SELECT COUNT(*) FROM t WHERE t.k = p.k) "
                        + "FROM p WHERE p.v <> (SELECT COUNT(*) FROM t WHERE t.k = p.k)")) {
                    while (rs.next()) {
                        off.append("k").append(rs.getInt(1)).append(": counter ").append(rs.getLong(2)).append(", rows ")
                                .append(rs.getLong(3)).append("; ");
                    }
                }
                long unacknowledged = rows.stream().filter(id -> !acknowledged.contains(id)).count();
                run.put("countersOff", off.toString()).put("rowsNotAcknowledged", unacknowledged).put("directory", dir.toString());
            }
        } catch (SQLException e) {
            run.put("countersMatchRows", false).put("acknowledgedMissing", acknowledged.size())
                    .put("openFailed", e.getMessage()).put("directory", dir.toString());
        }
        return run;
    }

    /** The child: writes until it is killed. */
    private static void write(Path dir, boolean compaction, long intervalMs) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("db") + SETTINGS;
        try (Connection setup = DriverManager.getConnection(url, "sa", "")) {
            setup.createStatement().execute("CREATE TABLE t (id BIGINT PRIMARY KEY, k INT NOT NULL, pad VARCHAR(1000))");
            setup.createStatement().execute("CREATE TABLE p (k INT PRIMARY KEY, v BIGINT NOT NULL)");
            setup.createStatement().execute("CREATE TABLE junk (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, pad VARCHAR(4000))");
            for (int k = 0; k < COUNTERS; k++) {
                setup.createStatement().execute("INSERT INTO p VALUES (" + k + ", 0)");
            }
            PrintStream acks = new PrintStream(new FileOutputStream(dir.resolve("acks").toFile(), true), true);
            AtomicLong ids = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                threads.add(new Thread(() -> transactions(url, ids, acks), "writer-" + w));
            }
            threads.add(new Thread(() -> garbage(url), "garbage"));
            threads.add(new Thread(() -> sync(url), "sync"));
            if (compaction) {
                MVStore store = ((SessionLocal) ((JdbcConnection) setup).getSession()).getDatabase().getStore().getMvStore();
                store.setRetentionTime(10_000);
                threads.add(new Thread(() -> compact(store, intervalMs), "compaction"));
            }
            threads.forEach(Thread::start);
            acks.println("STARTED");
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    private static void transactions(String url, AtomicLong ids, PrintStream acks) {
        try (Connection db = DriverManager.getConnection(url, "sa", "")) {
            db.setAutoCommit(false);
            Random random = new Random();
            PreparedStatement insert = db.prepareStatement("INSERT INTO t VALUES (?, ?, ?)");
            PreparedStatement count = db.prepareStatement("UPDATE p SET v = v + 1 WHERE k = ?");
            String pad = "x".repeat(300);
            while (true) {
                int n = 1 + random.nextInt(20);
                long[] rows = new long[n];
                int[] counters = new int[n];
                for (int i = 0; i < n; i++) {
                    rows[i] = ids.incrementAndGet();
                    counters[i] = random.nextInt(COUNTERS);
                }
                Arrays.sort(counters); // one lock order: no deadlocks between the writers
                for (int i = 0; i < n; i++) {
                    insert.setLong(1, rows[i]);
                    insert.setInt(2, counters[i]);
                    insert.setString(3, pad);
                    insert.addBatch();
                    count.setInt(1, counters[i]);
                    count.addBatch();
                }
                insert.executeBatch();
                count.executeBatch();
                db.commit();
                StringBuilder line = new StringBuilder("A");
                for (long id : rows) {
                    line.append(' ').append(id);
                }
                acks.println(line);
            }
        } catch (SQLException e) {
            e.printStackTrace();
        }
    }

    private static void garbage(String url) {
        try (Connection db = DriverManager.getConnection(url, "sa", "")) {
            PreparedStatement insert = db.prepareStatement("INSERT INTO junk (pad) VALUES (?)");
            String big = "y".repeat(3000);
            while (true) {
                for (int i = 0; i < 50; i++) {
                    insert.setString(1, big);
                    insert.addBatch();
                }
                insert.executeBatch();
                db.createStatement().execute("DELETE FROM junk WHERE id < (SELECT MAX(id) - 500 FROM junk)");
            }
        } catch (SQLException e) {
            e.printStackTrace();
        }
    }

    private static void sync(String url) {
        try (Connection db = DriverManager.getConnection(url, "sa", "")) {
            while (true) {
                db.createStatement().execute("CHECKPOINT SYNC");
                Thread.sleep(1000);
            }
        } catch (SQLException | InterruptedException e) {
            e.printStackTrace();
        }
    }

    private static void compact(MVStore store, long intervalMs) {
        while (true) {
            try {
                store.compact(90, 4 << 20);
                FileStore<?> file = store.getFileStore();
                if (file instanceof RandomAccessStore randomAccess && file.getFillRate() < 90) {
                    randomAccess.compactMoveChunks(90, 16 << 20, store);
                }
                Thread.sleep(intervalMs);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                e.printStackTrace();
            }
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
