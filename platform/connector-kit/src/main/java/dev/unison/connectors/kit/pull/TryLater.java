package dev.unison.connectors.kit.pull;

import java.time.Duration;
import java.util.Optional;

/**
 * A pulled API asked to be asked later (HTTP 429 Too Many Requests, 425 Too Early, 503) with or
 * without a {@code Retry-After}: the {@link Poller} pauses at least that long.
 */
public final class TryLater extends Exception {

    private final transient Optional<Duration> after;

    public TryLater(String message, Optional<Duration> after) {
        super(message + after.map(d -> " (Retry-After " + d.toSeconds() + " s)").orElse(""));
        this.after = after;
    }

    public Optional<Duration> after() {
        return after;
    }
}
