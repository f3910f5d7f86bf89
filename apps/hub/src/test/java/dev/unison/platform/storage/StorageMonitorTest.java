package dev.unison.platform.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.unison.connectors.kit.simulator.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the storage monitor measures, when its growth rate starts to count, and when it warns. */
class StorageMonitorTest {

    @TempDir
    Path dataDir;

    final ManualClock clock = ManualClock.startingNow();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void measuresEveryFileBySubdirectoryAndPublishesTheNumbers() throws Exception {
        Files.createDirectories(dataDir.resolve("db"));
        Files.createDirectories(dataDir.resolve("artemis/journal"));
        Files.write(dataDir.resolve("db/unison.mv.db"), new byte[3_000]);
        Files.write(dataDir.resolve("artemis/journal/a.amq"), new byte[2_000]);
        Files.write(dataDir.resolve("key"), new byte[10]);

        // Micrometer holds a gauge's object weakly: keep the monitor reachable until its gauges are read
        // (in the hub it is a bean; here a collected monitor read NaN in one clean-clone run)
        StorageMonitor monitor = monitor(0, Duration.ZERO);
        StorageMonitor.Sample sample = monitor.measure();

        assertThat(sample.dataDirectoryBytes()).isEqualTo(5_010);
        assertThat(sample.bytesBySubdirectory()).containsEntry("db", 3_000L).containsEntry("artemis", 2_000L)
                .containsEntry(".", 10L);
        assertThat(sample.freeBytes()).isPositive();
        assertThat(sample.warning()).isNull();
        assertThat(meters.get("unison.storage.data.directory.bytes").gauge().value()).isEqualTo(5_010.0);
        assertThat(meters.get("unison.storage.warning").gauge().value()).isZero();
        java.lang.ref.Reference.reachabilityFence(monitor);
    }

    @Test
    void warnsWhenFreeSpaceFallsBelowTheThresholdAndSaysWhichSetting() {
        StorageMonitor monitor = monitor(Long.MAX_VALUE, Duration.ZERO);
        StorageMonitor.Sample sample = monitor.measure();

        assertThat(sample.warning()).contains("free on the disk of", "unison.storage.monitor.warn-free-below");
        assertThat(meters.get("unison.storage.warning").gauge().value()).isEqualTo(1.0);
        java.lang.ref.Reference.reachabilityFence(monitor);
        assertThat(monitor(Long.MAX_VALUE, Duration.ZERO).health().getDetails()).containsKey("warning");
    }

    @Test
    void growthCountsOnlyOnceHalfTheWindowIsMeasuredAndWarnsWhenItWouldFillTheDisk() throws Exception {
        // a horizon so long that any growth at all fills the disk within it
        StorageMonitor monitor = monitor(0, Duration.ofDays(365_000));
        monitor.measure();
        Files.write(dataDir.resolve("grown"), new byte[1_000_000]);
        clock.advance(Duration.ofMinutes(4));
        StorageMonitor.Sample early = monitor.measure();
        assertThat(early.growthBytesPerSecond()).as("4 of a 10 min window: a start-up's writes, not a trend").isZero();
        assertThat(early.warning()).isNull();

        clock.advance(Duration.ofMinutes(1));
        StorageMonitor.Sample trend = monitor.measure();
        assertThat(trend.growthBytesPerSecond()).isCloseTo(1_000_000 / 300.0, org.assertj.core.data.Offset.offset(1.0));
        assertThat(trend.warning()).contains("is full in about", "unison.storage.monitor.warn-full-within");

        // the window slides: once the growth is older than the window the rate is flat again
        clock.advance(Duration.ofMinutes(11));
        monitor.measure();
        clock.advance(Duration.ofMinutes(6));
        StorageMonitor.Sample flat = monitor.measure();
        assertThat(flat.growthBytesPerSecond()).isZero();
        assertThat(flat.warning()).isNull();
    }

    @Test
    void refusesSettingsThatCannotWork() {
        assertThatThrownBy(() -> new StorageMonitor.Settings(Duration.ZERO, Duration.ofMinutes(10), 0, Duration.ZERO))
                .hasMessageContaining("interval must be positive");
        assertThatThrownBy(() -> new StorageMonitor.Settings(Duration.ofMinutes(5), Duration.ofMinutes(1), 0, Duration.ZERO))
                .hasMessageContaining("growth-window must be at least the interval");
        assertThatThrownBy(() -> new StorageMonitor.Settings(Duration.ofMinutes(1), Duration.ofMinutes(10), -1, Duration.ZERO))
                .hasMessageContaining("warn-free-below");
    }

    private StorageMonitor monitor(long warnFreeBelow, Duration warnFullWithin) {
        return new StorageMonitor(dataDir, new StorageMonitor.Settings(Duration.ofMinutes(1), Duration.ofMinutes(10),
                warnFreeBelow, warnFullWithin), clock, meters);
    }
}
