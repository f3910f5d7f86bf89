package dev.unison.platform.worker;

import java.util.List;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;

/**
 * Starts the background workers once the application is ready (routes, and so their durable
 * subscriptions, are up) and stops them when it closes.
 */
public class WorkersLifecycle {

    private final List<BackgroundWorker> workers;

    public WorkersLifecycle(List<BackgroundWorker> workers) {
        this.workers = List.copyOf(workers);
    }

    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        workers.forEach(BackgroundWorker::start);
    }

    /** Asks every worker to stop at once, then waits for all of them against one deadline. */
    @EventListener(ContextClosedEvent.class)
    public void stop() {
        workers.forEach(BackgroundWorker::requestStop);
        long deadline = System.nanoTime() + BackgroundWorker.STOP_GRACE.toNanos();
        workers.forEach(worker -> worker.awaitStopped(deadline));
    }
}
