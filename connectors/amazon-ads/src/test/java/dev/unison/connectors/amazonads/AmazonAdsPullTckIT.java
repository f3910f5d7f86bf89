package dev.unison.connectors.amazonads;

import dev.unison.connectors.amazonads.simulator.AmazonAdsPullTckAdapter;
import dev.unison.platform.testkit.PullingConnectorTck;

/** The Amazon Ads report stream against the pull checks of the connector TCK, unmodified. */
class AmazonAdsPullTckIT extends PullingConnectorTck {

    AmazonAdsPullTckIT() {
        super(new AmazonAdsPullTckAdapter());
    }
}
