package dev.unison.platform.edge;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockAsyncContext;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The bound at the door: while {@code unison.api.edge.max-in-flight} partner-API and webhook
 * requests are being handled, another is answered 503 with {@code Retry-After} by the first filter
 * without reaching any handler; health is always answered; a request's place is given back when it
 * is answered, also when its handler answers asynchronously, and only once.
 */
class DoorSheddingTest {

    private final HttpEdge edge = new HttpEdge(Clock.systemUTC(), Duration.ofSeconds(2), 10);
    private final BodyDeadlineFilter filter = new BodyDeadlineFilter(edge, Duration.ofSeconds(30), ApiSupport.MAX_BODY_BYTES, 2);

    /** A handler that answers later: it starts an asynchronous cycle and keeps it. */
    private final List<MockAsyncContext> pending = new ArrayList<>();

    private MockHttpServletResponse get(String path, boolean answerLater, boolean[] reached) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        request.setAsyncSupported(true);
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, (ServletRequest req, ServletResponse res) -> {
            reached[0] = true;
            if (answerLater) {
                pending.add((MockAsyncContext) req.startAsync());
            }
        });
        return response;
    }

    @Test
    void atTheBoundANewRequestIsRefusedAtTheDoorAndTheFirstAnswerLetsTheNextIn() throws Exception {
        boolean[] reached = new boolean[1];
        get("/api/v1/pos/transactions", true, reached);
        get("/webhooks/shopify/shopify-demo", true, reached);
        assertThat(edge.inFlight()).isEqualTo(2);

        for (String door : new String[] {"/api/v1/events/e-1", "/webhooks/shopify/shopify-demo"}) {
            reached[0] = false;
            MockHttpServletResponse refused = get(door, false, reached);
            assertThat(reached[0]).as(door + " never reaches a handler").isFalse();
            assertThat(refused.getStatus()).isEqualTo(503);
            assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
            assertThat(refused.getContentAsString()).contains("\"error\":\"overloaded\"").contains("nothing of it was done");
        }
        assertThat(edge.health().getDetails()).containsEntry("shedRequests", 2L).containsEntry("requestsInFlight", 2);

        reached[0] = false;
        get("/actuator/health", false, reached);
        assertThat(reached[0]).as("operators can always ask").isTrue();

        complete(pending.get(0));
        complete(pending.get(0)); // a second end of the same cycle gives nothing back twice
        assertThat(edge.inFlight()).isEqualTo(1);
        reached[0] = false;
        assertThat(get("/api/v1/events/e-1", false, reached).getStatus()).isEqualTo(200);
        assertThat(reached[0]).isTrue();
        assertThat(edge.inFlight()).as("answered at once: given back at once").isEqualTo(1);
    }

    @Test
    void zeroMeansNoBound() throws Exception {
        BodyDeadlineFilter unbounded = new BodyDeadlineFilter(edge, Duration.ofSeconds(30), ApiSupport.MAX_BODY_BYTES, 0);
        for (int i = 0; i < 5; i++) {
            MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/events/e-" + i);
            request.setAsyncSupported(true);
            unbounded.doFilter(request, new MockHttpServletResponse(), (req, res) -> pending.add((MockAsyncContext) req.startAsync()));
        }
        assertThat(edge.inFlight()).isEqualTo(5);
        assertThat(edge.health().getDetails()).containsEntry("shedRequests", 0L);
    }

    /** Ends an asynchronous cycle as the container does: every listener hears onComplete. */
    private static void complete(MockAsyncContext async) throws Exception {
        for (AsyncListener listener : async.getListeners()) {
            listener.onComplete(new AsyncEvent(async));
        }
    }
}
