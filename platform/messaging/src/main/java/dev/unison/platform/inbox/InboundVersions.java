package dev.unison.platform.inbox;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.OrderStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The newest source version of each inbound order, customer account and cart the hub has let
 * through, per connection ({@code inbound_version}). A record's version is its {@code updatedAt}: the source system's own
 * last-modified time (Shopify {@code updated_at}, TikTok Shop {@code update_time}), which travels
 * inside the signed body. Delivery-id dedupe stops a copy of the same delivery; this stops an old
 * state delivered anew — a replayed body under fresh, unsigned delivery headers, or a retry that
 * arrives after a newer state — from changing anything (Shopify, "Webhooks best practices":
 * deliveries may repeat and arrive out of order; dedupe by X-Shopify-Event-Id).
 *
 * <p>Rules: older than held → stale. Equal (both sources give whole seconds, so two real changes
 * can share a version): the very same state again → stale; a status that ranks lower than the
 * held one (placed after cancelled) → stale; another state of the same or a later rank → let
 * through, as the version cannot order the two. Newer → let through.
 *
 * <p>Used by the inbox dispatcher inside the delivery's transaction, under its job lock, so the
 * check and the new version commit together with the events they let through.
 */
public class InboundVersions {

    /** What a record's version decided. */
    public enum Verdict { NEWER, STALE, UNVERSIONED }

    private record Held(Instant version, int rank, String fingerprint) {
    }

    private final JdbcTemplate jdbc;

    public InboundVersions(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records the event's source version and answers {@link Verdict#NEWER} when it is newer than the
     * one held (see the rules above); answers {@link Verdict#STALE} and changes nothing otherwise;
     * {@link Verdict#UNVERSIONED} for events that carry no version.
     */
    public Verdict admit(String connectionId, CanonicalEvent event) {
        Optional<Instant> version = version(event);
        if (version.isEmpty()) {
            return Verdict.UNVERSIONED;
        }
        String key = key(event);
        int rank = rank(event);
        String fingerprint = fingerprint(event);
        OffsetDateTime at = OffsetDateTime.ofInstant(version.get(), ZoneOffset.UTC);
        Optional<Held> held = held(connectionId, key);
        if (held.isEmpty()) {
            jdbc.update("INSERT INTO inbound_version (connection_id, record_key, source_updated_at, status_rank, fingerprint) "
                    + "VALUES (?, ?, ?, ?, ?)", connectionId, key, at, rank, fingerprint);
            return Verdict.NEWER;
        }
        Held h = held.get();
        int order = version.get().compareTo(h.version());
        boolean newer = order > 0 || (order == 0 && rank >= h.rank() && !fingerprint.equals(h.fingerprint()));
        if (!newer) {
            return Verdict.STALE;
        }
        jdbc.update("UPDATE inbound_version SET source_updated_at = ?, status_rank = ?, fingerprint = ? "
                + "WHERE connection_id = ? AND record_key = ?", at, rank, fingerprint, connectionId, key);
        return Verdict.NEWER;
    }

    /** The version held for an order of a connection, if any. */
    public Optional<Instant> held(String connectionId, CanonicalEvent event) {
        return held(connectionId, key(event)).map(Held::version);
    }

    private Optional<Held> held(String connectionId, String key) {
        List<Held> rows = jdbc.query("SELECT source_updated_at, status_rank, fingerprint FROM inbound_version "
                        + "WHERE connection_id = ? AND record_key = ?",
                (rs, i) -> new Held(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getInt(2), rs.getString(3)),
                connectionId, key);
        return rows.stream().findFirst();
    }

    private static String key(CanonicalEvent event) {
        return kind(event).orElseThrow() + ":" + event.partitionKey();
    }

    /** The kind of record an event carries, when that kind is versioned: order, customer or cart. */
    public static Optional<String> kind(CanonicalEvent event) {
        return Optional.ofNullable(switch (event.type()) {
            case ORDER_PLACED, ORDER_UPDATED -> "order";
            case CUSTOMER_UPSERTED -> "customer";
            case CART_UPDATED -> "cart";
            default -> null;
        });
    }

    /**
     * Orders, customer accounts and carts are versioned by their {@code updatedAt} (a customer's
     * older state would bring back an email it no longer has; an older cart, items it no longer holds).
     */
    static Optional<Instant> version(CanonicalEvent event) {
        if (kind(event).isEmpty()) {
            return Optional.empty();
        }
        String updatedAt = event.data().path("updatedAt").asText(null);
        return updatedAt == null ? Optional.empty() : Optional.of(Instant.parse(updatedAt));
    }

    /** How far along its life an order is; cancelled and refunded are ends. */
    private static int rank(CanonicalEvent event) {
        if (!kind(event).orElse("").equals("order")) {
            return 0;
        }
        String status = event.data().path("status").asText("placed");
        return switch (OrderStatus.fromWireName(status)) {
            case PLACED -> 0;
            case PAID -> 1;
            case FULFILLED -> 2;
            case REFUNDED, CANCELLED -> 3;
        };
    }

    private static String fingerprint(CanonicalEvent event) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(CanonicalJson.write(event.data()).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
