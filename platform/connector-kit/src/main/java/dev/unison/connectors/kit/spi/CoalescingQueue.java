package dev.unison.connectors.kit.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A durable queue of pending outbound updates per connection that keeps only the newest value
 * per key: ten changes of one sku's quantity before the next send become one update. Entries
 * survive restarts (the hub stores them in its database).
 */
public interface CoalescingQueue {

    /** One pending update; {@code version} grows with every offer for the same key. */
    record Pending(String connectionId, String kind, String key, JsonNode value, long version, Instant firstOfferedAt) {
    }

    /** Sets the newest value for a key (replacing an unsent older one). */
    void offer(String connectionId, String kind, String key, JsonNode value);

    /**
     * Queues a value only when nothing is pending for the key (a correction must never replace a
     * newer value that is waiting to be sent). Returns whether it was queued.
     */
    boolean offerIfAbsent(String connectionId, String kind, String key, JsonNode value);

    /**
     * Offers a value unless the key was already offered one of this {@code sourceVersion} or a newer
     * one, even if that one has been sent since (the store remembers the newest version per key).
     * A consumer that offers versioned values through this is idempotent by construction: an event
     * delivered again, or late, cannot put an older value back. Returns whether it was offered.
     */
    boolean offerIfNewer(String connectionId, String kind, String key, JsonNode value, long sourceVersion);

    /**
     * Offers an availability change of {@code channel} as {@code {quantity, eventId}} keyed by sku;
     * events of other types or channels are ignored, and so is an availability whose version is not
     * newer than the newest offered for the sku ({@link #offerIfNewer}; an event without a version,
     * published before versions existed, is offered as it is). Returns whether it was offered.
     */
    default boolean offerAvailability(String connectionId, String kind, String channel,
            dev.unison.canonical.event.CanonicalEvent event) {
        if (event.type() != dev.unison.canonical.event.EventType.AVAILABILITY_CHANGED) {
            return false;
        }
        var availability = event.dataAs(dev.unison.canonical.model.ChannelAvailability.class);
        if (!channel.equals(availability.channel())) {
            return false;
        }
        var value = dev.unison.canonical.json.CanonicalJson.mapper().createObjectNode();
        value.put("quantity", availability.availableToSell());
        value.put("eventId", event.id());
        if (availability.version() != null) {
            return offerIfNewer(connectionId, kind, availability.sku(), value, availability.version());
        }
        offer(connectionId, kind, availability.sku(), value);
        return true;
    }

    /** Up to {@code limit} pending updates, oldest first. */
    List<Pending> next(String connectionId, String kind, int limit);

    /** Removes sent (or dead-lettered) updates, unless a newer value arrived for the key meanwhile. */
    void done(List<Pending> sent);

    /**
     * {@link #done} together with {@code alsoRecord} (e.g. remembering what was set, through
     * {@link ExternalRefs}) as one unit: one commit instead of two. The hub's store runs both in one
     * database transaction and may run {@code alsoRecord} again when that transaction loses a lock
     * race, so it must be idempotent. This default, for stores without transactions, records first
     * and then forgets.
     */
    default void done(List<Pending> sent, Runnable alsoRecord) {
        alsoRecord.run();
        done(sent);
    }

    /**
     * Takes or renews the right to send a connection's updates of one kind, for {@code ttl}.
     * Several hub instances run senders; only the holder may send, so no two race the same keys.
     */
    boolean tryLease(String connectionId, String kind, String owner, java.time.Duration ttl);

    /**
     * Whether this instance's last {@link #tryLease} found the lease held by another instance
     * until a time still to come. A sender then skips its tick without reading the queue: only the
     * holder may send, and the lease cannot change hands before it expires. False when unknown.
     */
    default boolean heldByAnother(String connectionId, String kind, String owner) {
        return false;
    }

    /** Who holds a connection's sender lease of one kind, and until when (an expired one is free). */
    record Lease(String kind, String owner, java.time.Instant expiresAt) {
    }

    /** The sender leases of a connection, for operators; empty for stores that keep none. */
    default List<Lease> leases(String connectionId) {
        return List.of();
    }
}
