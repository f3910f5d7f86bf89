package dev.unison.orders;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.Order;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The hub's copy of every order, fed by {@code commerce.order.*} events. An event older than the
 * stored state (an out-of-order delivery) never overwrites it.
 */
public class OrderStore {

    public record StoredOrder(Order order, String eventId, OffsetDateTime eventTime, OffsetDateTime updatedAt) {
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public OrderStore(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Applies an order event; returns false when a newer state was already stored. */
    public boolean apply(CanonicalEvent event) {
        if (event.type() != EventType.ORDER_PLACED && event.type() != EventType.ORDER_UPDATED) {
            throw new IllegalArgumentException(event.type().typeName() + " is not an order event");
        }
        Order order = event.dataAs(Order.class);
        OffsetDateTime eventTime = OffsetDateTime.ofInstant(event.time(), ZoneOffset.UTC);
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        String payload = CanonicalJson.write(event.data());
        int updated = jdbc.update("UPDATE commerce_order SET order_id = ?, status = ?, event_id = ?, event_time = ?, "
                        + "payload = ?, updated_at = ? WHERE channel = ? AND external_id = ? AND event_time <= ?",
                order.id(), order.status().wireName(), event.id(), eventTime, payload, now, order.channel(),
                externalId(order), eventTime);
        if (updated == 1) {
            return true;
        }
        return jdbc.update("INSERT INTO commerce_order (channel, external_id, order_id, status, event_id, event_time, "
                        + "payload, updated_at) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
                        + "(SELECT 1 FROM commerce_order WHERE channel = ? AND external_id = ?)",
                order.channel(), externalId(order), order.id(), order.status().wireName(), event.id(), eventTime, payload,
                now, order.channel(), externalId(order)) == 1;
    }

    public Optional<StoredOrder> find(String channel, String externalId) {
        return jdbc.query("SELECT * FROM commerce_order WHERE channel = ? AND external_id = ?",
                (rs, i) -> new StoredOrder(CanonicalJson.read(CanonicalJson.parse(rs.getString("payload")), Order.class),
                        rs.getString("event_id"), rs.getObject("event_time", OffsetDateTime.class),
                        rs.getObject("updated_at", OffsetDateTime.class)), channel, externalId).stream().findFirst();
    }

    private static String externalId(Order order) {
        return order.externalId() != null ? order.externalId() : order.id();
    }
}
