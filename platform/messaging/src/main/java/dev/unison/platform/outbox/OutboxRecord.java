package dev.unison.platform.outbox;

import java.time.Instant;

/**
 * One row of the outbox: a canonical event in its structured CloudEvents JSON form, written once
 * (whether it still waits for the relay is a row in {@code outbox_pending}). {@code owner}
 * is the partner that submitted it and {@code ownerEventId} the id that partner gave it; both are
 * null for the hub's own events.
 */
public record OutboxRecord(long seq, String eventId, String topic, String eventType, String partitionKey,
        String payload, Instant createdAt, String owner, String ownerEventId) {

    public OutboxRecord(long seq, String eventId, String topic, String eventType, String partitionKey, String payload,
            Instant createdAt) {
        this(seq, eventId, topic, eventType, partitionKey, payload, createdAt, null, null);
    }
}
