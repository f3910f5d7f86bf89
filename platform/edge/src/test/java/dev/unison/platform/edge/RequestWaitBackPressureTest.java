package dev.unison.platform.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.springboot.PlatformHttpMessage;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * Back-pressure at the edge: a request that waited for a handler longer than
 * {@code unison.api.edge.max-request-wait} once it was complete is refused with 503 and Retry-After
 * before the hub does anything of it (not even the key lookup); a fresh one goes on.
 */
class RequestWaitBackPressureTest {

    private final HttpEdge edge = new HttpEdge(Clock.systemUTC(), Duration.ofSeconds(2), 10);

    private Exchange request(long waitedMillis) {
        DefaultExchange exchange = new DefaultExchange(new DefaultCamelContext());
        MockHttpServletRequest servlet = new MockHttpServletRequest("POST", "/api/v1/pos/transactions");
        servlet.setAttribute(BodyDeadlineFilter.READY_AT, System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(waitedMillis));
        exchange.setIn(new PlatformHttpMessage(servlet, new MockHttpServletResponse(), exchange, null, false));
        return exchange;
    }

    private ApiSupport support(Duration maxWait) {
        // no database: the refusal must come before the key is looked up
        return new ApiSupport(new Partners(null, Clock.systemUTC()), ApiRateLimiter.UNLIMITED, maxWait, edge);
    }

    @Test
    void aRequestThatWaitedTooLongIsRefusedWith503AndRetryAfterBeforeAuthentication() {
        assertThatThrownBy(() -> support(Duration.ofSeconds(2)).require(Scope.EVENTS_WRITE).process(request(3_000)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.error()).isEqualTo("overloaded");
                    assertThat(e.retryAfterSeconds()).isPositive();
                    assertThat(e.detail()).contains("nothing of it was done");
                });
        assertThat(edge.health().getDetails()).containsEntry("overloadedRequests", 1L);
    }

    @Test
    void aFreshRequestGoesOnToAuthentication() {
        assertThatThrownBy(() -> support(Duration.ofSeconds(2)).require(Scope.EVENTS_WRITE).process(request(10)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).as("no key sent").isEqualTo(401));
    }

    @Test
    void zeroTurnsItOff() {
        assertThatThrownBy(() -> support(Duration.ZERO).require(Scope.EVENTS_WRITE).process(request(30_000)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(401));
    }
}
