package dev.unison.hub.inventory;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.Order;
import dev.unison.connectors.kit.spi.BusHeaders;
import org.apache.camel.builder.RouteBuilder;

/**
 * Keeps the ledger current with orders from every channel: consumer group {@code inventory}.
 * Orders the POS API accepted were applied in the same transaction that accepted them, so their
 * events (source {@value PosTransactions#SOURCE}) are skipped here. No processed-id repository
 * ({@code idempotent=false}): every movement has its idempotency key (a sale line is applied once,
 * a cancellation returns it once), so a redelivered order changes nothing.
 */
public class InventoryRoutes extends RouteBuilder {

    private final InventoryLedger ledger;

    public InventoryRoutes(InventoryLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public void configure() {
        from("bus:events?group=inventory&idempotent=false&types=commerce.order.placed.v1,commerce.order.updated.v1").routeId("inventory-orders")
                .filter(header(BusHeaders.EVENT_TYPE).in(EventType.ORDER_PLACED.typeName(), EventType.ORDER_UPDATED.typeName()))
                .process(exchange -> {
                    CanonicalEvent event = exchange.getIn().getBody(CanonicalEvent.class);
                    if (!PosTransactions.SOURCE.equals(event.source().toString())) {
                        ledger.applyOrder(event.dataAs(Order.class));
                    }
                });
    }
}
