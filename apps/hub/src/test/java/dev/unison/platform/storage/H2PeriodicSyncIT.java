package dev.unison.platform.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.unison.hub.support.EmbeddedHub;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/** The hub on its embedded defaults keeps its H2 file synced once a second. */
@EmbeddedHub
class H2PeriodicSyncIT {

    @Autowired
    ApplicationContext context;

    @Autowired
    MeterRegistry meters;

    @Test
    void theEmbeddedDefaultSyncsItsDatabaseFileEverySecond() {
        assertThat(context.getBeansOfType(H2PeriodicSync.class)).hasSize(1);
        long before = meters.get("unison.h2.sync").timer().count();
        await().atMost(Duration.ofSeconds(10)).until(() -> meters.get("unison.h2.sync").timer().count() >= before + 2);
    }
}
