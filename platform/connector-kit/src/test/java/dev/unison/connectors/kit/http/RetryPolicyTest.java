package dev.unison.connectors.kit.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void classifiesStatuses() {
        assertThat(RetryPolicy.classify(200)).isEqualTo(RetryPolicy.Outcome.SUCCESS);
        assertThat(RetryPolicy.classify(429)).isEqualTo(RetryPolicy.Outcome.RETRY);
        assertThat(RetryPolicy.classify(503)).isEqualTo(RetryPolicy.Outcome.RETRY);
        assertThat(RetryPolicy.classify(422)).isEqualTo(RetryPolicy.Outcome.PERMANENT_FAILURE);
        assertThat(RetryPolicy.classify(401)).isEqualTo(RetryPolicy.Outcome.PERMANENT_FAILURE);
    }

    @Test
    void backsOffExponentiallyWithJitterUpToTheCap() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(100), 2.0, 0.5, Duration.ofSeconds(2));

        for (int round = 0; round < 50; round++) {
            assertThat(policy.delayAfter(1, Optional.empty())).isBetween(Duration.ofMillis(50), Duration.ofMillis(150));
            assertThat(policy.delayAfter(3, Optional.empty())).isBetween(Duration.ofMillis(200), Duration.ofMillis(600));
            assertThat(policy.delayAfter(9, Optional.empty())).isLessThanOrEqualTo(Duration.ofSeconds(2));
        }
    }

    @Test
    void neverWaitsLessThanRetryAfter() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(100), 2.0, 0.5, Duration.ofSeconds(2));

        assertThat(policy.delayAfter(1, Optional.of(Duration.ofSeconds(2)))).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.mayRetryAfter(2)).isTrue();
        assertThat(policy.mayRetryAfter(3)).isFalse();
    }
}
