package dev.unison.connectors.shopify.simulator;

import java.time.Clock;

/**
 * Shopify's rate limits as the server keeps them, both one refilling bucket: the REST leaky
 * bucket (40 requests, leaking 2/s: a request takes 1; shopify.dev "REST Admin API rate limits")
 * and the GraphQL cost bucket (standard plan 2000 points restored at 100/s: a call takes its cost;
 * shopify.dev "GraphQL Admin API rate limits"). A request that does not fit is refused.
 */
final class RefillingBucket {

    private final double capacity;
    private final double refillPerSecond;
    private final Clock clock;
    private double available;
    private long updatedMillis;

    RefillingBucket(double capacity, double refillPerSecond, Clock clock) {
        this.capacity = capacity;
        this.refillPerSecond = refillPerSecond;
        this.clock = clock;
        this.available = capacity;
        this.updatedMillis = clock.millis();
    }

    /** Takes {@code cost} if it fits; false when the request must be refused. */
    synchronized boolean tryTake(double cost) {
        refill();
        if (available < cost) {
            return false;
        }
        available -= cost;
        return true;
    }

    synchronized double available() {
        refill();
        return available;
    }

    /** Seconds until {@code cost} fits again. */
    synchronized double secondsUntil(double cost) {
        refill();
        return Math.max(0, (cost - available) / refillPerSecond);
    }

    double capacity() {
        return capacity;
    }

    double refillPerSecond() {
        return refillPerSecond;
    }

    private void refill() {
        long now = clock.millis();
        available = Math.min(capacity, available + (now - updatedMillis) / 1000.0 * refillPerSecond);
        updatedMillis = now;
    }
}
