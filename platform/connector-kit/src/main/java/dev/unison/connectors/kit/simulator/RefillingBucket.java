package dev.unison.connectors.kit.simulator;

import java.time.Clock;

/**
 * A rate limit as a server keeps it: a bucket of {@code capacity} refilled at a steady rate; a
 * request takes its cost or is refused. Shopify's REST leaky bucket and GraphQL cost bucket and
 * the TikTok Shop simulator's per-app limit are all one of these.
 */
public final class RefillingBucket {

    private final double capacity;
    private final double refillPerSecond;
    private final Clock clock;
    private double available;
    private long updatedMillis;

    public RefillingBucket(double capacity, double refillPerSecond, Clock clock) {
        this.capacity = capacity;
        this.refillPerSecond = refillPerSecond;
        this.clock = clock;
        this.available = capacity;
        this.updatedMillis = clock.millis();
    }

    /** Takes {@code cost} if it fits; false when the request must be refused. */
    public synchronized boolean tryTake(double cost) {
        refill();
        if (available < cost) {
            return false;
        }
        available -= cost;
        return true;
    }

    public synchronized double available() {
        refill();
        return available;
    }

    /** Seconds until {@code cost} fits again. */
    public synchronized double secondsUntil(double cost) {
        refill();
        return Math.max(0, (cost - available) / refillPerSecond);
    }

    public double capacity() {
        return capacity;
    }

    public double refillPerSecond() {
        return refillPerSecond;
    }

    private void refill() {
        long now = clock.millis();
        available = Math.min(capacity, available + (now - updatedMillis) / 1000.0 * refillPerSecond);
        updatedMillis = now;
    }
}
