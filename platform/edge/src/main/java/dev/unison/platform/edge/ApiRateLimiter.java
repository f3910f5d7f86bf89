package dev.unison.platform.edge;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.springboot.PlatformHttpMessage;

/**
 * Two limits in front of the partner API.
 *
 * <p><b>Per partner:</b> a token bucket per partner ({@code requests-per-second} refill,
 * {@code burst} capacity; per-partner overrides by partner name). A request without a token gets
 * 429 with {@code Retry-After} in whole seconds (RFC 9110 section 10.2.3; 429 per RFC 6585
 * section 4). A small token bucket rather than Resilience4j's {@code RateLimiter}: that one counts
 * permits per fixed refresh period (no burst separate from the rate), is built per name through a
 * registry that keeps every limiter forever, and its ratelimiter module is not otherwise in the
 * build; a bucket is a few lines, lock-free enough (one monitor per partner) and gives the exact
 * wait for {@code Retry-After}.
 *
 * <p><b>Failed authentication per client address:</b> after {@code max-failures} unknown or
 * revoked keys from one address within {@code failure-window}, that address gets 429 for
 * {@code block-duration}, before its key is even looked at, so guessing keys stops paying. Only
 * that address is blocked: a valid key used from any other address is never refused by it.
 */
public final class ApiRateLimiter {

    /** Rate of one partner's bucket. */
    public record Rate(double requestsPerSecond, int burst) {
    }

    /** The limit was hit: answer 429 and tell the client to come back after {@code retryAfter}. */
    public static final class Limited extends ApiException {
        Limited(String error, String detail, long retryAfterSeconds) {
            super(429, error, detail, retryAfterSeconds);
        }
    }

    /** No limits (rate 0, throttling off). */
    public static final ApiRateLimiter UNLIMITED = new ApiRateLimiter(Clock.systemUTC(), new Rate(0, 0), Map.of(), 0,
            Duration.ofMinutes(1), Duration.ofMinutes(1), new HttpEdge(Clock.systemUTC(), Duration.ofSeconds(2), 1));

    /** Upper bound of tracked addresses; expired entries are dropped first when it is reached. */
    static final int MAX_TRACKED = 100_000;

    private final Clock clock;
    private final Rate defaultRate;
    private final Map<String, Rate> partnerRates;
    private final int maxFailures;
    private final Duration failureWindow;
    private final Duration blockDuration;
    private final HttpEdge edge;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    public ApiRateLimiter(Clock clock, Rate defaultRate, Map<String, Rate> partnerRates, int maxFailures,
            Duration failureWindow, Duration blockDuration, HttpEdge edge) {
        this.clock = clock;
        this.defaultRate = defaultRate;
        this.partnerRates = Map.copyOf(partnerRates);
        this.maxFailures = maxFailures;
        this.failureWindow = failureWindow;
        this.blockDuration = blockDuration;
        this.edge = edge;
    }

    /** Takes one token of the partner's bucket or throws 429; a rate of 0 means unlimited. */
    public void acquire(Partners.Principal partner) {
        Rate rate = partnerRates.getOrDefault(partner.name(), defaultRate);
        if (rate.requestsPerSecond() <= 0) {
            return;
        }
        Bucket bucket = buckets.computeIfAbsent(partner.partnerId(), id -> new Bucket(rate, clock.millis()));
        long waitMillis = bucket.take(clock.millis());
        if (waitMillis > 0) {
            edge.rateLimited();
            throw new Limited("rate_limited", "more than " + format(rate.requestsPerSecond()) + " requests per second "
                    + "(burst " + rate.burst() + ") for this partner; retry after the Retry-After header's seconds",
                    Math.max(1, (waitMillis + 999) / 1000));
        }
    }

    /** The client's address; throws 429 while it is blocked for failed authentications. */
    public String checkClient(Exchange exchange) {
        String address = clientAddress(exchange);
        Failures f = maxFailures <= 0 ? null : failures.get(address);
        if (f == null) {
            return address;
        }
        long wait = f.blockedFor(clock.millis());
        if (wait > 0) {
            edge.authThrottled();
            throw new Limited("too_many_failed_authentications", "too many invalid API keys from this address; "
                    + "retry after the Retry-After header's seconds", Math.max(1, (wait + 999) / 1000));
        }
        return address;
    }

    /** Counts an unknown or revoked key presented from {@code address}; returns {@code error} to throw. */
    public ApiException failedAuthentication(String address, ApiException error) {
        if (maxFailures > 0) {
            countFailure(address);
        }
        return error;
    }

    private void countFailure(String address) {
        long now = clock.millis();
        if (failures.size() >= MAX_TRACKED) {
            failures.values().removeIf(f -> f.expired(now));
            if (failures.size() >= MAX_TRACKED) {
                failures.clear(); // under a flood of addresses, forget rather than grow without bound
            }
        }
        failures.computeIfAbsent(address, a -> new Failures()).failed(now);
    }

    /**
     * The client's address as the servlet container saw it (behind a proxy, configure
     * {@code server.forward-headers-strategy} so this is the client's, not the proxy's).
     */
    public static String clientAddress(Exchange exchange) {
        if (exchange.getIn() instanceof PlatformHttpMessage http && http.getRequest() != null) {
            return http.getRequest().getRemoteAddr();
        }
        return "unknown";
    }

    private static String format(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }

    /** A token bucket: {@code burst} tokens, refilled continuously at the rate. */
    private static final class Bucket {
        private final double perMilli;
        private final double capacity;
        private double tokens;
        private long at;

        Bucket(Rate rate, long now) {
            this.perMilli = rate.requestsPerSecond() / 1000.0;
            this.capacity = Math.max(1, rate.burst());
            this.tokens = capacity;
            this.at = now;
        }

        /** 0 when a token was taken, else the milliseconds until one is there. */
        synchronized long take(long now) {
            tokens = Math.min(capacity, tokens + (now - at) * perMilli);
            at = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / perMilli);
        }
    }

    /** Failures of one address in the current window, and the end of its block. */
    private final class Failures {
        private long windowStart;
        private int count;
        private long blockedUntil;

        synchronized void failed(long now) {
            if (now - windowStart > failureWindow.toMillis()) {
                windowStart = now;
                count = 0;
            }
            count++;
            if (count >= maxFailures) {
                blockedUntil = now + blockDuration.toMillis();
                count = 0;
                windowStart = now;
            }
        }

        synchronized long blockedFor(long now) {
            return blockedUntil - now;
        }

        synchronized boolean expired(long now) {
            return blockedUntil <= now && now - windowStart > failureWindow.toMillis();
        }
    }
}
