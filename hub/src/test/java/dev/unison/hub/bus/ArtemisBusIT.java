package dev.unison.hub.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.hub.support.EmbeddedHub;
import org.junit.jupiter.api.Test;

/** The bus contract on the embedded default: the hub as `java -jar` runs it, on embedded persistent Artemis. */
@EmbeddedHub
class ArtemisBusIT extends AbstractBusContractIT {

    @Test
    void theDefaultTransportIsArtemis() {
        assertThat(transport).isInstanceOf(ArtemisBusTransport.class);
    }
}
