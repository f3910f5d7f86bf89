package dev.unison.bench;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** Waiting for a forked process to reach a state it reports over HTTP, shared by the benchmarks. */
public final class Polling {

    private Polling() {
    }

    /**
     * Asks {@code reached} every {@code every} until it answers true; throws with {@code state()}
     * when it has not within {@code timeout}. An exception from {@code reached} counts as "not yet"
     * (a process still starting refuses connections).
     */
    public static void until(Duration timeout, Duration every, Callable<Boolean> reached, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(reached.call())) {
                    return;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception notYet) {
                // not up yet
            }
            Thread.sleep(every.toMillis()); // a harness poll between HTTP probes, not a wait for a result
        }
        throw new IllegalStateException("not reached within " + timeout + ": " + state.get());
    }
}
