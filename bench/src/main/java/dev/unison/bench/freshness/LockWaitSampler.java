package dev.unison.bench.freshness;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether the instances wait on each other in PostgreSQL: every 100 ms, how many of the hubs'
 * sessions are running a statement and how many of those wait for a lock another session holds
 * ({@code pg_stat_activity.wait_event_type = 'Lock'}; row and transaction locks show as
 * {@code transactionid} / {@code tuple}). One lock that serialised the instances would show as
 * waiters in most samples, on one statement. Sampling misses short waits; it shows the lasting ones.
 */
final class LockWaitSampler implements AutoCloseable {

    private static final String SAMPLE = "SELECT wait_event_type, wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 90)"
            + " FROM pg_stat_activity WHERE backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid()";

    private final Thread thread;
    private volatile boolean running = true;
    private long samples;
    private long active;
    private long waiting;
    private long samplesWithWaiter;
    private final Map<String, Long> waitsByStatement = new TreeMap<>();
    private final Map<String, Long> waitsByEvent = new TreeMap<>();

    LockWaitSampler(String jdbcUrl) {
        thread = new Thread(() -> run(jdbcUrl), "lock-wait-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(String jdbcUrl) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl); Statement statement = connection.createStatement()) {
            while (running) {
                long waitersNow = 0;
                try (ResultSet rs = statement.executeQuery(SAMPLE)) {
                    synchronized (this) {
                        while (rs.next()) {
                            active++;
                            if ("Lock".equals(rs.getString(1))) {
                                waitersNow++;
                                waitsByEvent.merge(rs.getString(2), 1L, Long::sum);
                                waitsByStatement.merge(rs.getString(3), 1L, Long::sum);
                            }
                        }
                        samples++;
                        waiting += waitersNow;
                        if (waitersNow > 0) {
                            samplesWithWaiter++;
                        }
                    }
                }
                Thread.sleep(100);
            }
        } catch (SQLException | InterruptedException e) {
            // the database went away or the run ended: the samples so far stand
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
    }

    synchronized ObjectNode result() {
        ObjectNode out = CanonicalJson.mapper().createObjectNode();
        out.put("note", "pg_stat_activity every 100 ms while measured: sessions running a statement, and those waiting for a lock");
        out.put("samples", samples);
        out.put("activeSessionsMean", samples == 0 ? 0 : Math.round(active * 100.0 / samples) / 100.0);
        out.put("lockWaitersMean", samples == 0 ? 0 : Math.round(waiting * 1000.0 / samples) / 1000.0);
        out.put("samplesWithALockWaiter", samples == 0 ? 0 : Math.round(samplesWithWaiter * 1000.0 / samples) / 1000.0);
        ObjectNode events = out.putObject("waitsByLockType");
        waitsByEvent.forEach(events::put);
        ObjectNode statements = out.putObject("waitsByStatement");
        waitsByStatement.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                .forEach(e -> statements.put(e.getKey(), e.getValue()));
        return out;
    }
}
