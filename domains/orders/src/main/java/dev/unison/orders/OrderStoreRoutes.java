package dev.unison.orders;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.connectors.kit.spi.BusHeaders;
import org.apache.camel.builder.RouteBuilder;

/**
 * Keeps the order store current: consumer group {@code order-store} on the bus. Without the
 * processed-id repository ({@code idempotent=false}): the store keeps the newest state by event
 * time, so a redelivered event rewrites the same row or loses to a newer one.
 */
public class OrderStoreRoutes extends RouteBuilder {

    private final OrderStore orders;

    public OrderStoreRoutes(OrderStore orders) {
        this.orders = orders;
    }

    @Override
    public void configure() {
        // batchWait: off the freshness path, so under load it commits a few large batches per second
        from("bus:events?group=order-store&idempotent=false&batchWait=500&types=commerce.order.placed.v1,commerce.order.updated.v1").routeId("order-store")
                .filter(header(BusHeaders.EVENT_TYPE).in(EventType.ORDER_PLACED.typeName(), EventType.ORDER_UPDATED.typeName()))
                .process(exchange -> orders.apply(exchange.getIn().getBody(CanonicalEvent.class)));
    }
}
