package dev.unison.platform.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class BackgroundWorkerTest {

    /** Its first round lasts until {@code roundMayEnd} holds; records whether it saw an interrupt. */
    static class WaitingWorker extends BackgroundWorker {
        final CountDownLatch inRound = new CountDownLatch(1);
        final AtomicBoolean interrupted = new AtomicBoolean();
        final AtomicInteger rounds = new AtomicInteger();
        volatile BooleanSupplier roundMayEnd = () -> false;

        WaitingWorker(String name) {
            super(name, Duration.ofSeconds(60), Duration.ofSeconds(1));
        }

        @Override
        protected boolean runRound() {
            rounds.incrementAndGet();
            inRound.countDown();
            // stands for a blocking database call: parked until the round may end or an interrupt comes
            while (!roundMayEnd.getAsBoolean()) {
                LockSupport.parkNanos(1_000_000);
                if (Thread.currentThread().isInterrupted()) {
                    interrupted.set(true);
                    break;
                }
            }
            return false;
        }
    }

    @Test
    void aStopLetsTheRoundFinishWithoutAnInterruptAndRunsNoFurtherRound() throws Exception {
        WaitingWorker worker = new WaitingWorker("finishing");
        worker.roundMayEnd = () -> !worker.isRunning(); // ends once the stop has been asked for
        worker.start();
        assertThat(worker.inRound.await(10, TimeUnit.SECONDS)).isTrue();

        worker.stop();

        assertThat(worker.interrupted).as("interrupted").isFalse();
        assertThat(worker.rounds).hasValue(1); // woken from its 60 s poll, it ended instead of polling
    }

    @Test
    void aRoundStillBusyAtTheDeadlineIsInterrupted() throws Exception {
        WaitingWorker worker = new WaitingWorker("stuck");
        worker.start();
        assertThat(worker.inRound.await(10, TimeUnit.SECONDS)).isTrue();

        worker.requestStop();
        worker.awaitStopped(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50));

        assertThat(worker.interrupted).as("interrupted").isTrue();
    }

    @Test
    void theLifecycleAsksEveryWorkerToStopBeforeWaitingForAny() throws Exception {
        WaitingWorker first = new WaitingWorker("first");
        WaitingWorker second = new WaitingWorker("second");
        // the first round can end only after the second worker was asked to stop: stopped one
        // after the other, the first would be waited for until the deadline and then interrupted
        first.roundMayEnd = () -> !second.isRunning();
        second.roundMayEnd = () -> !second.isRunning();
        WorkersLifecycle lifecycle = new WorkersLifecycle(List.of(first, second));
        lifecycle.start();
        assertThat(first.inRound.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(second.inRound.await(10, TimeUnit.SECONDS)).isTrue();

        lifecycle.stop();

        assertThat(first.interrupted).as("first interrupted").isFalse();
        assertThat(second.interrupted).as("second interrupted").isFalse();
    }
}
