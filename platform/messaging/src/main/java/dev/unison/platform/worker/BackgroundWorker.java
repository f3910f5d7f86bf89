package dev.unison.platform.worker;

import dev.unison.connectors.kit.log.LogSafe;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single background thread that works off a database table: it runs a round, runs again at
 * once while a round was full, otherwise sleeps until {@link #wakeUp()} (a commit that added
 * work) or the poll interval; a failing round is retried with exponential back-off.
 */
public abstract class BackgroundWorker {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundWorker.class);

    /** How long a round may take to finish after a stop before the thread is interrupted. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final String name;
    private final Duration pollInterval;
    private final Duration maxBackoff;
    // capacity 1: any number of wake-ups during a round collapse into one more round
    private final BlockingQueue<Boolean> wakeUps = new ArrayBlockingQueue<>(1);
    private final AtomicBoolean running = new AtomicBoolean();
    private Thread thread;

    protected BackgroundWorker(String name, Duration pollInterval, Duration maxBackoff) {
        this.name = name;
        this.pollInterval = pollInterval;
        this.maxBackoff = maxBackoff;
    }

    /** One round of work; returns true when more work is waiting (run again at once). */
    protected abstract boolean runRound();

    /** Called when a round failed, before the back-off (count it, log it). */
    protected void roundFailed(RuntimeException failure, Duration retryIn) {
        LOG.warn("{} failed, retrying in {} ms: {}", name, retryIn.toMillis(), LogSafe.of(failure, 1000));
    }

    /** Called on the worker's thread once its last round has ended (give back what it holds). */
    protected void afterLastRound() {
    }

    /** False once a stop has been asked for (the current round may still be finishing). */
    public boolean isRunning() {
        return running.get();
    }

    public void wakeUp() {
        wakeUps.offer(Boolean.TRUE);
    }

    public synchronized void start() {
        if (running.compareAndSet(false, true)) {
            thread = new Thread(this::loop, name);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * Lets the current round finish, then ends the thread; interrupts it only if it has not ended
     * within 5 s. An interrupt during a database call would close H2's file channel under it
     * ({@code ClosedByInterruptException}) and so the whole embedded database.
     */
    public void stop() {
        requestStop();
        awaitStopped(System.nanoTime() + STOP_GRACE.toNanos());
    }

    /** Asks the thread to end after its current round; returns at once. */
    public synchronized void requestStop() {
        if (running.compareAndSet(true, false)) {
            wakeUp();
        }
    }

    /**
     * Waits until the thread has ended or the deadline ({@link System#nanoTime()}) has passed, then
     * interrupts it if it is still running and waits for it a little longer.
     */
    public void awaitStopped(long deadlineNanos) {
        Thread current;
        synchronized (this) {
            current = thread;
        }
        if (current == null) {
            return;
        }
        try {
            current.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
            if (current.isAlive()) {
                current.interrupt();
                current.join(STOP_GRACE.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        try {
            runRounds();
        } finally {
            try {
                afterLastRound();
            } catch (RuntimeException e) {
                LOG.warn("{} could not finish cleanly: {}", name, LogSafe.of(e, 1000));
            }
        }
    }

    private void runRounds() {
        long backoffMillis = 0;
        while (running.get()) {
            try {
                boolean more = runRound();
                backoffMillis = 0;
                if (!more) {
                    wakeUps.poll(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                backoffMillis = Math.min(Math.max(100, backoffMillis * 2), maxBackoff.toMillis());
                roundFailed(e, Duration.ofMillis(backoffMillis));
                try {
                    wakeUps.poll(backoffMillis, TimeUnit.MILLISECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
