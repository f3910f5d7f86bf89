package dev.unison.platform.edge.metrics;

import dev.unison.platform.worker.BackgroundWorker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The business metrics in Prometheus: {@code unison_business_metric_ratio{metric, channel}} over the
 * last 30 days, and its numerator and denominator ({@code unison_business_metric_numerator},
 * {@code ..._denominator}), recomputed every {@code interval} on a background thread rather than on
 * a scrape (each is a query over a month of data). {@code channel="all"} is the overall figure.
 * Labels are bounded: the metric names are the installed beans, and at most {@link #MAX_CHANNELS}
 * channels get gauges of their own (channel names come from data a partner can send).
 */
public class BusinessMetricGauges extends BackgroundWorker {

    static final int MAX_CHANNELS = 50;
    static final Duration WINDOW = Duration.ofDays(30);

    private final List<BusinessMetric> metrics;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, AtomicReference<BusinessMetric.Ratio>> values = new ConcurrentHashMap<>();

    public BusinessMetricGauges(List<BusinessMetric> metrics, MeterRegistry registry, Clock clock, Duration interval) {
        super("business-metrics", interval, Duration.ofMinutes(5));
        this.metrics = List.copyOf(metrics);
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    protected boolean runRound() {
        Instant to = clock.instant();
        for (BusinessMetric m : metrics) {
            BusinessMetric.Result r = m.compute(to.minus(WINDOW), to);
            set(m.name(), "all", r.overall());
            r.byChannel().entrySet().stream().sorted(Map.Entry.comparingByKey()).limit(MAX_CHANNELS)
                    .forEach(c -> set(m.name(), c.getKey(), c.getValue()));
        }
        return false;
    }

    private void set(String metric, String channel, BusinessMetric.Ratio ratio) {
        values.computeIfAbsent(metric + "\u0000" + channel, k -> {
            AtomicReference<BusinessMetric.Ratio> ref = new AtomicReference<>(ratio);
            Gauge.builder("unison.business.metric.ratio", ref, x -> {
                        var v = x.get().value();
                        return v == null ? Double.NaN : v.doubleValue();
                    })
                    .tag("metric", metric).tag("channel", channel).description("a connected-commerce metric over the last 30 days")
                    .register(registry);
            Gauge.builder("unison.business.metric.numerator", ref, x -> x.get().numerator())
                    .tag("metric", metric).tag("channel", channel).register(registry);
            Gauge.builder("unison.business.metric.denominator", ref, x -> x.get().denominator())
                    .tag("metric", metric).tag("channel", channel).register(registry);
            return ref;
        }).set(ratio);
    }
}
