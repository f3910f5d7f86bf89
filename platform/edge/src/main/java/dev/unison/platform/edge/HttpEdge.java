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
    /** Partner-API and webhook requests admitted and not yet answered. */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

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
                .description("requests refused with 503 at the door: unison.api.edge.max-in-flight requests were being handled")
                .register(meters);
        Gauge.builder("unison.http.in.flight", inFlight, java.util.concurrent.atomic.AtomicInteger::get)
                .description("partner-API and webhook requests admitted and not yet answered").register(meters);
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

    /**
     * Admits a request unless {@code limit} requests are already in flight (then counts it as shed,
     * {@code unison_http_shed_total}); an admitted request must be {@link #release released} once
     * answered. Why a bound on requests in flight: every request admitted beyond what the hub
     * answers within the clients' patience waits in a queue and is refused late, after its client
     * has given up (at three times the POS door's capacity, refusals took 3 to 6 s and most clients
     * timed out); a bound keeps that queue short and answers the rest at once.
     */
    boolean admit(int limit) {
        while (true) {
            int now = inFlight.get();
            if (limit > 0 && now >= limit) {
                shed.incrementAndGet();
                return false;
            }
            if (inFlight.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    void release() {
        inFlight.decrementAndGet();
    }

    /** Partner-API and webhook requests admitted and not yet answered. */
    public int inFlight() {
        return inFlight.get();
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
        details.put("requestsInFlight", inFlight.get());
        return Health.status(slow >= slowAlert ? DEGRADED : Status.UP).withDetails(details).build();
    }
}
