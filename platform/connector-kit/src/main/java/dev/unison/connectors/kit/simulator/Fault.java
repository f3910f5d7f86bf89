package dev.unison.connectors.kit.simulator;

import java.time.Duration;

/**
 * A fault the simulator injects into the next request(s) instead of (or before) the normal answer.
 */
public sealed interface Fault {

    /** Answer with this response instead, e.g. a 429 with Retry-After or a 503. */
    record Respond(SimResponse response) implements Fault {
    }

    /** Wait this long before handling the request normally. */
    record Delay(Duration delay) implements Fault {
    }

    /** Close the connection without answering. */
    record Drop() implements Fault {
    }

    static Fault status(int status, String retryAfter) {
        SimResponse r = SimResponse.json(status, "{\"errors\":\"injected fault " + status + "\"}");
        return new Respond(retryAfter == null ? r : r.withHeader("Retry-After", retryAfter));
    }

    static Fault delay(Duration delay) {
        return new Delay(delay);
    }

    static Fault drop() {
        return new Drop();
    }
}
