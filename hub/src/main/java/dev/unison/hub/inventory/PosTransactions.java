package dev.unison.hub.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.pos.PosTransaction;
import dev.unison.hub.outbox.Outbox;
import java.net.URI;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Accepts POS transactions: in one transaction the transaction row (the idempotency key:
 * store + register + business day + sequence), its stock movements and, for a sale, the
 * {@code commerce.order.placed.v1} event. Applied synchronously, not through the bus, because the
 * till's sale is the change every online channel must see first.
 */
public class PosTransactions {

    public static final String SOURCE = "/pos";

    /** The outcome: accepted now, or the same transaction accepted before. */
    public record Accepted(boolean duplicate, String key, String orderId, List<LineOutcome> lines) {
    }

    public record LineOutcome(String sku, String outcome, boolean unknownSku) {
    }

    /** The key was accepted before with a different body. */
    public static class ConflictException extends RuntimeException {
        public ConflictException(String message) {
            super(message);
        }
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final InventoryLedger ledger;
    private final Outbox outbox;
    private final Clock clock;

    public PosTransactions(JdbcTemplate jdbc, TransactionTemplate tx, InventoryLedger ledger, Outbox outbox, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.ledger = ledger;
        this.outbox = outbox;
        this.clock = clock;
    }

    public Accepted accept(PosTransaction pos) {
        String payload = CanonicalJson.write(CanonicalJson.toTree(pos));
        return tx.execute(status -> {
            int inserted = jdbc.update("INSERT INTO pos_transaction (store_id, register_id, business_day, sequence_no, kind, "
                            + "order_id, payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    pos.storeId(), pos.registerId(), pos.businessDay(), pos.sequence(), pos.type().wireName(),
                    pos.toOrder().id(), payload, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
            if (inserted == 0) {
                String before = previous(pos).orElse("");
                if (!sameTransaction(before, payload)) {
                    throw new ConflictException("transaction " + pos.key() + " was accepted before with different content; "
                            + "a correction is a new transaction (a return or a new sequence number)");
                }
                return new Accepted(true, pos.key(), pos.toOrder().id(), List.of());
            }
            List<Movement> movements = new ArrayList<>();
            String externalId = pos.key();
            for (int i = 0; i < pos.lines().size(); i++) {
                PosTransaction.Line line = pos.lines().get(i);
                String lineId = PosTransaction.lineId(i);
                movements.add(pos.type() == PosTransaction.Type.SALE
                        ? new Movement("sale:" + PosTransaction.CHANNEL + ":" + externalId + ":" + lineId, line.sku(),
                                pos.storeId(), Movement.Kind.SALE, -line.quantity(), pos.occurredAt(), "pos", null)
                        : new Movement("return:" + PosTransaction.CHANNEL + ":" + externalId + ":" + lineId, line.sku(),
                                pos.storeId(), Movement.Kind.RETURN, line.quantity(), pos.occurredAt(), "pos", null));
            }
            InventoryLedger.Result result = ledger.apply(movements);
            List<LineOutcome> lines = new ArrayList<>();
            for (int i = 0; i < movements.size(); i++) {
                lines.add(new LineOutcome(movements.get(i).sku(), result.outcomes().get(i).wireName(),
                        result.unknownSkus().contains(movements.get(i).sku())));
            }
            if (pos.type() == PosTransaction.Type.SALE) {
                outbox.append("events", CanonicalEvent.of("pos:" + pos.key(), EventType.ORDER_PLACED, URI.create(SOURCE),
                        CanonicalJson.toTree(pos.toOrder()), pos.occurredAt()));
            }
            return new Accepted(false, pos.key(), pos.toOrder().id(), lines);
        });
    }

    private Optional<String> previous(PosTransaction pos) {
        return jdbc.query("SELECT payload FROM pos_transaction WHERE store_id = ? AND register_id = ? AND business_day = ? "
                        + "AND sequence_no = ?", (rs, i) -> rs.getString(1),
                pos.storeId(), pos.registerId(), pos.businessDay(), pos.sequence()).stream().findFirst();
    }

    private static boolean sameTransaction(String before, String now) {
        JsonNode a = CanonicalJson.parse(before);
        JsonNode b = CanonicalJson.parse(now);
        return a.equals(b);
    }
}
