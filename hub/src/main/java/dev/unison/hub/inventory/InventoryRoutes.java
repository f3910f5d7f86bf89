package dev.unison.hub.inventory;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.Order;
import dev.unison.connectors.kit.spi.BusHeaders;
import org.apache.camel.builder.RouteBuilder;

/**
 * Keeps the ledger current with orders from every channel: consumer group {@code inventory}.
 * Orders the POS API accepted were applied in the same transaction that accepted them, so their
 * events (source {@value PosTransactions#SOURCE}) are skipped here.
 */
public class InventoryRoutes extends RouteBuilder {

    private final InventoryLedger ledger;

    public InventoryRoutes(InventoryLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public void configure() {
        from("bus:events?group=inventory&types=commerce.order.placed.v1,commerce.order.updated.v1").routeId("inventory-orders")
                .filter(header(BusHeaders.EVENT_TYPE).in(EventType.ORDER_PLACED.typeName(), EventType.ORDER_UPDATED.typeName()))
                .process(exchange -> {
                    CanonicalEvent event = exchange.getIn().getBody(CanonicalEvent.class);
                    if (!PosTransactions.SOURCE.equals(event.source().toString())) {
                        ledger.applyOrder(event.dataAs(Order.class));
                    }
                });
    }
}
