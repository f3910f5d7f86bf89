package dev.unison.platform.bus;

/** The broker refused or could not take a publish; the outbox keeps the events and retries. */
public class BusException extends RuntimeException {
    public BusException(String message, Throwable cause) {
        super(message, cause);
    }
}
