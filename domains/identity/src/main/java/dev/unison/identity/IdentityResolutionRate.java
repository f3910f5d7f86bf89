package dev.unison.identity;

import dev.unison.canonical.identity.IdentityResolver;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.platform.edge.metrics.BusinessMetric;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Identity resolution rate as a {@link BusinessMetric}: the share of transactions of the period
 * that belong to a known person, per channel. The same count as {@code GET /api/v1/metrics/identity}
 * (docs/identity.md), restricted to transactions that occurred in the period.
 */
public class IdentityResolutionRate implements BusinessMetric {

    private final JdbcTemplate jdbc;
    private final IdentityResolver resolver;

    public IdentityResolutionRate(JdbcTemplate jdbc, IdentityResolver resolver) {
        this.jdbc = jdbc;
        this.resolver = resolver;
    }

    @Override
    public String name() {
        return "identity_resolution_rate";
    }

    @Override
    public String unit() {
        return "transactions";
    }

    @Override
    public String definition() {
        return "transactions (orders of every channel, till sales included) that occurred in the period and belong to a "
                + "profile known by an identifier of a person (not only a shared one such as a card token) ÷ all "
                + "transactions of the period";
    }

    @Override
    public Result compute(Instant from, Instant to) {
        List<String> shared = new ArrayList<>();
        for (IdentifierType type : IdentifierType.values()) {
            if (resolver.rules().shared(type)) {
                shared.add("'" + type.wireName() + "'");
            }
        }
        String identifying = shared.isEmpty() ? "" : " AND i.type NOT IN (" + String.join(", ", shared) + ")";
        Map<String, Ratio> channels = new HashMap<>();
        long[] total = new long[2];
        jdbc.query("SELECT t.channel, COUNT(*) AS n, SUM(CASE WHEN EXISTS (SELECT 1 FROM identity_identifier i "
                + "WHERE i.profile_id = t.profile_id" + identifying + ") THEN 1 ELSE 0 END) AS linked "
                + "FROM identity_transaction t WHERE t.occurred_at >= ? AND t.occurred_at < ? GROUP BY t.channel", rs -> {
                    channels.put(rs.getString("channel"), new Ratio(rs.getLong("linked"), rs.getLong("n")));
                    total[0] += rs.getLong("linked");
                    total[1] += rs.getLong("n");
                }, OffsetDateTime.ofInstant(from, ZoneOffset.UTC), OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
        return new Result(new Ratio(total[0], total[1]), channels);
    }
}
