package dev.unison.canonical.model;

public record RefundLine(String sku, long quantity, Money amount) {
}
