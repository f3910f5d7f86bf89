package dev.unison.hub.outbox;

import java.time.Instant;

/** One row of the outbox: a canonical event in its structured CloudEvents JSON form. */
public record OutboxRecord(long seq, String eventId, String topic, String eventType, String partitionKey,
        String payload, Instant createdAt, Instant publishedAt) {
}
