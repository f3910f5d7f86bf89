package dev.unison.connectors.kit.spi;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Durable intake of inbound deliveries, implemented by the hub. A connector acknowledges the
 * external system only after {@link #accept} returned: persist first, process asynchronously.
 */
public interface Inbox {

    enum Result { ACCEPTED, DUPLICATE }

    /** Stores the delivery unless one with the same connection + dedupe key is already stored. */
    Result accept(InboundDelivery delivery);

    /**
     * Where a pulled stream of a connection stands (the last cursor committed with a page), empty
     * before its first page.
     */
    Optional<String> cursor(String connectionId, String stream);

    /**
     * Which of {@code dedupeKeys} the connection has stored (within the inbox's retention): a pulled
     * source that confirms to its system what the hub took (SFCC's export status) confirms only what
     * this answers, so nothing is confirmed before the transaction storing it has committed.
     */
    Set<String> stored(String connectionId, Collection<String> dedupeKeys);

    /**
     * Stores one pulled page and moves its stream's cursor from {@code expected} (empty: the
     * stream's first page) to {@code next}, in one transaction: after a crash either both or
     * neither happened, so a page is never skipped, and one fetched again is stored once (each
     * delivery by its dedupe key). Two pollers of one stream (two hub instances) cannot move the
     * cursor backwards: the second to commit the same page finds the cursor moved and stores nothing.
     *
     * @return how many deliveries were new, or empty when the cursor was no longer {@code expected}
     */
    Optional<Integer> acceptPage(String connectionId, String stream, Optional<String> expected, String next,
            List<InboundDelivery> page);
}
