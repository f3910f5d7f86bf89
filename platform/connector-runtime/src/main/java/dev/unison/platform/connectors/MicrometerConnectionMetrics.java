package dev.unison.platform.connectors;

import dev.unison.connectors.kit.spi.ConnectionMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@link ConnectionMetrics} as Micrometer counters ({@code unison.connection.events}), plus
 * per-connection gauges of what waits: inbox deliveries not yet mapped and outbound updates not
 * yet sent. Tags are bounded: connection ids come from configuration, the rest from code.
 */
public class MicrometerConnectionMetrics implements ConnectionMetrics {

    private final MeterRegistry meters;
    private final Set<String> knownConnections;

    public MicrometerConnectionMetrics(MeterRegistry meters, Set<String> knownConnections) {
        this.meters = meters;
        this.knownConnections = Set.copyOf(knownConnections);
    }

    /** Registers the waiting-work gauges of every configured connection. */
    public void registerGauges(JdbcTemplate jdbc) {
        for (String id : knownConnections) {
            Gauge.builder("unison.connection.inbox.pending", () -> count(jdbc,
                    "SELECT COUNT(*) FROM inbox WHERE connection_id = ? AND status = 'pending'", id))
                    .tag("connection", id).description("deliveries stored but not yet mapped").register(meters);
            Gauge.builder("unison.connection.outbound.pending", () -> count(jdbc,
                    "SELECT COUNT(*) FROM pending_update WHERE connection_id = ?", id))
                    .tag("connection", id).description("coalesced outbound updates not yet sent").register(meters);
        }
    }

    @Override
    public void add(String connectionId, String what, String outcome, long amount) {
        if (amount <= 0) {
            return;
        }
        String connection = knownConnections.contains(connectionId) ? connectionId : "unknown";
        Counter.builder("unison.connection.events").tag("connection", connection).tag("what", what)
                .tag("outcome", outcome).register(meters).increment(amount);
    }

    private static double count(JdbcTemplate jdbc, String sql, String id) {
        Long n = jdbc.queryForObject(sql, Long.class, id);
        return n == null ? 0 : n;
    }
}
