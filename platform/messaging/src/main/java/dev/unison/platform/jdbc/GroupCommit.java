package dev.unison.platform.jdbc;

import dev.unison.connectors.kit.log.LogSafe;
import dev.unison.connectors.kit.spi.Overloaded;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit for an intake: request threads each hand over one item and wait; a writer thread
 * takes everything waiting (up to {@code maxGroup}) and stores it in one database transaction,
 * then answers each caller. A caller still hears "stored" only after the commit that made its
 * item durable, but concurrent callers share that commit.
 *
 * <p>Why: a commit costs about the same whatever it holds (on H2 every commit serialises the pages
 * it changed, on PostgreSQL it waits for the WAL flush), and at a few hundred requests a second
 * one commit per request was most of a request's cost (docs/benchmarks.md "Fast edges"). Under
 * load groups grow by themselves: the more callers wait, the more the next commit carries.
 *
 * <p>If a group fails, each of its items is stored again in a transaction of its own, so one bad
 * item (a constraint it breaks, a race with another instance) fails alone and the others are
 * stored. When the oldest item not yet committed has waited longer than {@code maxQueueWait}, new
 * items are refused at once with {@link Overloaded} (the door answers 503 with
 * {@code Retry-After}) instead of queueing behind a backlog their senders will have given up on.
 *
 * @param <I> what a caller hands over
 * @param <O> what the caller gets back once it is committed
 */
public final class GroupCommit<I, O> implements AutoCloseable {

    /** Stores a group inside the current transaction; one outcome per item, in order. */
    @FunctionalInterface
    public interface Work<I, O> {
        List<O> store(List<I> items);
    }

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    private static final Duration CALLER_WAIT = Duration.ofSeconds(60);

    private record Pending<I, O>(I item, CompletableFuture<O> outcome, long queuedAt) {
    }

    private final String name;
    private final TransactionTemplate tx;
    private final Work<I, O> work;
    private final java.util.function.Function<I, O> alone;
    private final int maxGroup;
    private final long maxQueueWaitNanos;
    private final BlockingQueue<Pending<I, O>> queue = new LinkedBlockingQueue<>();
    /** Per writer, when the oldest item of the group it is committing was queued (0: none). */
    private final AtomicLongArray committing;
    private final List<Thread> writers = new ArrayList<>();
    private final Timer groupTime;
    private final DistributionSummary groupSize;
    private final Counter replayed;
    private final Counter overloaded;
    private volatile boolean running = true;

    /**
     * @param name the intake, for thread names and the {@code intake} tag of the meters
     * @param writers writer threads; one on H2 (its commits serialise anyway), more on PostgreSQL
     * @param maxQueueWait refuse new items once the oldest waiting one has waited longer; zero: never
     */
    public GroupCommit(String name, TransactionTemplate tx, Work<I, O> work, int maxGroup, int writers, Duration maxQueueWait,
            MeterRegistry meters) {
        this(name, tx, work, null, maxGroup, writers, maxQueueWait, meters);
    }

    /**
     * @param alone how an item of a failed group is stored on its own, in a transaction of its own
     *     (e.g. with retries of its own); null: {@code work} with the item alone, in one transaction
     */
    public GroupCommit(String name, TransactionTemplate tx, Work<I, O> work, java.util.function.Function<I, O> alone,
            int maxGroup, int writers, Duration maxQueueWait, MeterRegistry meters) {
        if (maxGroup < 1 || writers < 1 || maxQueueWait.isNegative()) {
            throw new IllegalArgumentException(name + ": group size and writers must be positive and the longest wait not "
                    + "negative, got " + maxGroup + ", " + writers + ", " + maxQueueWait);
        }
        this.name = name;
        this.tx = tx;
        this.work = work;
        this.alone = alone != null ? alone : item -> tx.execute(status -> work.store(List.of(item))).get(0);
        this.maxGroup = maxGroup;
        this.maxQueueWaitNanos = maxQueueWait.toNanos();
        this.committing = new AtomicLongArray(writers);
        this.groupTime = Timer.builder("unison.intake.group").tag("intake", name)
                .description("one group commit of an intake").register(meters);
        this.groupSize = DistributionSummary.builder("unison.intake.group.size").tag("intake", name).baseUnit("items")
                .description("items per group commit of an intake").register(meters);
        this.replayed = Counter.builder("unison.intake.group.replayed").tag("intake", name)
                .description("groups that failed and were stored again one item per transaction").register(meters);
        this.overloaded = Counter.builder("unison.intake.overloaded").tag("intake", name)
                .description("items refused (503) because the intake was further behind than its longest wait").register(meters);
        Gauge.builder("unison.intake.behind", this, g -> g.behind().toNanos() / 1e9).tag("intake", name).baseUnit("seconds")
                .description("how long the oldest item of the intake not yet committed has waited").register(meters);
        for (int i = 0; i < writers; i++) {
            int slot = i;
            Thread writer = new Thread(() -> write(slot), name + "-writer" + (writers > 1 ? "-" + i : ""));
            writer.setDaemon(true);
            this.writers.add(writer);
            writer.start();
        }
    }

