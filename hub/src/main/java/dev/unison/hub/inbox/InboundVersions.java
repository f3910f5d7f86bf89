package dev.unison.hub.inbox;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The newest source version of each inbound order the hub has let through, per connection
 * ({@code inbound_version}). An order's version is its {@code updatedAt}: the source system's own
 * last-modified time (Shopify {@code updated_at}, TikTok Shop {@code update_time}), which travels
 * inside the signed body. Delivery-id dedupe stops a copy of the same delivery; this stops an old
 * state delivered anew — a replayed body under fresh, unsigned delivery headers, or a retry that
 * arrives after a newer state — from changing anything (Shopify, "Webhooks best practices":
 * deliveries may repeat and arrive out of order).
 *
 * <p>Used by the inbox dispatcher inside the delivery's transaction, under its job lock, so the
 * check and the new version commit together with the events they let through.
 */
public class InboundVersions {

    /** What a record's version decided. */
    public enum Verdict { NEWER, STALE, UNVERSIONED }

    private final JdbcTemplate jdbc;

    public InboundVersions(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records the event's source version if it is newer than the one held and answers
     * {@link Verdict#NEWER}; answers {@link Verdict#STALE} (and changes nothing) when the hub already
     * holds an equal or newer one; {@link Verdict#UNVERSIONED} for events that carry no version.
     */
    public Verdict admit(String connectionId, CanonicalEvent event) {
        Optional<Instant> version = version(event);
        if (version.isEmpty()) {
            return Verdict.UNVERSIONED;
        }
        String key = "order:" + event.partitionKey();
        OffsetDateTime at = OffsetDateTime.ofInstant(version.get(), ZoneOffset.UTC);
        if (jdbc.update("UPDATE inbound_version SET source_updated_at = ? WHERE connection_id = ? AND record_key = ? "
                + "AND source_updated_at < ?", at, connectionId, key, at) == 1) {
            return Verdict.NEWER;
        }
        // no row moved: either there is none yet, or it holds an equal or newer version
        return jdbc.update("INSERT INTO inbound_version (connection_id, record_key, source_updated_at) SELECT ?, ?, ? "
                + "WHERE NOT EXISTS (SELECT 1 FROM inbound_version WHERE connection_id = ? AND record_key = ?)",
                connectionId, key, at, connectionId, key) == 1 ? Verdict.NEWER : Verdict.STALE;
    }

    /** The version held for an order of a connection, if any. */
    public Optional<Instant> held(String connectionId, String orderId) {
        return jdbc.queryForList("SELECT source_updated_at FROM inbound_version WHERE connection_id = ? AND record_key = ?",
                OffsetDateTime.class, connectionId, "order:" + orderId).stream().findFirst().map(OffsetDateTime::toInstant);
    }

    /** Orders are versioned (their {@code updatedAt}); other records are not yet. */
    static Optional<Instant> version(CanonicalEvent event) {
        if (event.type() != EventType.ORDER_PLACED && event.type() != EventType.ORDER_UPDATED) {
            return Optional.empty();
        }
        String updatedAt = event.data().path("updatedAt").asText(null);
        return updatedAt == null ? Optional.empty() : Optional.of(Instant.parse(updatedAt));
    }
}
