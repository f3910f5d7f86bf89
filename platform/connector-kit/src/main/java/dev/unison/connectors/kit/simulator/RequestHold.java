package dev.unison.connectors.kit.simulator;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a simulator's next request in flight until a test releases it: the pull TCK's "a fetch in
 * flight when the hub stops" ({@code PullTckAdapter.holdNextRequest}). A handler calls
 * {@link #pass()} first; it blocks while a hold is armed, at most a minute.
 */
public final class RequestHold {

    private volatile CountDownLatch latch;
    private volatile boolean holding;

    /** The next request that passes waits until {@link #release()}. */
    public void holdNext() {
        holding = false;
        latch = new CountDownLatch(1);
    }

    /** True while a request is held. */
    public boolean holding() {
        return holding;
    }

    public void release() {
        CountDownLatch armed = latch;
        latch = null;
        if (armed != null) {
            armed.countDown();
        }
    }

    /** Called by a handler before it answers: waits while a hold is armed. */
    public void pass() {
        CountDownLatch armed = latch;
        if (armed == null) {
            return;
        }
        holding = true;
        try {
            armed.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            holding = false;
        }
    }
}
