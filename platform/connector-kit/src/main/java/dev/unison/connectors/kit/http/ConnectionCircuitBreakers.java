package dev.unison.connectors.kit.http;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;

/**
 * One Resilience4j circuit breaker per connection: a shop whose API keeps failing stops being
 * called for a while (its work stays queued), without slowing the other connections down.
 */
public final class ConnectionCircuitBreakers {

    private final CircuitBreakerRegistry registry;

    public ConnectionCircuitBreakers(CircuitBreakerConfig config) {
        this.registry = CircuitBreakerRegistry.of(config);
    }

    /** Opens after half of at least 10 calls in the last 20 failed; probes again after 30 s. */
    public static ConnectionCircuitBreakers defaults() {
        return new ConnectionCircuitBreakers(CircuitBreakerConfig.custom()
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(30))
                .permittedNumberOfCallsInHalfOpenState(2)
                .build());
    }

    public CircuitBreaker forConnection(String connectionId) {
        return registry.circuitBreaker("connection:" + connectionId);
    }
}
