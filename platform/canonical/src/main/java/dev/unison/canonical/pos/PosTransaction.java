package dev.unison.canonical.pos;

import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.Money;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.OrderLine;
import dev.unison.canonical.model.OrderStatus;
import dev.unison.canonical.model.PlacedIn;
import dev.unison.canonical.model.Refund;
import dev.unison.canonical.model.RefundLine;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One till transaction as a POS sends it (see {@link PosTransactionParser} for the JSON format).
 * Its identity is store + register + business day + sequence: the same four again are the same
 * transaction, however often the till resends it. A sale may name the shopper's open cart
 * ({@code cartId}): its reservations are consumed with the sale and the cart is closed.
 */
public record PosTransaction(String storeId, String registerId, LocalDate businessDay, long sequence, Type type,
        Instant occurredAt, String currency, List<Line> lines, String loyaltyId, String paymentToken, String phone, String email,
        String returnOf, String cartId) {

    /** A transaction that names no cart (as before carts: older callers keep compiling). */
    public PosTransaction(String storeId, String registerId, LocalDate businessDay, long sequence, Type type,
            Instant occurredAt, String currency, List<Line> lines, String loyaltyId, String paymentToken, String phone,
            String email, String returnOf) {
        this(storeId, registerId, businessDay, sequence, type, occurredAt, currency, lines, loyaltyId, paymentToken, phone,
                email, returnOf, null);
    }

    /** The channel name of store sales. */
    public static final String CHANNEL = "store";

    public enum Type {
        SALE, RETURN;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A line: units of a sku (gtin optional) at a unit price; quantity is always positive. */
    public record Line(String sku, String gtin, long quantity, BigDecimal unitPrice) {
    }

    public PosTransaction {
        lines = List.copyOf(lines);
    }

    /** The idempotency key: {@code <store>:<register>:<business day>:<sequence>}. */
    public String key() {
        return storeId + ":" + registerId + ":" + businessDay + ":" + sequence;
    }

    /** The canonical order id of the sale with this key ({@link #key()} form). */
    public static String orderIdOf(String key) {
        return "store-" + key.replace(':', '-');
    }

    /**
     * A return that names the sale it returns ({@code returnOf}, that sale's key) as a refund of
     * that sale: the lines' value comes off the revenue attributed to it. Empty for a sale, and for a
     * return without its sale's receipt (the goods still go back into stock).
     */
    public java.util.Optional<Refund> toRefund() {
        if (type != Type.RETURN || returnOf == null) {
            return java.util.Optional.empty();
        }
        List<RefundLine> refundLines = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        for (Line l : lines) {
            BigDecimal amount = l.unitPrice().multiply(BigDecimal.valueOf(l.quantity()));
            total = total.add(amount);
            refundLines.add(new RefundLine(l.sku(), l.quantity(), new Money(amount, currency)));
        }
        return java.util.Optional.of(new Refund(orderIdOf(key()), orderIdOf(returnOf), CHANNEL, new Money(total, currency),
                refundLines, occurredAt));
    }

    /** The line id of line {@code index} (0-based): 1, 2, ... as printed on the receipt. */
    public static String lineId(int index) {
        return Integer.toString(index + 1);
    }

    /**
     * The canonical order of a sale: channel {@code store}, placed at the store, the transaction key
     * as external id, loyalty id, payment token, phone and email (normalized) as identifiers for
     * identity resolution.
     */
    public Order toOrder() {
        List<OrderLine> orderLines = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            BigDecimal lineTotal = l.unitPrice().multiply(BigDecimal.valueOf(l.quantity()));
            total = total.add(lineTotal);
            orderLines.add(new OrderLine(lineId(i), l.sku(), l.quantity(), new Money(l.unitPrice(), currency),
                    new Money(lineTotal, currency)));
        }
        List<Identifier> identifiers = new ArrayList<>();
        if (loyaltyId != null) {
            identifiers.add(new Identifier(IdentifierType.LOYALTY_ID, loyaltyId));
        }
        if (paymentToken != null) {
            identifiers.add(new Identifier(IdentifierType.PAYMENT_TOKEN, paymentToken));
        }
        if (phone != null) {
            identifiers.add(new Identifier(IdentifierType.PHONE, phone));
        }
        if (email != null) {
            identifiers.add(new Identifier(IdentifierType.EMAIL, email));
        }
        return new Order(orderIdOf(key()), CHANNEL, key(), OrderStatus.FULFILLED, occurredAt, storeId,
                storeId, null, identifiers, orderLines, new Money(total, currency), PlacedIn.STORE, null,
                type == Type.SALE ? cartId : null);
    }
}
