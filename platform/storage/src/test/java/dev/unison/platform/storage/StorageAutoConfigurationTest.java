package dev.unison.platform.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StorageAutoConfigurationTest {

    @Test
    void theH2RetentionIsSetOnlyWhileTheFileIsSyncedAndNeverBelowFiveSyncIntervals() {
        assertThat(StorageAutoConfiguration.h2Retention(Duration.ofSeconds(1), Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(10));
        assertThat(StorageAutoConfiguration.h2Retention(Duration.ofSeconds(1), Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
        assertThat(StorageAutoConfiguration.h2Retention(Duration.ZERO, Duration.ofSeconds(1)))
                .as("without the periodic sync H2 keeps its own 45 s").isNull();
        assertThatThrownBy(() -> StorageAutoConfiguration.h2Retention(Duration.ofSeconds(2), Duration.ofSeconds(9)))
                .hasMessageContaining("must be at least five times unison.storage.h2-sync-interval");
    }
}
