package dev.unison.platform.testkit.reference;

import dev.unison.platform.testkit.PullingConnectorTck;

/** The pull checks of the connector TCK, run on their reference connector (a pulling connector joins the same way). */
class PagedItemsPullTckIT extends PullingConnectorTck {

    PagedItemsPullTckIT() {
        super(new PagedItemsPullTckAdapter());
    }
}
