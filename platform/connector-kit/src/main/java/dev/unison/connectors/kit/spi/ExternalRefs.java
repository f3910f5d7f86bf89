package dev.unison.connectors.kit.spi;

import java.util.Map;
import java.util.Optional;

/**
 * The hub's memory of how a connection names the hub's things: e.g. for Shopify, which
 * {@code inventory_item_id} a sku is (learned from products/update webhooks). Kept per connection.
 */
public interface ExternalRefs {

    void put(String connectionId, String kind, String key, String externalId);

    /** Many refs of one kind at once (e.g. every level one API call set): one write, not one per key. */
    default void putAll(String connectionId, String kind, Map<String, String> externalIdsByKey) {
        externalIdsByKey.forEach((key, externalId) -> put(connectionId, kind, key, externalId));
    }

    Optional<String> get(String connectionId, String kind, String key);

    /** The refs of many keys of one kind (keys without one are absent): one read, not one per key. */
    default Map<String, String> getAll(String connectionId, String kind, java.util.Collection<String> keys) {
        Map<String, String> found = new java.util.HashMap<>();
        for (String key : keys) {
            get(connectionId, kind, key).ifPresent(externalId -> found.put(key, externalId));
        }
        return found;
    }
}
