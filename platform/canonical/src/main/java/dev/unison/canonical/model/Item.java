package dev.unison.canonical.model;

/** A sellable item: the sku is the hub's key, gtin the barcode a till scans. */
public record Item(String sku, String gtin, String title) implements CanonicalRecord {
    @Override
    public String partitionKey() {
        return sku;
    }
}
