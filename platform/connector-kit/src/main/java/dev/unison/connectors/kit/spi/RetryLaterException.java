package dev.unison.connectors.kit.spi;

/**
 * Thrown by {@link Connector#mapInbound} when a delivery cannot be mapped <em>yet</em> — the
 * system it must ask for details is throttled, down or rejecting the connection's credentials.
 * The hub keeps the delivery and tries again later with backoff, other deliveries meanwhile;
 * after many failed attempts it is dead-lettered with this reason. Anything else thrown means the
 * delivery itself is bad and is dead-lettered at once.
 */
public class RetryLaterException extends RuntimeException {

    public RetryLaterException(String message) {
        super(message);
    }
}
