package dev.unison.connectors.criteo;

import dev.unison.platform.testkit.PullingConnectorTck;

/** The pull checks of the connector TCK on the Criteo connector, unmodified. */
class CriteoPullTckIT extends PullingConnectorTck {

    CriteoPullTckIT() {
        super(new CriteoPullTckAdapter());
    }
}
