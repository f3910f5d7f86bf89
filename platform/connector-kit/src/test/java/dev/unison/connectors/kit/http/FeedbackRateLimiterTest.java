package dev.unison.connectors.kit.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class FeedbackRateLimiterTest {

    private final AtomicLong now = new AtomicLong();

    private FeedbackRateLimiter shopifyRest() {
        return new FeedbackRateLimiter(40, 2, 0, now::get); // Shopify REST: bucket 40, leak 2/s
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void aFullBucketTakesABurstThenPacesAtTheLeakRate() {
        FeedbackRateLimiter limiter = shopifyRest();

        for (int i = 0; i < 40; i++) {
            assertThat(limiter.reserve(1)).isZero();
        }
        assertThat(limiter.reserve(1)).isEqualTo(Duration.ofMillis(500));
        assertThat(limiter.reserve(1)).isEqualTo(Duration.ofMillis(1000));
    }

    @Test
    void theServersCallLimitHeaderOverridesTheEstimate() {
        FeedbackRateLimiter limiter = shopifyRest();

        limiter.onCallLimitHeader("39/40"); // another client used the bucket

        assertThat(limiter.reserve(1)).isZero();
        assertThat(limiter.reserve(1)).isEqualTo(Duration.ofMillis(500));
        limiter.onCallLimitHeader("garbage"); // ignored
    }

    @Test
    void graphQlThrottleStatusReplacesCapacityAndRestoreRate() {
        FeedbackRateLimiter limiter = new FeedbackRateLimiter(1000, 50, 100, now::get);

        limiter.onThrottleStatus(2000, 150, 100); // maximumAvailable, currentlyAvailable, restoreRate

        assertThat(limiter.reserve(50)).isZero(); // 150 - 50 leaves exactly the reserve of 100
        assertThat(limiter.reserve(50)).isEqualTo(Duration.ofMillis(500)); // 50 points at 100/s
    }

    @Test
    void theRestoreTimeOfACallFollowsTheShopsRestoreRate() {
        FeedbackRateLimiter limiter = new FeedbackRateLimiter(1000, 50, 100, now::get);
        assertThat(limiter.restoreTime(10)).isEqualTo(Duration.ofMillis(200));

        limiter.onThrottleStatus(2000, 2000, 100); // standard plan: 100 points/s
        assertThat(limiter.restoreTime(10)).isEqualTo(Duration.ofMillis(100));
        limiter.onThrottleStatus(20000, 20000, 1000); // Shopify Plus: 1,000 points/s
        assertThat(limiter.restoreTime(10)).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void retryAfterBlocksEverythingUntilItHasPassed() {
        FeedbackRateLimiter limiter = shopifyRest();

        limiter.onRetryAfter(Duration.ofSeconds(2));

        assertThat(limiter.reserve(1)).isEqualTo(Duration.ofSeconds(2));
        advance(Duration.ofSeconds(3));
        assertThat(limiter.reserve(1)).isZero();
    }

    @Test
    void aCallThatCanNeverFitIsRefused() {
        FeedbackRateLimiter limiter = new FeedbackRateLimiter(1000, 50, 100, now::get);
        assertThatThrownBy(() -> limiter.reserve(950)).hasMessageContaining("split it");
    }

    /**
     * Whatever the sequence of call costs and gaps, sending each call when the limiter says never
     * overdraws a true leaky bucket with the same size and rate (the server's view), keeping the reserve.
     */
    @Property(tries = 300)
    void pacedCallsNeverOverdrawTheServersBucket(
            @ForAll @Size(min = 1, max = 200) List<@IntRange(min = 1, max = 40) Integer> costs,
            @ForAll @Size(min = 1, max = 200) List<@IntRange(min = 0, max = 400) Integer> gapsMillis) {
        AtomicLong clock = new AtomicLong();
        double capacity = 100;
        double rate = 10;
        double reserve = 10;
        FeedbackRateLimiter limiter = new FeedbackRateLimiter(capacity, rate, reserve, clock::get);
        double serverAvailable = capacity;
        long serverUpdated = 0;
        long lastSend = 0;
        for (int i = 0; i < costs.size(); i++) {
            clock.addAndGet(Duration.ofMillis(gapsMillis.get(i % gapsMillis.size())).toNanos());
            long sendAt = clock.get() + limiter.reserve(costs.get(i)).toNanos();
            sendAt = Math.max(sendAt, lastSend); // calls go out in order
            lastSend = sendAt;
            serverAvailable = Math.min(capacity, serverAvailable + (sendAt - serverUpdated) / 1e9 * rate);
            serverUpdated = sendAt;
            serverAvailable -= costs.get(i);
            assertThat(serverAvailable).as("call %d", i).isGreaterThanOrEqualTo(reserve - 1e-6);
        }
    }
}
