package dev.unison.connectors.shopify.simulator;

import java.time.Clock;

/**
 * Shopify's GraphQL calculated-cost bucket as the server keeps it (shopify.dev "GraphQL Admin API
 * rate limits": standard plan: a 2000-point bucket restored at 100 points/s; every answer reports
 * {@code maximumAvailable}, {@code currentlyAvailable}, {@code restoreRate}).
 */
final class CostBucket {

    private final double maximum;
    private final double restoreRate;
    private final Clock clock;
    private double available;
    private long updatedMillis;

    CostBucket(double maximum, double restoreRate, Clock clock) {
        this.maximum = maximum;
        this.restoreRate = restoreRate;
        this.clock = clock;
        this.available = maximum;
        this.updatedMillis = clock.millis();
    }

    /** Takes {@code cost} points if available; false when the request must be throttled. */
    synchronized boolean tryTake(double cost) {
        restore();
        if (available < cost) {
            return false;
        }
        available -= cost;
        return true;
    }

    synchronized double available() {
        restore();
        return available;
    }

    double maximum() {
        return maximum;
    }

    double restoreRate() {
        return restoreRate;
    }

    private void restore() {
        long now = clock.millis();
        available = Math.min(maximum, available + (now - updatedMillis) / 1000.0 * restoreRate);
        updatedMillis = now;
    }
}
