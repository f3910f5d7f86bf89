package dev.unison.inventory;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.StockCount;
import dev.unison.connectors.kit.spi.BusHeaders;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.builder.RouteBuilder;

/**
 * Keeps the ledger current with orders from every channel: consumer group {@code inventory}.
 * Orders the POS API accepted were applied in the same transaction that accepted them, so their
 * events (source {@value PosTransactions#SOURCE}) are skipped here. No processed-id repository
 * ({@code idempotent=false}): every movement has its idempotency key (a sale line is applied once,
 * a cancellation returns it once), so a redelivered order changes nothing. Group {@code
 * inventory-counts} applies the stock counts connectors read ({@code commerce.inventory.counted.v1}).
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
                    List<?> batch = exchange.getProperty(BusHeaders.BATCH, List.class);
                    if (batch != null && !batch.isEmpty() && batch.get(0) == event) {
                        // at the batch's first event, every sku of its orders locked in sorted order: order A's
                        // sku Z then order B's sku A would wait in a cycle with a POS group locking A then Z
                        ledger.lockAhead(skusOf(batch));
                    }
                    if (!PosTransactions.SOURCE.equals(event.source().toString())) {
                        ledger.applyOrder(event.dataAs(Order.class));
                    }
                });

        // counts a system keeping its own stock reported (Square's inventory counts): applied as counts
        // through the API are, each once by its count id; an unknown location is dead-lettered with the reason
        from("bus:events?group=inventory-counts&idempotent=false&types=" + EventType.INVENTORY_COUNTED.typeName())
                .routeId("inventory-counts")
                .filter(header(BusHeaders.EVENT_TYPE).isEqualTo(EventType.INVENTORY_COUNTED.typeName()))
                .process(exchange -> {
                    CanonicalEvent event = exchange.getIn().getBody(CanonicalEvent.class);
                    List<?> batch = exchange.getProperty(BusHeaders.BATCH, List.class);
                    if (batch != null && !batch.isEmpty() && batch.get(0) == event) {
                        // as for orders: every sku of the batch locked in sorted order before any is written
                        Set<String> skus = new TreeSet<>();
                        batch.forEach(item -> skus.add(((CanonicalEvent) item).dataAs(StockCount.class).sku()));
                        ledger.lockAhead(skus);
                    }
                    StockCount count = event.dataAs(StockCount.class);
                    if (ledger.network().location(count.locationId()).isEmpty()) {
                        throw new IllegalArgumentException("count " + count.countId() + " names location " + count.locationId()
                                + ", which unison.inventory.locations does not declare");
                    }
                    ledger.apply(List.of(new Movement("count:" + count.countId(), count.sku(), count.locationId(),
                            Movement.Kind.COUNT, count.quantity(), count.countedAt(), event.source().toString(), null)));
                });
    }

    private static Set<String> skusOf(List<?> batch) {
        Set<String> skus = new TreeSet<>();
        for (Object item : batch) {
            CanonicalEvent event = (CanonicalEvent) item;
            boolean order = event.type() == EventType.ORDER_PLACED || event.type() == EventType.ORDER_UPDATED;
            if (order && !PosTransactions.SOURCE.equals(event.source().toString())) {
                event.data().path("lines").forEach(line -> {
                    if (line.hasNonNull("sku") && line.path("quantity").asLong() > 0) {
                        skus.add(line.get("sku").asText());
                    }
                });
            }
        }
        return skus;
    }
}
