package dev.unison.platform.retention;

import dev.unison.platform.worker.BackgroundWorker;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deletes what has outlived its purpose, table by table, on one instance of all at a time
 * (docs/operations.md "Retention" lists the same rules):
 * <ul>
 * <li>published outbox events (by when they were appended) and consumer groups' processed event ids older than
 * {@code unison.outbox.retention}: an event is traceable and deduplicated for that long;</li>
 * <li>inbox rows that were processed, kept or found stale, received before
 * {@code unison.retention.inbox}: a sender's retry of the same delivery within it is still
 * recognised;</li>
 * <li>dead letters, and inbox rows that failed into them, older than
 * {@code unison.retention.dead-letters};</li>
 * <li>and the rules each domain contributes as {@link RetentionRule} beans (the inventory domain:
 * released or expired reservations that expired before {@code unison.retention.reservations}).</li>
 * </ul>
 * Pending outbox and inbox rows are never deleted. Orders, POS transactions, ledger movements and
 * the identity tables are business records and are kept.
 *
 * <p>Each batch of at most {@code batchSize} rows is its own transaction (a million-row delete in
 * one would hold its locks and, on H2, its undo log for minutes) and starts by locking the
 * {@code retention-sweep} row of {@code job_lock} with {@code SKIP LOCKED}: a second instance
 * finds it taken and leaves the round to the first.
 */
public class RetentionSweeper extends BackgroundWorker {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionSweeper.class);

    /** How long each kind of row is kept, and how the sweep runs. */
    public record Settings(Duration interval, int batchSize, Duration outbox, Duration inbox, Duration deadLetters) {
        public Settings {
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("unison.retention.sweep-interval must be positive, got " + interval);
            }
            if (batchSize < 1 || batchSize > 100_000) {
                throw new IllegalArgumentException("unison.retention.batch-size must be 1..100000, got " + batchSize);
            }
            requireAtLeast("unison.outbox.retention", outbox, Duration.ofHours(1));
            // Shopify retries a webhook for up to 48 hours; a shorter inbox retention would take a retry for a new delivery
            requireAtLeast("unison.retention.inbox", inbox, Duration.ofHours(48));
            requireAtLeast("unison.retention.dead-letters", deadLetters, Duration.ofHours(1));
        }

        /** Refuses a retention shorter than {@code minimum}, naming its setting. */
        public static void requireAtLeast(String key, Duration value, Duration minimum) {
            if (value == null || value.compareTo(minimum) < 0) {
                throw new IllegalArgumentException(key + " must be at least " + minimum + ", got " + value);
            }
        }

        /** The platform's own rules: outbox, processed ids, inbox, dead letters. */
        public List<RetentionRule> platformRules() {
            return List.of(
                    // an event still waiting for the relay is kept, however old
                    new RetentionRule("outbox_event", outbox, "DELETE FROM outbox_event WHERE seq IN (SELECT seq FROM outbox_event e "
                            + "WHERE e.created_at < ? AND NOT EXISTS (SELECT 1 FROM outbox_pending p WHERE p.seq = e.seq) "
                            + "ORDER BY e.created_at LIMIT ?)", false),
                    // createdAt is a TIMESTAMP without time zone, written by Camel's JDBC idempotent repository in the JVM's zone
                    new RetentionRule("CAMEL_MESSAGEPROCESSED", outbox, "DELETE FROM CAMEL_MESSAGEPROCESSED WHERE (processorName, "
                            + "messageId) IN (SELECT processorName, messageId FROM CAMEL_MESSAGEPROCESSED WHERE createdAt < ? LIMIT ?)",
                            true),
                    new RetentionRule("inbox", inbox, "DELETE FROM inbox WHERE id IN (SELECT id FROM inbox WHERE received_at < ? "
                            + "AND status IN ('processed', 'kept', 'stale') LIMIT ?)", false),
                    new RetentionRule("inbox (failed)", deadLetters, "DELETE FROM inbox WHERE id IN (SELECT id FROM inbox "
                            + "WHERE received_at < ? AND status = 'failed' LIMIT ?)", false),
                    new RetentionRule("dead_letter", deadLetters, "DELETE FROM dead_letter WHERE id IN (SELECT id FROM dead_letter "
                            + "WHERE failed_at < ? LIMIT ?)", false));
        }
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Settings settings;
    private final Clock clock;
    private final MeterRegistry meters;
    private final List<RetentionRule> rules;

    /** @param rules every rule to sweep, in order: the platform's ({@link Settings#platformRules()}) and the domains' */
    public RetentionSweeper(JdbcTemplate jdbc, TransactionTemplate tx, Settings settings, List<RetentionRule> rules, Clock clock,
            MeterRegistry meters) {
        super("retention-sweep", settings.interval(), Duration.ofMinutes(5));
        this.rules = List.copyOf(rules);
        this.jdbc = jdbc;
        this.tx = tx;
        this.settings = settings;
        this.clock = clock;
        this.meters = meters;
    }

    @Override
    protected boolean runRound() {
        // a stop is noticed between batches, not after the whole backlog
        sweep(this::isRunning);
        return false;
    }

    /**
     * Deletes every row past its retention, batch by batch; returns the rows deleted per rule: an
     * empty map when another instance holds the sweep, and only the rules swept so far when another
     * instance takes it over between two batches.
     */
    public Map<String, Integer> sweep() {
        return sweep(() -> true);
    }

    private void counted(RetentionRule rule, int total, Instant cutoff, Map<String, Integer> deleted) {
        if (total > 0) {
            meters.counter("unison.retention.deleted", "table", rule.name()).increment(total);
            LOG.info("retention sweep: deleted {} rows of {} older than {}", total, rule.name(), cutoff);
        }
        deleted.put(rule.name(), total);
    }

    private Map<String, Integer> sweep(BooleanSupplier keepGoing) {
        Map<String, Integer> deleted = new LinkedHashMap<>();
        Instant now = clock.instant();
        for (RetentionRule rule : rules) {
            Instant cutoff = now.minus(rule.keep());
            Object bound = rule.localTimestamp() ? Timestamp.from(cutoff) : OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC);
            int total = 0;
            while (keepGoing.getAsBoolean()) {
                Integer n = tx.execute(status -> {
                    if (jdbc.queryForList("SELECT name FROM job_lock WHERE name = 'retention-sweep' FOR UPDATE SKIP LOCKED",
                            String.class).isEmpty()) {
                        return null;
                    }
                    return jdbc.update(rule.deleteBatch(), bound, settings.batchSize());
                });
                if (n == null) {
                    // between two batches another instance took the sweep over: it goes on from here
                    LOG.debug("retention sweep: another instance is sweeping");
                    if (total > 0) {
                        counted(rule, total, cutoff, deleted);
                    }
                    return deleted;
                }
                total += n;
                if (n < settings.batchSize()) {
                    break;
                }
            }
            counted(rule, total, cutoff, deleted);
        }
        return deleted;
    }
}
