package dev.unison.platform.deadletter;

import dev.unison.connectors.kit.log.LogSafe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The dead-letter destination: a table that keeps the original payload and the reason it failed,
 * so nothing a consumer gave up on is lost or silent (Camel's dead letter channel does not log).
 */
public class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final int MAX_REASON = 4000;

    public record DeadLetter(long id, String consumer, String eventId, String eventType, String reason,
            String exceptionClass, String payload, OffsetDateTime failedAt) {
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Counter counter;

    public DeadLetters(JdbcTemplate jdbc, Clock clock, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.counter = Counter.builder("unison.dead.letters").description("messages sent to the dead-letter table")
                .register(meters);
    }

    public void record(String consumer, String eventId, String eventType, Throwable cause, String payload) {
        insert(consumer, eventId, eventType, describe(cause), cause == null ? null : cause.getClass().getName(), payload);
    }

    /** Records a failure that is a verdict, not an exception (e.g. an API's user error). */
    public void record(String consumer, String key, String type, String reason, String payload) {
        insert(consumer, key, type, reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason, null, payload);
    }

    private void insert(String consumer, String eventId, String eventType, String reason, String exceptionClass,
            String payload) {
        jdbc.update("INSERT INTO dead_letter (consumer, event_id, event_type, reason, exception_class, payload, failed_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?)",
                consumer, eventId, eventType, reason, exceptionClass, payload,
                OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
        counter.increment();
        // ids, types and reasons come from webhooks and partners: escaped so they cannot forge log lines
        LOG.warn("dead-lettered {} event {} for consumer {}: {}", LogSafe.of(eventType), LogSafe.of(eventId),
                LogSafe.of(consumer), LogSafe.of(reason, 1000));
    }

    public List<DeadLetter> recent(String consumer, int limit) {
        return jdbc.query("SELECT * FROM dead_letter WHERE consumer = ? ORDER BY id DESC LIMIT ?",
                (rs, i) -> new DeadLetter(rs.getLong("id"), rs.getString("consumer"), rs.getString("event_id"),
                        rs.getString("event_type"), rs.getString("reason"), rs.getString("exception_class"),
                        rs.getString("payload"), rs.getObject("failed_at", OffsetDateTime.class)),
                consumer, limit);
    }

    static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown failure";
        }
        StringBuilder reason = new StringBuilder();
        for (Throwable t = cause; t != null && reason.length() < MAX_REASON; t = t.getCause()) {
            if (reason.length() > 0) {
                reason.append(" <- ");
            }
            reason.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
            if (t.getCause() == t) {
                break;
            }
        }
        return reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason.toString();
    }
}
