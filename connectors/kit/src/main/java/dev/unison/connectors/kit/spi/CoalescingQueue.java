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
     * Offers an availability change of {@code channel} as {@code {quantity, eventId}} keyed by sku;
     * events of other types or channels are ignored. Returns whether it was offered.
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
}
