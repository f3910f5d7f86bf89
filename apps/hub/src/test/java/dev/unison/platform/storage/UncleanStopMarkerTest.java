package dev.unison.platform.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UncleanStopMarkerTest {

    @TempDir
    Path data;

    @Test
    void aNormalStopLeavesNoMarkerAndAKillLeavesOne() {
        UncleanStopMarker first = new UncleanStopMarker(data.resolve("new"));
        assertThat(first.previousRunStoppedUncleanly()).as("a new data directory").isFalse();
        assertThat(data.resolve("new").resolve(UncleanStopMarker.FILE_NAME)).exists();
        first.started();
        first.close();
        assertThat(data.resolve("new").resolve(UncleanStopMarker.FILE_NAME)).doesNotExist();

        UncleanStopMarker afterCleanStop = new UncleanStopMarker(data.resolve("new"));
        assertThat(afterCleanStop.previousRunStoppedUncleanly()).isFalse();
        // killed: close() never runs
        UncleanStopMarker afterKill = new UncleanStopMarker(data.resolve("new"));
        assertThat(afterKill.previousRunStoppedUncleanly()).isTrue();
        afterKill.started();
        afterKill.close();
        assertThat(new UncleanStopMarker(data.resolve("new")).previousRunStoppedUncleanly()).isFalse();
    }

    @Test
    void aStartThatFailsHalfWayKeepsTheMarkerForTheNextStart() {
        new UncleanStopMarker(data); // a killed run
        UncleanStopMarker failing = new UncleanStopMarker(data);
        assertThat(failing.previousRunStoppedUncleanly()).isTrue();
        failing.close(); // the context closes before the run has started: the repair may not have run
        assertThat(new UncleanStopMarker(data).previousRunStoppedUncleanly()).isTrue();
    }

    @Test
    void anUnwritableDataDirectoryFailsTheStartWithItsPath() throws Exception {
        Path file = Files.writeString(data.resolve("not-a-directory"), "x");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new UncleanStopMarker(file))
                .hasMessageContaining(file.toString());
    }
}
