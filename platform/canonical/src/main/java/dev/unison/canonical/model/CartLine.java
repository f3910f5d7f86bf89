package dev.unison.canonical.model;

public record CartLine(String sku, long quantity, Money unitPrice) {
}
