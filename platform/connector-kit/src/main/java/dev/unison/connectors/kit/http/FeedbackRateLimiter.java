package dev.unison.connectors.kit.http;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A client-side model of an API's leaky bucket that the API's own answers keep correct, so the
 * connector paces itself instead of discovering the limit through 429s. One instance per
 * connection (per shop, per app): several hub instances share the remote bucket, which is why
 * every answer's feedback overrides the local estimate.
 *
 * <ul>
 *   <li>REST call-limit headers, e.g. {@code X-Shopify-Shop-Api-Call-Limit: 39/40} (Shopify API
 *       docs, "REST Admin API rate limits": bucket 40, leak 2/s on standard plans);</li>
 *   <li>GraphQL cost feedback, {@code extensions.cost.throttleStatus} with
 *       {@code maximumAvailable}, {@code currentlyAvailable}, {@code restoreRate} (Shopify API docs,
 *       "GraphQL Admin API rate limits");</li>
 *   <li>{@code Retry-After} on a 429: nothing is sent until it has passed.</li>
 * </ul>
 *
 * {@link #reserve} never blocks: it books the cost and returns how long the caller must wait
 * before sending, so a Camel route can delay or reschedule instead of holding a thread.
 */
public final class FeedbackRateLimiter {

    private final LongSupplier nanoTime;
    private final double reserve;
    private double capacity;
    private double restorePerSecond;
    private double available;
    private long updatedAt;
    private long blockedUntil;

    /**
     * @param capacity         bucket size (requests or cost points)
     * @param restorePerSecond how fast the bucket refills
     * @param reserve          points always left unused, so other clients of the same bucket never
     *                         find it dry
     */
    public FeedbackRateLimiter(double capacity, double restorePerSecond, double reserve, LongSupplier nanoTime) {
        if (capacity <= 0 || restorePerSecond <= 0 || reserve < 0 || reserve >= capacity) {
            throw new IllegalArgumentException("need capacity > reserve >= 0 and restorePerSecond > 0");
        }
        this.capacity = capacity;
        this.restorePerSecond = restorePerSecond;
        this.reserve = reserve;
        this.available = capacity;
        this.nanoTime = nanoTime;
        this.updatedAt = nanoTime.getAsLong();
        this.blockedUntil = updatedAt;
    }

    public static FeedbackRateLimiter of(double capacity, double restorePerSecond, double reserve) {
        return new FeedbackRateLimiter(capacity, restorePerSecond, reserve, System::nanoTime);
    }

    /** Books {@code cost} and returns how long to wait before sending (zero when it may go now). */
    public synchronized Duration reserve(double cost) {
        if (cost > capacity - reserve) {
            throw new IllegalArgumentException("a single call of cost " + cost + " can never fit a bucket of "
                    + capacity + " with reserve " + reserve + ": split it");
        }
        long now = refill();
        double shortfall = cost + reserve - available;
        available -= cost;
        long waitNanos = shortfall <= 0 ? 0 : (long) Math.ceil(shortfall / restorePerSecond * 1e9);
        long sendAt = Math.max(now + waitNanos, blockedUntil);
        return Duration.ofNanos(Math.max(0, sendAt - now));
    }

    /** How long a call of {@code cost} would have to wait now, without booking it. */
    public synchronized Duration waitFor(double cost) {
        long now = refill();
        double shortfall = cost + reserve - available;
        long waitNanos = shortfall <= 0 ? 0 : (long) Math.ceil(shortfall / restorePerSecond * 1e9);
        return Duration.ofNanos(Math.max(now + waitNanos, blockedUntil) - now);
    }

    /** Feedback from a call-limit header such as {@code 39/40}; ignored when unreadable. */
    public synchronized void onCallLimitHeader(String header) {
        if (header == null) {
            return;
        }
        String[] parts = header.trim().split("/");
        if (parts.length != 2) {
            return;
        }
        try {
            double used = Double.parseDouble(parts[0]);
            double max = Double.parseDouble(parts[1]);
            if (max > 0 && used >= 0) {
                refill();
                capacity = max;
                available = Math.min(available, max - used);
            }
        } catch (NumberFormatException ignored) {
            // a malformed header says nothing; keep the local estimate
        }
    }

    /** Feedback from a GraphQL {@code throttleStatus}: the server's numbers replace the estimate. */
    public synchronized void onThrottleStatus(double maximumAvailable, double currentlyAvailable, double restoreRate) {
        if (maximumAvailable <= 0 || restoreRate <= 0) {
            return;
        }
        refill();
        capacity = maximumAvailable;
        restorePerSecond = restoreRate;
        available = Math.min(currentlyAvailable, maximumAvailable);
    }

    /** A 429 with {@code Retry-After}: nothing goes out before it has passed, and the bucket counts as empty. */
    public synchronized void onRetryAfter(Duration wait) {
        long now = refill();
        blockedUntil = Math.max(blockedUntil, now + wait.toNanos());
        available = Math.min(available, 0);
    }

    /** The share of the bucket available now, 0 to 1: lets a caller batch harder as its budget runs low. */
    public synchronized double fillRatio() {
        refill();
        return Math.max(0, available) / capacity;
    }

    /**
     * How long the bucket takes to restore {@code cost} at its current restore rate: the interval at
     * which calls of that cost spend exactly what comes back.
     */
    public synchronized Duration restoreTime(double cost) {
        return Duration.ofNanos((long) Math.ceil(cost / restorePerSecond * 1e9));
    }

    /** The current estimate of available points (for metrics and tests). */
    public synchronized double available() {
        refill();
        return available;
    }

    private long refill() {
        long now = nanoTime.getAsLong();
        double elapsed = (now - updatedAt) / 1e9;
        available = Math.min(capacity, available + elapsed * restorePerSecond);
        updatedAt = now;
        return now;
    }
}
