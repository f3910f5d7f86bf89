package dev.unison.canonical.model;

/** One order line; {@code lineId} is the channel's own line id (the idempotency key of a sale). */
public record OrderLine(String lineId, String sku, long quantity, Money unitPrice, Money lineTotal) {
}
