package dev.unison.connectors.kit.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock moved by hand, for simulators and the tests that drive them: token expiry, Retry-After
 * pauses and lingering queues are stepped through instead of slept through.
 */
public final class ManualClock extends Clock {

    private volatile Instant now;

    public ManualClock(Instant start) {
        this.now = start;
    }

    /**
     * Starting at the current time in whole milliseconds: what both H2 and PostgreSQL store and
     * give back unchanged, so a time written and read again compares equal.
     */
    public static ManualClock startingNow() {
        return new ManualClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }

    public void advance(Duration by) {
        now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
