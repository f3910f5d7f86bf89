package dev.unison.connectors.sfcc;

import dev.unison.connectors.sfcc.simulator.SfccPullTckAdapter;
import dev.unison.platform.testkit.PullingConnectorTck;

/** SFCC's ready orders against the pull checks of the connector TCK, unmodified. */
class SfccPullTckIT extends PullingConnectorTck {

    SfccPullTckIT() {
        super(new SfccPullTckAdapter());
    }
}
