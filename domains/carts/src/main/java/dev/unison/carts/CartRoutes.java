package dev.unison.carts;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.Cart;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.ProfileMerge;
import dev.unison.connectors.kit.spi.BusHeaders;
import org.apache.camel.builder.RouteBuilder;

/**
 * Consumer group {@code carts}: connectors' and partners' carts ({@code commerce.cart.updated.v1}
 * from anyone but this domain), orders naming a cart (they convert it) and profile merges (carts
 * follow the survivor). Idempotent by construction, without the processed-id repository: an
 * outside cart is kept only when newer than the stored one, a cart converts once (a closed cart
 * stays closed), and moving carts to a merge's survivor twice moves nothing.
 */
public class CartRoutes extends RouteBuilder {

    private final CartStore carts;

    public CartRoutes(CartStore carts) {
        this.carts = carts;
    }

    @Override
    public void configure() {
        // no processed-id repository (idempotent=false): every write is idempotent by construction, and the group
        // sees every order, so a processed id per sale would be a random-key insert for nothing.
        // batchWait: a cart is read when its shopper reaches a till or the app, seconds later, so under load the
        // group commits a few batches a second instead of one per relay publish (every order passes through it)
        from("bus:events?group=carts&idempotent=false&batchWait=200&types=commerce.cart.updated.v1,commerce.order.placed.v1,"
                + "commerce.profile.merged.v1")
                .routeId("carts")
                .filter(header(BusHeaders.EVENT_TYPE).in(EventType.CART_UPDATED.typeName(), EventType.ORDER_PLACED.typeName(),
                        EventType.PROFILE_MERGED.typeName()))
                .process(exchange -> {
                    CanonicalEvent event = exchange.getIn().getBody(CanonicalEvent.class);
                    switch (event.type()) {
                        case CART_UPDATED -> {
                            if (!CartStore.SOURCE.equals(event.source())) {
                                carts.applyExternal(event.dataAs(Cart.class));
                            }
                        }
                        case ORDER_PLACED -> {
                            // most orders name no cart: look before reading the whole order; a partner's order does
                            // not close a cart (a partner speaks for its own channel only)
                            if (event.data().hasNonNull("cartId") && !event.source().toString().startsWith("/partners/")) {
                                carts.convert(event.dataAs(Order.class));
                            }
                        }
                        case PROFILE_MERGED -> {
                            ProfileMerge merge = event.dataAs(ProfileMerge.class);
                            carts.followMerge(merge.survivorId(), merge.mergedIds());
                        }
                        default -> {
                        }
                    }
                });
    }
}
