package dev.unison.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.pos.PosTransaction;
import dev.unison.platform.outbox.Outbox;
import java.net.URI;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Accepts POS transactions: in one transaction the transaction row (the idempotency key:
 * store + register + business day + sequence), its stock movements and, for a sale, the
 * {@code commerce.order.placed.v1} event. Applied synchronously, not through the bus, because the
 * till's sale is the change every online channel must see first.
 */
public class PosTransactions {

    public static final String SOURCE = "/pos";
    private static final URI SOURCE_URI = URI.create(SOURCE);
    /** Most transactions one database transaction takes. */
    static final int MAX_GROUP = 1000;

    /** The outcome: accepted now, or the same transaction accepted before. */
    public record Accepted(boolean duplicate, String key, String orderId, List<LineOutcome> lines) {
    }

    public record LineOutcome(String sku, String outcome, boolean unknownSku) {
    }

    /**
     * The writer is behind by more than the longest wait allowed: nothing of the request was queued
     * or stored; the till sends it again after {@link #retryAfterSeconds()}.
     */
    public static class OverloadedException extends RuntimeException {
        private final long retryAfterSeconds;

        OverloadedException(String message, long retryAfterSeconds) {
            super(message);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /** The key was accepted before with a different body. */
    public static class ConflictException extends RuntimeException {
        public ConflictException(String message) {
            super(message);
        }
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final InventoryLedger ledger;
    private final Outbox outbox;
    private final Clock clock;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean running = true;
    /** Longest a transaction may have waited for the writer before new ones are refused (0 = never refuse). */
    private final long maxQueueWaitNanos;
    /** When the oldest transaction of the group being written was queued (0: no group). */
    private volatile long groupQueuedAt;
    private io.micrometer.core.instrument.Counter overloaded = io.micrometer.core.instrument.Counter
            .builder("unison.pos.overloaded").register(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    private io.micrometer.core.instrument.Timer groupTime = io.micrometer.core.instrument.Timer.builder("unison.pos.group")
            .description("one group commit of POS transactions").register(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    private io.micrometer.core.instrument.DistributionSummary groupSize = io.micrometer.core.instrument.DistributionSummary
            .builder("unison.pos.group.size").baseUnit("transactions").register(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    private io.micrometer.core.instrument.Counter groupsReplayed = io.micrometer.core.instrument.Counter
            .builder("unison.pos.group.replayed").register(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PosTransactions.class);

    /** A transaction waiting for the writer, and where its outcome goes. */
    private record Pending(PosTransaction pos, String payload, CompletableFuture<Accepted> outcome, long queuedAt) {
    }

    /** Group commits and their sizes, in the hub's registry ({@code unison_pos_group_seconds}, {@code unison_pos_group_size}). */
    public void bindMetrics(io.micrometer.core.instrument.MeterRegistry meters) {
        groupTime = io.micrometer.core.instrument.Timer.builder("unison.pos.group").description("one group commit of POS transactions")
                .register(meters);
        groupSize = io.micrometer.core.instrument.DistributionSummary.builder("unison.pos.group.size")
                .description("POS transactions per group commit").register(meters);
        groupsReplayed = io.micrometer.core.instrument.Counter.builder("unison.pos.group.replayed")
                .description("group commits that failed and were applied again one transaction at a time").register(meters);
        overloaded = io.micrometer.core.instrument.Counter.builder("unison.pos.overloaded")
                .description("POS requests refused with 503 because the writer was behind by more than the longest wait")
                .register(meters);
        io.micrometer.core.instrument.Gauge.builder("unison.pos.behind", this, w -> w.behind().toNanos() / 1e9)
                .baseUnit("seconds").description("how long the oldest POS transaction not yet committed has waited")
                .register(meters);
    }

    /** A writer that never refuses (tests, tools). */
    public PosTransactions(JdbcTemplate jdbc, TransactionTemplate tx, InventoryLedger ledger, Outbox outbox, Clock clock) {
        this(jdbc, tx, ledger, outbox, clock, java.time.Duration.ZERO);
    }

    /**
     * @param maxQueueWait when the oldest transaction waiting for the writer has waited longer than this,
     *     new ones are refused ({@link OverloadedException}) instead of queued behind it; zero: never
     */
    public PosTransactions(JdbcTemplate jdbc, TransactionTemplate tx, InventoryLedger ledger, Outbox outbox, Clock clock,
            java.time.Duration maxQueueWait) {
        if (maxQueueWait.isNegative()) {
            throw new IllegalArgumentException("the longest queue wait must not be negative, got " + maxQueueWait);
        }
        this.maxQueueWaitNanos = maxQueueWait.toNanos();
        this.jdbc = jdbc;
        this.tx = tx;
        this.ledger = ledger;
        this.outbox = outbox;
        this.clock = clock;
        this.writer = new Thread(this::write, "pos-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /**
     * Accepts a transaction and returns once it is committed (group commit: transactions arriving
     * together share one database transaction; the caller still hears "accepted" only after the
     * commit that made it durable).
     *
     * @throws ConflictException the key was accepted before with different content
     */
    public Accepted accept(PosTransaction pos) {
        Object outcome = acceptAll(List.of(pos)).get(0);
        if (outcome instanceof Accepted accepted) {
            return accepted;
        }
        throw (RuntimeException) outcome;
    }

    /**
     * Accepts several transactions at once (a store server forwarding what its tills recorded):
     * each is queued for the writer like a single one and has its own outcome, so one conflict
     * does not hold back the others. Per transaction, in order: its {@link Accepted}, or the
     * {@link RuntimeException} it failed with ({@link ConflictException} for a conflict).
     */
    public List<Object> acceptAll(List<PosTransaction> transactions) {
        long now = System.nanoTime();
        long behind = behindNanos(now);
        if (maxQueueWaitNanos > 0 && behind > maxQueueWaitNanos) {
            // Back-pressure: queueing behind a long wait only makes every till wait longer (and time out); a till
            // resends on 503, and since nothing of this request was stored, the resend is applied once
            overloaded.increment();
            throw new OverloadedException("the hub is behind by " + TimeUnit.NANOSECONDS.toMillis(behind)
                    + " ms storing POS transactions; nothing of this request was stored: send it again after the "
                    + "Retry-After header's seconds", Math.max(1, TimeUnit.NANOSECONDS.toSeconds(behind)));
        }
        List<Pending> pendings = new ArrayList<>();
        for (PosTransaction pos : transactions) {
            pendings.add(new Pending(pos, CanonicalJson.write(CanonicalJson.toTree(pos)), new CompletableFuture<>(), now));
        }
        queue.addAll(pendings);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<Object> outcomes = new ArrayList<>();
        for (Pending pending : pendings) {
            try {
                outcomes.add(pending.outcome().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (ExecutionException e) {
                outcomes.add(e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the transactions were being stored", e);
            } catch (TimeoutException e) {
                outcomes.add(new IllegalStateException("the transaction was not stored within 60 s", e));
            }
        }
        return outcomes;
    }

    /**
     * Applies transactions inside the caller's database transaction, exactly as the writer applies a
     * group (the same rows, movements and events): for a consumer of the bus whose "processed" mark
     * must commit with the effects (POS files). Per transaction, in order: its {@link Accepted} or a
     * {@link ConflictException} (returned, not thrown). The caller's transaction must be open.
     */
    public List<Object> applyInCurrentTransaction(List<PosTransaction> transactions) {
        List<Pending> group = new ArrayList<>();
        long now = System.nanoTime();
        for (PosTransaction pos : transactions) {
            group.add(new Pending(pos, CanonicalJson.write(CanonicalJson.toTree(pos)), new CompletableFuture<>(), now));
        }
        return group.isEmpty() ? List.of() : applyGroup(group);
    }

    /** How long the oldest transaction not yet committed has been waiting (zero when none is). */
    public java.time.Duration behind() {
        return java.time.Duration.ofNanos(behindNanos(System.nanoTime()));
    }

    private long behindNanos(long now) {
        long oldest = groupQueuedAt;
        Pending head = queue.peek();
        if (head != null && (oldest == 0 || head.queuedAt() - oldest < 0)) {
            oldest = head.queuedAt();
        }
        return oldest == 0 ? 0 : Math.max(0, now - oldest);
    }

    /** Stops the writer and waits for the group it is committing, so nothing writes after the hub has stopped. */
    public void close() {
        running = false;
        writer.interrupt();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The writer: takes what is waiting (up to {@value #MAX_GROUP}) and applies it in one database
     * transaction, locking every sku of the group up front in sorted order (so a group never
     * deadlocks with another transaction). If the group fails, each is retried in its own
     * transaction, so one bad transaction fails alone.
     */
    private void write() {
        List<Pending> group = new ArrayList<>();
        while (running) {
            try {
                Pending first = queue.poll(500, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.clear();
                group.add(first);
                groupQueuedAt = first.queuedAt();
                queue.drainTo(group, MAX_GROUP - 1);
                List<Object> outcomes;
                long started = System.nanoTime();
                try {
                    outcomes = tx.execute(status -> applyGroup(group));
                    groupTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                    groupSize.record(group.size());
                } catch (RuntimeException groupFailed) {
                    // one at a time costs a commit per sale: visible, so a group path that keeps failing is noticed
                    groupsReplayed.increment();
                    LOG.warn("POS group of {} failed and is applied one transaction at a time: {}", group.size(),
                            dev.unison.connectors.kit.log.LogSafe.of(groupFailed, 500));
                    outcomes = new ArrayList<>();
                    for (Pending p : group) {
                        try {
                            outcomes.add(tx.execute(status -> applyOne(p)));
                        } catch (RuntimeException alone) {
                            outcomes.add(alone);
                        }
                    }
                }
                groupQueuedAt = 0;
                for (int i = 0; i < group.size(); i++) {
                    Object outcome = outcomes.get(i);
                    if (outcome instanceof Accepted accepted) {
                        group.get(i).outcome().complete(accepted);
                    } else {
                        group.get(i).outcome().completeExceptionally((RuntimeException) outcome);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException unexpected) {
                groupQueuedAt = 0;
                group.forEach(p -> p.outcome().completeExceptionally(unexpected));
            }
        }
    }

    /**
     * Applies a group inside the current database transaction with a fixed number of batched
     * statements: transaction rows, then all movements through the ledger at once, then the order
     * events. Per transaction: its Accepted, or a ConflictException (returned, not thrown).
     */
    private List<Object> applyGroup(List<Pending> group) {
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        int[] inserted = jdbc.batchUpdate("INSERT INTO pos_transaction (store_id, register_id, business_day, sequence_no, kind, "
                        + "order_id, payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                group.stream().map(p -> new Object[] {p.pos().storeId(), p.pos().registerId(), p.pos().businessDay(),
                        p.pos().sequence(), p.pos().type().wireName(), p.pos().toOrder().id(), p.payload(), now}).toList());
        List<Object> outcomes = new ArrayList<>();
        List<Movement> movements = new ArrayList<>();
        List<int[]> ranges = new ArrayList<>();
        List<CanonicalEvent> orders = new ArrayList<>();
        List<PosTransaction> stored = new ArrayList<>();
        for (int g = 0; g < group.size(); g++) {
            Pending pending = group.get(g);
            PosTransaction pos = pending.pos();
            if (inserted[g] == 0) {
                // the same key again (now or in this very group): a duplicate if identical, else a conflict
                String before = previous(pos).orElse(pending.payload());
                outcomes.add(sameTransaction(before, pending.payload())
                        ? new Accepted(true, pos.key(), pos.toOrder().id(), List.of())
                        : new ConflictException("transaction " + pos.key() + " was accepted before with different content; "
                                + "a correction is a new transaction (a return or a new sequence number)"));
                ranges.add(null);
                continue;
            }
            int from = movements.size();
            movements.addAll(movementsOf(pos));
            stored.add(pos);
            ranges.add(new int[] {from, movements.size()});
            outcomes.add(null);
            if (pos.type() == PosTransaction.Type.SALE) {
                orders.add(CanonicalEvent.ofRecord("pos:" + pos.key(), EventType.ORDER_PLACED, SOURCE_URI,
                        pos.toOrder(), pos.occurredAt()));
            }
            pos.toRefund().ifPresent(refund -> orders.add(CanonicalEvent.ofRecord("pos:" + pos.key(), EventType.REFUND_CREATED,
                    SOURCE_URI, refund, pos.occurredAt())));
        }
        java.util.Set<String> cartSkus = consumeCarts(stored, movements);
        InventoryLedger.Result result = movements.isEmpty() ? null : ledger.apply(movements);
        if (!cartSkus.isEmpty()) {
            ledger.refreshAvailability(cartSkus);
        }
        for (int g = 0; g < group.size(); g++) {
            int[] range = ranges.get(g);
            if (range == null) {
                continue;
            }
            List<LineOutcome> lines = new ArrayList<>();
            for (int i = range[0]; i < range[1]; i++) {
                lines.add(new LineOutcome(movements.get(i).sku(), result.outcomes().get(i).wireName(),
                        result.unknownSkus().contains(movements.get(i).sku())));
            }
            PosTransaction pos = group.get(g).pos();
            outcomes.set(g, new Accepted(false, pos.key(), pos.toOrder().id(), lines));
        }
        outbox.append("events", orders);
        return outcomes;
    }

    private static List<Movement> movementsOf(PosTransaction pos) {
        List<Movement> movements = new ArrayList<>();
        for (int i = 0; i < pos.lines().size(); i++) {
            PosTransaction.Line line = pos.lines().get(i);
            String lineId = PosTransaction.lineId(i);
            movements.add(pos.type() == PosTransaction.Type.SALE
                    ? new Movement("sale:" + PosTransaction.CHANNEL + ":" + pos.key() + ":" + lineId, line.sku(),
                            pos.storeId(), Movement.Kind.SALE, -line.quantity(), pos.occurredAt(), "pos", null)
                    : new Movement("return:" + PosTransaction.CHANNEL + ":" + pos.key() + ":" + lineId, line.sku(),
                            pos.storeId(), Movement.Kind.RETURN, line.quantity(), pos.occurredAt(), "pos", null));
        }
        return movements;
    }

    /** Applies one transaction inside the current database transaction; a conflict is returned, not thrown. */
    private Object applyOne(Pending pending) {
        PosTransaction pos = pending.pos();
        String payload = pending.payload();
        int inserted = jdbc.update("INSERT INTO pos_transaction (store_id, register_id, business_day, sequence_no, kind, "
                        + "order_id, payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                pos.storeId(), pos.registerId(), pos.businessDay(), pos.sequence(), pos.type().wireName(),
                pos.toOrder().id(), payload, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
        if (inserted == 0) {
            String before = previous(pos).orElse("");
            if (!sameTransaction(before, payload)) {
                return new ConflictException("transaction " + pos.key() + " was accepted before with different content; "
                        + "a correction is a new transaction (a return or a new sequence number)");
            }
            return new Accepted(true, pos.key(), pos.toOrder().id(), List.of());
        }
        List<Movement> movements = movementsOf(pos);
        java.util.Set<String> cartSkus = consumeCarts(List.of(pos), movements);
        InventoryLedger.Result result = ledger.apply(movements);
        if (!cartSkus.isEmpty()) {
            ledger.refreshAvailability(cartSkus);
        }
        List<LineOutcome> lines = new ArrayList<>();
        for (int i = 0; i < movements.size(); i++) {
            lines.add(new LineOutcome(movements.get(i).sku(), result.outcomes().get(i).wireName(),
                    result.unknownSkus().contains(movements.get(i).sku())));
        }
        if (pos.type() == PosTransaction.Type.SALE) {
            outbox.append("events", CanonicalEvent.ofRecord("pos:" + pos.key(), EventType.ORDER_PLACED, SOURCE_URI,
                    pos.toOrder(), pos.occurredAt()));
        }
        // a return naming its sale is a refund of it (attributed revenue is net of refunds and returns)
        pos.toRefund().ifPresent(refund -> outbox.append("events", CanonicalEvent.ofRecord("pos:" + pos.key(),
                EventType.REFUND_CREATED, SOURCE_URI, refund, pos.occurredAt())));
        return new Accepted(false, pos.key(), pos.toOrder().id(), lines);
    }

    /**
     * Sales naming a cart ({@code cartId}) end its held reservations in this same transaction, before
     * their movements apply: a hold of the sold sku at the sale's store is consumed (a sale of 2
     * against a hold of 2: on-hand −2 and reserved −2, so the units are not taken twice), any other
     * hold of the cart is released (the cart is bought). Every sku is locked first, in sorted order
     * with the sale's own. Returns the skus whose holds ended, for one ATS refresh after the sale.
     */
    private java.util.Set<String> consumeCarts(List<PosTransaction> stored, List<Movement> movements) {
        java.util.Map<String, PosTransaction> byCart = new java.util.HashMap<>();
        for (PosTransaction pos : stored) {
            if (pos.type() == PosTransaction.Type.SALE && pos.cartId() != null) {
                byCart.putIfAbsent(pos.cartId(), pos);
            }
        }
        if (byCart.isEmpty()) {
            return java.util.Set.of();
        }
        List<InventoryLedger.CartHold> holds = ledger.cartHolds(byCart.keySet());
        if (holds.isEmpty()) {
            return java.util.Set.of();
        }
        java.util.Set<String> skus = new java.util.TreeSet<>();
        movements.forEach(m -> skus.add(m.sku()));
        holds.forEach(h -> skus.add(h.sku()));
        ledger.lockAhead(skus);
        java.util.Set<String> ended = new java.util.TreeSet<>();
        for (InventoryLedger.CartHold hold : holds) {
            PosTransaction sale = byCart.get(hold.cartId());
            boolean bought = hold.locationId().equals(sale.storeId())
                    && sale.lines().stream().anyMatch(line -> line.sku().equals(hold.sku()));
            if (ledger.endCartHold(hold, bought)) {
                ended.add(hold.sku());
            }
        }
        return ended;
    }

    private Optional<String> previous(PosTransaction pos) {
        return jdbc.query("SELECT payload FROM pos_transaction WHERE store_id = ? AND register_id = ? AND business_day = ? "
                        + "AND sequence_no = ?", (rs, i) -> rs.getString(1),
                pos.storeId(), pos.registerId(), pos.businessDay(), pos.sequence()).stream().findFirst();
    }

    private static boolean sameTransaction(String before, String now) {
        JsonNode a = CanonicalJson.parse(before);
        JsonNode b = CanonicalJson.parse(now);
        return a.equals(b);
    }
}
