package dev.unison.connectors.shopify.simulator;

import java.time.Clock;

/**
 * Shopify's REST leaky bucket as the server keeps it: each request adds one to the bucket, which
 * leaks {@code leakPerSecond}; a request that finds it full is refused with 429 (shopify.dev,
 * "REST Admin API rate limits": bucket 40, leak 2/s on standard plans).
 */
final class LeakyBucket {

    private final int size;
    private final double leakPerSecond;
    private final Clock clock;
    private double level;
    private long updatedMillis;

    LeakyBucket(int size, double leakPerSecond, Clock clock) {
        this.size = size;
        this.leakPerSecond = leakPerSecond;
        this.clock = clock;
        this.updatedMillis = clock.millis();
    }

    /** Adds one request; returns the level after it, or -1 when the bucket is full (refused). */
    synchronized int tryAdd() {
        leak();
        if (level + 1 > size) {
            return -1;
        }
        level += 1;
        return (int) Math.ceil(level);
    }

    synchronized int level() {
        leak();
        return (int) Math.ceil(level);
    }

    int size() {
        return size;
    }

    /** Seconds until one request fits again, as Shopify's Retry-After says it ("2.0"). */
    synchronized String retryAfter() {
        leak();
        double seconds = Math.max(0, (level + 1 - size) / leakPerSecond);
        return String.format(java.util.Locale.ROOT, "%.1f", Math.max(seconds, 1.0 / leakPerSecond));
    }

    private void leak() {
        long now = clock.millis();
        level = Math.max(0, level - (now - updatedMillis) / 1000.0 * leakPerSecond);
        updatedMillis = now;
    }
}
