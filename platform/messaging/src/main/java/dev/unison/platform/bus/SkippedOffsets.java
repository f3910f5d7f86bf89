package dev.unison.platform.bus;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Offsets a Kafka consumer group may commit late: those after records it skipped because none was
 * of a type it handles. Reading them again would change nothing, so instead of a commit per fetch
 * they go with the group's next real commit, or once they have waited {@code interval}, or when
 * their partition is revoked. Per partition the latest offset wins. Used by one consumer thread.
 */
final class SkippedOffsets {

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
    private long waitingSince;

    SkippedOffsets(long intervalNanos) {
        this(intervalNanos, System::nanoTime);
    }

    SkippedOffsets(long intervalNanos, LongSupplier nanoTime) {
        this.intervalNanos = intervalNanos;
        this.nanoTime = nanoTime;
    }

    /** The next offsets after records that were all skipped. */
    void add(Map<TopicPartition, OffsetAndMetadata> next) {
        if (pending.isEmpty()) {
            waitingSince = nanoTime.getAsLong();
        }
        next.forEach((partition, offset) -> pending.merge(partition, offset,
                (held, later) -> later.offset() >= held.offset() ? later : held));
    }

    /** What has waited {@code interval} or longer, all of it, and forgets it; empty otherwise. */
    Map<TopicPartition, OffsetAndMetadata> takeIfDue() {
        if (pending.isEmpty() || nanoTime.getAsLong() - waitingSince < intervalNanos) {
            return Map.of();
        }
        return takeWith(Map.of());
    }

    /** A real commit's offsets with what waits of other partitions (the commit's own offsets are later). */
    Map<TopicPartition, OffsetAndMetadata> takeWith(Map<TopicPartition, OffsetAndMetadata> commit) {
        if (pending.isEmpty()) {
            return commit;
        }
        Map<TopicPartition, OffsetAndMetadata> all = new HashMap<>(pending);
        commit.forEach((partition, offset) -> all.merge(partition, offset,
                (held, later) -> later.offset() >= held.offset() ? later : held));
        pending.clear();
        return all;
    }

    /** What waits for these partitions (revoked or lost), and forgets it. */
    Map<TopicPartition, OffsetAndMetadata> takeFor(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> taken = new HashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata offset = pending.remove(partition);
            if (offset != null) {
                taken.put(partition, offset);
            }
        }
        return taken;
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }
}
