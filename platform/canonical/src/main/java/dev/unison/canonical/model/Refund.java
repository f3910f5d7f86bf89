package dev.unison.canonical.model;

import java.time.Instant;
import java.util.List;

/** Money returned against an order; attributed revenue is net of refunds. Keyed by its order. */
public record Refund(String id, String orderId, String channel, Money amount, List<RefundLine> lines,
        Instant refundedAt) implements CanonicalRecord {
    public Refund {
        lines = lines == null ? List.of() : List.copyOf(lines);
    }

    @Override
    public String partitionKey() {
        return orderId;
    }
}
