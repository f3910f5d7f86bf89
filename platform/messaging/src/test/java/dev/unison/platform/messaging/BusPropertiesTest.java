package dev.unison.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code unison.bus.*} as Spring binds it from a configuration file or the environment. */
class BusPropertiesTest {

    private static BusProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("unison.bus", BusProperties.class);
    }

    @Test
    void aGroupsBatchWaitBindsPerGroupName() {
        BusProperties bus = bind(Map.of("unison.bus.batch-wait.availability-fan-out", "50ms",
                "unison.bus.batch-wait.inventory", "200ms"));

        assertThat(bus.batchWait()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "availability-fan-out", Duration.ofMillis(50), "inventory", Duration.ofMillis(200)));
    }

    @Test
    void withoutBatchWaitsEveryGroupKeepsItsRoutesOwn() {
        assertThat(bind(Map.of()).batchWait()).isEmpty();
    }

    @Test
    void aBatchWaitAboveFiveSecondsFailsTheStartNamingTheGroup() {
        assertThatThrownBy(() -> bind(Map.of("unison.bus.batch-wait.inventory", "6s")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessage("unison.bus.batch-wait.inventory must be 0..5s, got PT6S");
    }
}
