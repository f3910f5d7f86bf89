package dev.unison.inventory;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.Cart;
import dev.unison.connectors.kit.spi.BusHeaders;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.builder.RouteBuilder;

/**
 * Consumer group {@code inventory-carts}: the carts domain's cart events hold, change and release
 * stock ({@link CartReservations}). Its own group, off the order path, so a cart never waits behind
 * a burst of orders nor holds one up; the processed-id repository drops redeliveries.
 */
public class CartReservationRoutes extends RouteBuilder {

    private final CartReservations carts;

    /** The batch whose carts this thread locked ahead (a batch is processed on one thread, in one transaction). */
    private static final ThreadLocal<List<?>> LOCKED_BATCH = new ThreadLocal<>();

    public CartReservationRoutes(CartReservations carts) {
        this.carts = carts;
    }

    @Override
    public void configure() {
        from("bus:events?group=inventory-carts&types=commerce.cart.updated.v1").routeId("inventory-carts")
                .filter(header(BusHeaders.EVENT_TYPE).isEqualTo(EventType.CART_UPDATED.typeName()))
                .process(exchange -> {
                    CanonicalEvent event = exchange.getIn().getBody(CanonicalEvent.class);
                    List<?> batch = exchange.getProperty(BusHeaders.BATCH, List.class);
                    // at the first event of the batch this thread processes (the group skips events it already
                    // processed, so that need not be the batch's first): every cart locked ahead in sorted order
                    if (batch != null && !batch.isEmpty() && LOCKED_BATCH.get() != batch) {
                        LOCKED_BATCH.set(batch);
                        carts.lockAhead(ours(batch));
                    }
                    if (CartReservations.CARTS_SOURCE.equals(event.source())) {
                        carts.apply(event.dataAs(Cart.class));
                    }
                });
    }

    private static List<Cart> ours(List<?> batch) {
        List<Cart> out = new ArrayList<>();
        for (Object item : batch) {
            CanonicalEvent event = (CanonicalEvent) item;
            if (event.type() == EventType.CART_UPDATED && CartReservations.CARTS_SOURCE.equals(event.source())) {
                out.add(event.dataAs(Cart.class));
            }
        }
        return out;
    }
}