    /**
     * Hands {@code item} to a writer and returns its outcome once the group holding it is committed.
     *
     * @throws Overloaded the intake is further behind than its longest wait; nothing was stored
     * @throws RuntimeException what storing this item (alone) failed with
     */
    public O submit(I item) {
        long now = System.nanoTime();
        long behind = behindNanos(now);
        if (maxQueueWaitNanos > 0 && behind > maxQueueWaitNanos) {
            overloaded.increment();
            throw new Overloaded("the hub is " + TimeUnit.NANOSECONDS.toMillis(behind) + " ms behind storing " + name
                    + "; nothing of this request was stored: send it again after the Retry-After header's seconds",
                    TimeUnit.NANOSECONDS.toSeconds(behind));
        }
        if (!running) {
            throw new IllegalStateException(name + " is stopping; nothing of this request was stored");
        }
        Pending<I, O> pending = new Pending<>(item, new CompletableFuture<>(), now);
        queue.add(pending);
        if (!running && queue.remove(pending)) {
            // the writers stopped between the check above and the add: nobody would take it
            throw new IllegalStateException(name + " is stopping; nothing of this request was stored");
        }
        try {
            return pending.outcome().get(CALLER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + name + " was being stored", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + " was not stored within " + CALLER_WAIT.toSeconds() + " s", e);
        }
    }

    /** Items waiting for a writer (not those being committed). */
    int waiting() {
        return queue.size();
    }

    /** How long the oldest item not yet committed has been waiting (zero when none is). */
    public Duration behind() {
        return Duration.ofNanos(behindNanos(System.nanoTime()));
    }

    private long behindNanos(long now) {
        long oldest = 0;
        for (int i = 0; i < committing.length(); i++) {
            long at = committing.get(i);
            if (at != 0 && (oldest == 0 || at - oldest < 0)) {
                oldest = at;
            }
        }
        Pending<I, O> head = queue.peek();
        if (head != null && (oldest == 0 || head.queuedAt() - oldest < 0)) {
            oldest = head.queuedAt();
        }
        return oldest == 0 ? 0 : Math.max(0, now - oldest);
    }

    private void write(int slot) {
        List<Pending<I, O>> group = new ArrayList<>();
        while (running) {
            try {
                Pending<I, O> first = queue.poll(500, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.clear();
                group.add(first);
                committing.set(slot, first.queuedAt());
                queue.drainTo(group, maxGroup - 1);
                commit(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException unexpected) {
                group.forEach(p -> p.outcome().completeExceptionally(unexpected));
            } finally {
                committing.set(slot, 0);
            }
        }
        // what is still queued when the writers stop is refused, never left hanging
        for (Pending<I, O> p; (p = queue.poll()) != null;) {
            p.outcome().completeExceptionally(new IllegalStateException(name + " is stopping; nothing of this request was stored"));
        }
    }

    private void commit(List<Pending<I, O>> group) {
        List<I> items = new ArrayList<>(group.size());
        group.forEach(p -> items.add(p.item()));
        long started = System.nanoTime();
        List<O> outcomes;
        try {
            outcomes = tx.execute(status -> work.store(items));
        } catch (RuntimeException groupFailed) {
            // one at a time costs a commit per item: counted, so a group path that keeps failing is noticed
            replayed.increment();
            LOG.warn("{}: a group of {} failed and is stored again one item at a time: {}", name, group.size(),
                    LogSafe.of(groupFailed, 500));
            for (Pending<I, O> p : group) {
                try {
                    p.outcome().complete(alone.apply(p.item()));
                } catch (RuntimeException alone) {
                    p.outcome().completeExceptionally(alone);
                }
            }
            return;
        }
        groupTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        groupSize.record(group.size());
        for (int i = 0; i < group.size(); i++) {
            group.get(i).outcome().complete(outcomes.get(i));
        }
    }

    /** Stops the writers after the groups they are committing; what is still queued is refused. */
    @Override
    public void close() {
        running = false;
        for (Thread writer : writers) {
            try {
                writer.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
