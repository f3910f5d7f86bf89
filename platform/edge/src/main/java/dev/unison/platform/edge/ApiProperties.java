package dev.unison.platform.edge;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code unison.api.*}: the partner API's HTTP edge (docs/security.md "HTTP edge"): per-partner rate
 * limit, failed-authentication throttling, request-body deadline, the longest reservation hold, and
 * how long an authenticated API key is remembered.
 */
@ConfigurationProperties(prefix = "unison.api")
public record ApiProperties(RateLimit rateLimit, AuthThrottle authThrottle, Edge edge, Duration reservationMaxHold,
        Duration keyCacheTtl) {

    public ApiProperties {
        rateLimit = rateLimit == null ? new RateLimit(null, null, null) : rateLimit;
        authThrottle = authThrottle == null ? new AuthThrottle(null, null, null) : authThrottle;
        edge = edge == null ? new Edge(null, null, null, null, null) : edge;
        reservationMaxHold = reservationMaxHold == null ? Duration.ofDays(7) : reservationMaxHold;
        keyCacheTtl = keyCacheTtl == null ? Duration.ofSeconds(5) : keyCacheTtl;
        if (keyCacheTtl.isNegative() || keyCacheTtl.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("unison.api.key-cache-ttl must be 0 (off) to 5m, got " + keyCacheTtl);
        }
    }

    /** Token bucket per partner: refill rate and capacity; 0 requests per second turns it off. */
    public record RateLimit(Double requestsPerSecond, Integer burst, Map<String, PartnerRate> partners) {
        public RateLimit {
            requestsPerSecond = requestsPerSecond == null ? 2000.0 : requestsPerSecond;
            burst = burst == null ? (int) Math.max(1, Math.ceil(requestsPerSecond * 2)) : burst;
            partners = partners == null ? Map.of() : partners;
            if (requestsPerSecond < 0 || burst < 1) {
                throw new IllegalArgumentException("unison.api.rate-limit: requests-per-second >= 0 and burst >= 1, got "
                        + requestsPerSecond + " / " + burst);
            }
        }
    }

    /** A partner's own rate (by partner name); an unset burst is twice the rate. */
    public record PartnerRate(double requestsPerSecond, Integer burst) {
        public PartnerRate {
            burst = burst == null ? (int) Math.max(1, Math.ceil(requestsPerSecond * 2)) : burst;
        }
    }

    /** Invalid keys from one address: {@code maxFailures} within {@code failureWindow} block it for {@code blockDuration}; 0 = off. */
    public record AuthThrottle(Integer maxFailures, Duration failureWindow, Duration blockDuration) {
        public AuthThrottle {
            maxFailures = maxFailures == null ? 20 : maxFailures;
            failureWindow = failureWindow == null ? Duration.ofMinutes(1) : failureWindow;
            blockDuration = blockDuration == null ? Duration.ofMinutes(1) : blockDuration;
        }
    }

    /**
     * Request bodies: all of it within {@code bodyReadTimeout} (else 408); health says DEGRADED while
     * at least {@code slowBodyAlert} bodies have been arriving for longer than {@code slowBodyAfter}.
     * A request that waited longer than {@code maxRequestWait} for a handler, once it was complete,
     * is refused with 503 and {@code Retry-After} (0 = never); while {@code maxInFlight} partner-API
     * and webhook requests are being handled, another is refused with 503 at the door (0 = no bound).
     */
    public record Edge(Duration bodyReadTimeout, Duration slowBodyAfter, Integer slowBodyAlert, Duration maxRequestWait,
            Integer maxInFlight) {
        public Edge {
            maxRequestWait = maxRequestWait == null ? Duration.ofSeconds(2) : maxRequestWait;
            if (maxRequestWait.isNegative() || maxRequestWait.compareTo(Duration.ofSeconds(50)) > 0) {
                throw new IllegalArgumentException("unison.api.edge.max-request-wait must be 0 (never refuse) to 50s, got "
                        + maxRequestWait);
            }
            // twice the request pool (spring.task.execution.pool.core-size 1,024): a backlog of up to about two seconds
            // of POS sales is still taken in (the POS writer's groups grow to drain it), more is refused at once
            maxInFlight = maxInFlight == null ? 2048 : maxInFlight;
            if (maxInFlight < 0) {
                throw new IllegalArgumentException("unison.api.edge.max-in-flight must be 0 (no bound) or more, got " + maxInFlight);
            }
            bodyReadTimeout = bodyReadTimeout == null ? Duration.ofSeconds(30) : bodyReadTimeout;
            slowBodyAfter = slowBodyAfter == null ? Duration.ofSeconds(2) : slowBodyAfter;
            slowBodyAlert = slowBodyAlert == null ? 10 : slowBodyAlert;
            if (bodyReadTimeout.isNegative() || bodyReadTimeout.isZero()) {
                throw new IllegalArgumentException("unison.api.edge.body-read-timeout must be positive, got " + bodyReadTimeout);
            }
        }
    }
}
