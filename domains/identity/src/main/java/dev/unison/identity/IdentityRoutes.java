package dev.unison.identity;

import dev.unison.canonical.event.CanonicalEvent;
import org.apache.camel.builder.RouteBuilder;

/**
 * Consumer group {@code identity}: every order (online channels and till sales) and every channel
 * customer record is resolved into a profile. Resolution is idempotent (the same identifiers
 * again change nothing; a transaction keeps its first verdict), so a redelivered batch is
 * harmless and the group skips the processed-id repository ({@code idempotent=false}).
 */
public class IdentityRoutes extends RouteBuilder {

    private final IdentityService identity;

    public IdentityRoutes(IdentityService identity) {
        this.identity = identity;
    }

    @Override
    public void configure() {
        // batchWait: off the freshness path, so under load it commits a few large batches per second
        from("bus:events?group=identity&idempotent=false&batchWait=500&types=commerce.order.placed.v1,commerce.order.updated.v1,commerce.customer.upserted.v1")
                .routeId("identity")
                .process(exchange -> identity.observe(exchange.getIn().getBody(CanonicalEvent.class)));
    }
}
