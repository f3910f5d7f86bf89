package dev.unison.connectors.kit.http;

import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.util.Optional;

/**
 * When to retry a call to an external API, and after how long. 429, 5xx and network failures are
 * transient; other 4xx are permanent and go to the dead-letter destination with their reason.
 * The delay is exponential backoff with jitter (Resilience4j {@link IntervalFunction}), but never
 * shorter than the server's {@code Retry-After}.
 */
public final class RetryPolicy {

    public enum Outcome { SUCCESS, RETRY, PERMANENT_FAILURE }

    private final int maxAttempts;
    private final IntervalFunction backoff;

    public RetryPolicy(int maxAttempts, Duration initial, double multiplier, double jitter, Duration max) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        this.maxAttempts = maxAttempts;
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(initial, multiplier, jitter, max);
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(6, Duration.ofMillis(250), 2.0, 0.5, Duration.ofSeconds(30));
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public static Outcome classify(int httpStatus) {
        if (httpStatus >= 200 && httpStatus < 300) {
            return Outcome.SUCCESS;
        }
        if (httpStatus == 429 || httpStatus == 408 || httpStatus >= 500) {
            return Outcome.RETRY;
        }
        return Outcome.PERMANENT_FAILURE;
    }

    /** Whether attempt number {@code attempt} (1-based) may be followed by another. */
    public boolean mayRetryAfter(int attempt) {
        return attempt < maxAttempts;
    }

    /** The wait before attempt {@code attempt + 1}: backoff with jitter, at least the server's Retry-After. */
    public Duration delayAfter(int attempt, Optional<Duration> retryAfter) {
        Duration computed = Duration.ofMillis(backoff.apply(attempt));
        return retryAfter.filter(r -> r.compareTo(computed) > 0).orElse(computed);
    }
}
