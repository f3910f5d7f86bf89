package dev.unison.platform.edge.metrics;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Map;

/**
 * A connected-commerce metric a domain computes from its own data: a ratio with its numerator and
 * denominator, in a named unit, for a period, overall and per channel. Domains declare them as
 * beans; {@code GET /api/v1/metrics} and the Prometheus gauges list every one installed.
 */
public interface BusinessMetric {

    /** A stable name, e.g. {@code cross_channel_conversion_rate}. */
    String name();

    /** What numerator and denominator count, e.g. {@code purchasing customers}. */
    String unit();

    /** The definition in words: what counts, over which window. */
    String definition();

    /** The ratio over {@code [from, to)}, overall and per channel. */
    Result compute(Instant from, Instant to);

    /** A ratio; {@code value} is null when the denominator is 0 (no share of nothing). */
    record Ratio(long numerator, long denominator) {
        public BigDecimal value() {
            return denominator == 0 ? null
                    : BigDecimal.valueOf(numerator).divide(BigDecimal.valueOf(denominator), 4, RoundingMode.HALF_EVEN);
        }
    }

    record Result(Ratio overall, Map<String, Ratio> byChannel) {
        public Result {
            byChannel = Map.copyOf(byChannel);
        }
    }
}
