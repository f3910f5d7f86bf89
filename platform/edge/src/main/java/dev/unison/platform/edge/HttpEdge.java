package dev.unison.platform.edge;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * What happens at the HTTP edge, for {@code /actuator/health} (component {@code httpEdge}): bodies
 * being read, slow ones, clients cut off for trickling, requests refused by the rate limits. The
 * status is {@code DEGRADED} (HTTP 200: the hub still serves) while at least
 * {@code unison.api.edge.slow-body-alert} request bodies have been arriving for longer than
 * {@code unison.api.edge.slow-body-after}: clients are trickling bodies, as in a slow-body attack.
 */
public final class HttpEdge implements HealthIndicator {

    public static final Status DEGRADED = new Status("DEGRADED", "request bodies are trickling in");

    private final Clock clock;
    private final Duration slowAfter;
    private final int slowAlert;
    private final Map<Object, Instant> reading = new ConcurrentHashMap<>();
    private final AtomicLong slowBodyAborts = new AtomicLong();
    private final AtomicReference<Instant> lastSlowBodyAbort = new AtomicReference<>();
    private final AtomicLong rateLimited = new AtomicLong();
    private final AtomicLong authThrottled = new AtomicLong();
    private final AtomicLong overloaded = new AtomicLong();
    private final AtomicLong shed = new AtomicLong();
    /** How long the last request waited for its handler, and when (nanoTime) its handler began. */
    private volatile long lastHandlerWait;
    private volatile long lastHandlerStart = System.nanoTime() - STALE_AFTER_NANOS;
    /** A handler start older than this says nothing about the queue now. */
    private static final long STALE_AFTER_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    public HttpEdge(Clock clock, Duration slowAfter, int slowAlert) {
        this.clock = clock;
        this.slowAfter = slowAfter;
        this.slowAlert = slowAlert;
    }

    /**
     * The same numbers as Micrometer meters (health details are hidden unless
     * {@code management.endpoint.health.show-details} allows them).
     */
    public void bindMetrics(MeterRegistry meters) {
        Gauge.builder("unison.http.bodies.reading", reading, Map::size).description("request bodies being read").register(meters);
        Gauge.builder("unison.http.bodies.slow", this, HttpEdge::slowBodies)
                .description("request bodies arriving for longer than unison.api.edge.slow-body-after").register(meters);
        FunctionCounter.builder("unison.http.bodies.timed.out", slowBodyAborts, AtomicLong::get)
                .description("clients cut with 408: body not complete within unison.api.edge.body-read-timeout").register(meters);
        FunctionCounter.builder("unison.api.rate.limited", rateLimited, AtomicLong::get)
                .description("requests refused with 429: partner over its rate").register(meters);
        FunctionCounter.builder("unison.api.auth.throttled", authThrottled, AtomicLong::get)
                .description("requests refused with 429: too many invalid keys from the address").register(meters);
        FunctionCounter.builder("unison.http.shed", shed, AtomicLong::get)
                .description("requests refused with 503 at the door: the last requests waited longer than "
                        + "unison.api.edge.max-request-wait for a handler").register(meters);
        FunctionCounter.builder("unison.api.overloaded", overloaded, AtomicLong::get)
                .description("requests refused with 503: waited longer than unison.api.edge.max-request-wait for a handler")
                .register(meters);
    }

    void bodyReadStarted(Object read) {
        reading.put(read, clock.instant());
    }

    void bodyReadEnded(Object read) {
        reading.remove(read);
    }

    void slowBodyAborted() {
        slowBodyAborts.incrementAndGet();
        lastSlowBodyAbort.set(clock.instant());
    }

    void rateLimited() {
        rateLimited.incrementAndGet();
    }

    void authThrottled() {
        authThrottled.incrementAndGet();
    }

    void overloaded() {
        overloaded.incrementAndGet();
    }

    /** A request's handler began after it had waited {@code waitedNanos} since it was complete. */
    void handlerStarted(long waitedNanos) {
        lastHandlerWait = waitedNanos;
        lastHandlerStart = System.nanoTime();
    }

    /**
     * Whether a request arriving now should be refused at the door: a request's handler began
     * within the last second after waiting longer than {@code maxWaitNanos}, so a new one would
     * queue behind as long (a CoDel-style judgement from the queue's latest sojourn time, not its
     * length). Once the queue has drained, handlers begin after short waits, or none begins for a
     * second, and requests are let in again. Counted when true ({@code unison_http_shed_total}).
     */
    boolean shedding(long maxWaitNanos) {
        if (maxWaitNanos <= 0 || lastHandlerWait <= maxWaitNanos || System.nanoTime() - lastHandlerStart > STALE_AFTER_NANOS) {
            return false;
        }
        shed.incrementAndGet();
        return true;
    }

    /** How long the last request waited for its handler, in milliseconds (health details). */
    long lastHandlerWaitMillis() {
        return java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(lastHandlerWait);
    }

    /** Bodies being read for longer than {@code slow-body-after} right now. */
    public long slowBodies() {
        Instant before = clock.instant().minus(slowAfter);
        return reading.values().stream().filter(started -> started.isBefore(before)).count();
    }

    @Override
    public Health health() {
        long slow = slowBodies();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("bodiesBeingRead", reading.size());
        details.put("slowBodies", slow);
        details.put("slowBodyAborts", slowBodyAborts.get());
        if (lastSlowBodyAbort.get() != null) {
            details.put("lastSlowBodyAbortAt", lastSlowBodyAbort.get().toString());
        }
        details.put("rateLimitedRequests", rateLimited.get());
        details.put("authThrottledRequests", authThrottled.get());
        details.put("overloadedRequests", overloaded.get());
        details.put("shedRequests", shed.get());
        details.put("lastHandlerWaitMillis", lastHandlerWaitMillis());
        return Health.status(slow >= slowAlert ? DEGRADED : Status.UP).withDetails(details).build();
    }
}
