package dev.unison.platform.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class SkippedOffsetsTest {

    private static final TopicPartition P0 = new TopicPartition("unison.events", 0);
    private static final TopicPartition P1 = new TopicPartition("unison.events", 1);

    private final AtomicLong now = new AtomicLong(1_000);
    private final SkippedOffsets skipped = new SkippedOffsets(TimeUnit.SECONDS.toNanos(1), now::get);

    private static OffsetAndMetadata at(long offset) {
        return new OffsetAndMetadata(offset);
    }

    @Test
    void skippedOffsetsWaitUntilTheIntervalHasPassedSinceTheFirstOfThem() {
        skipped.add(Map.of(P0, at(10)));
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(600));
        skipped.add(Map.of(P0, at(20), P1, at(5)));

        assertThat(skipped.takeIfDue()).as("0.6 s after the first skip").isEmpty();

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(400));
        assertThat(skipped.takeIfDue()).containsExactlyInAnyOrderEntriesOf(Map.of(P0, at(20), P1, at(5)));
        assertThat(skipped.isEmpty()).isTrue();
        assertThat(skipped.takeIfDue()).as("taken once").isEmpty();
    }

    @Test
    void theIntervalStartsAgainWithTheFirstSkipAfterATake() {
        skipped.add(Map.of(P0, at(10)));
        now.addAndGet(TimeUnit.SECONDS.toNanos(5));
        assertThat(skipped.takeIfDue()).containsEntry(P0, at(10));

        skipped.add(Map.of(P0, at(11)));
        assertThat(skipped.takeIfDue()).as("just skipped, after a quiet 5 s").isEmpty();
    }

    @Test
    void aRealCommitCarriesWhatWaitsOfOtherPartitionsAndItsOwnOffsetsWin() {
        skipped.add(Map.of(P0, at(10), P1, at(7)));

        Map<TopicPartition, OffsetAndMetadata> commit = skipped.takeWith(Map.of(P1, at(30)));

        assertThat(commit).containsExactlyInAnyOrderEntriesOf(Map.of(P0, at(10), P1, at(30)));
        assertThat(skipped.isEmpty()).isTrue();
        assertThat(skipped.takeWith(Map.of(P1, at(31)))).containsExactlyEntriesOf(Map.of(P1, at(31)));
    }

    @Test
    void anOffsetNeverMovesBack() {
        skipped.add(Map.of(P0, at(20)));
        skipped.add(Map.of(P0, at(15))); // a record read again after a seek back

        assertThat(skipped.takeWith(Map.of())).containsEntry(P0, at(20));
        skipped.add(Map.of(P0, at(40)));
        assertThat(skipped.takeWith(Map.of(P0, at(35)))).containsEntry(P0, at(40));
    }

    @Test
    void aRevokedPartitionTakesItsOwnOffsetsOnly() {
        skipped.add(Map.of(P0, at(10), P1, at(7)));

        assertThat(skipped.takeFor(List.of(P1))).containsExactlyEntriesOf(Map.of(P1, at(7)));
        assertThat(skipped.takeFor(List.of(P1))).isEmpty();
        assertThat(skipped.takeWith(Map.of())).containsExactlyEntriesOf(Map.of(P0, at(10)));
    }
}
