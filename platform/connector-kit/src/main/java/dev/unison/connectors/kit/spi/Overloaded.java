package dev.unison.connectors.kit.spi;

/**
 * The hub is too far behind to take this input now; nothing of it was stored. The door answers
 * 503 with {@code Retry-After} (RFC 9110 section 15.6.4) and the sender sends it again: tills,
 * shops and partners all retry a 503, and since nothing was stored the resend is applied once.
 */
public class Overloaded extends RuntimeException {

    private final long retryAfterSeconds;

    public Overloaded(String message, long retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    /** When to send it again, in whole seconds (at least 1). */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
