package dev.unison.canonical.model;

/**
 * A canonical record that can travel as event data. The partition key names the aggregate the
 * record belongs to (a sku, a profile, an order...): the bus keeps events of one key in order.
 */
public interface CanonicalRecord {
    String partitionKey();
}
