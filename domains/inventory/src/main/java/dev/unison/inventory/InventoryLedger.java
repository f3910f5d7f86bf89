package dev.unison.inventory;

import static dev.unison.platform.jdbc.InLists.chunks;
import static dev.unison.platform.jdbc.InLists.placeholders;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.InventoryPosition;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.ChannelAvailability;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.OrderLine;
import dev.unison.canonical.model.OrderStatus;
import dev.unison.canonical.model.Oversell;
import dev.unison.platform.outbox.Outbox;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The inventory core: positions per (sku, location), the movement ledger and available-to-sell per
 * channel. Every method runs inside the caller's transaction, so a POS transaction, its movements
 * and the availability events they cause commit together or not at all.
 *
 * <p>Rules (docs/inventory.md): deltas apply once per key; an absolute count carries an
 * as-of time and never overwrites newer movements (on-hand = count + the deltas that happened after
 * it); a delta older than the newest count is recorded but not applied (the count already saw it).
 * On-hand may go negative; ATS(channel) = Σ over locations serving it of
 * max(0, on-hand − reserved − safety stock) never does. ATS is published as
 * {@code commerce.availability.changed.v1} only when a channel's value actually changes.
 *
 * <p>Concurrency: all changes of one sku are serialised by locking its {@code inventory_sku} row
 * (skus in sorted order, so two transactions never wait on each other in a cycle).
 */
public class InventoryLedger {

    static final URI SOURCE = URI.create("/hub/inventory");

    /** A position as stored. */
    public record Position(String sku, String locationId, long onHand, long reserved, long version,
            Instant countedAt, Instant updatedAt) {
        public long available() {
            return onHand - reserved;
        }
    }

    /** The published ATS of one channel. */
    public record ChannelAts(String channel, long availableToSell, long version, Instant updatedAt) {
    }

    /** A sku as the inventory API shows it. */
    public record SkuView(String sku, List<Position> positions, List<ChannelAts> channels) {
    }

    /** What {@link #apply} did: one outcome per movement, in order; which skus were new to the hub. */
    public record Result(List<Movement.Outcome> outcomes, List<String> unknownSkus) {
    }

    private final JdbcTemplate jdbc;
    private final Outbox outbox;
    private final InventoryNetwork network;
    private final Clock clock;
    private final MeterRegistry meters;

    public InventoryLedger(JdbcTemplate jdbc, Outbox outbox, InventoryNetwork network, Clock clock, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.network = network;
        this.clock = clock;
        this.meters = meters;
    }

    public InventoryNetwork network() {
        return network;
    }

    private volatile boolean publishPositions;

    /**
     * Whether every change of a position also publishes the sku's positions
     * ({@code commerce.inventory.adjusted.v1}, one event per location): what a connection writing
     * stock per location needs (routes/fan-out.yaml positions-fan-out). Off by default: it is one
     * more event per change on the hot path.
     */
    public void publishPositions(boolean publish) {
        this.publishPositions = publish;
    }

    /**
     * Applies movements (any skus, any order) and publishes the availability changes they cause.
     *
     * @throws IllegalArgumentException for a location the network does not declare (nothing applied:
     *         the caller's transaction rolls back)
     */
    public Result apply(List<Movement> movements) {
        requireTransaction();
        for (Movement m : movements) {
            if (network.location(m.locationId()).isEmpty()) {
                throw new IllegalArgumentException("location " + m.locationId() + " is not declared in unison.inventory.locations");
            }
        }
        if (movements.size() > 1 && movements.stream().noneMatch(m -> m.kind() == Movement.Kind.COUNT)) {
            return applyDeltas(movements);
        }
        Map<String, List<Integer>> bySku = new TreeMap<>();
        for (int i = 0; i < movements.size(); i++) {
            bySku.computeIfAbsent(movements.get(i).sku(), s -> new ArrayList<>()).add(i);
        }
        Movement.Outcome[] outcomes = new Movement.Outcome[movements.size()];
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> entry : bySku.entrySet()) {
            if (!lockSku(entry.getKey())) {
                unknown.add(entry.getKey());
            }
            boolean changed = false;
            for (int i : entry.getValue()) {
                outcomes[i] = applyLocked(movements.get(i));
                changed |= outcomes[i] == Movement.Outcome.APPLIED;
            }
            if (changed) {
                publishAvailability(entry.getKey());
            }
        }
        return new Result(List.of(outcomes), unknown);
    }

    /** A position whose stored numbers differed from its movements and reservations, before and after repair. */
    public record Repair(String sku, String locationId, long onHandWas, long onHand, long reservedWas, long reserved) {
    }

    /**
     * A channel's last published availability whose row is older than an event it published: the
     * row is moved forward to that event (its version and value), so the next publication does not
     * reuse the event's id.
     */
    public record AvailabilityRepair(String sku, String channel, long versionWas, long version, long atsWas, long ats) {
    }

    /** What {@link #reconcile} repaired. */
    public record Reconciliation(List<Repair> positions, List<AvailabilityRepair> availability) {
        public boolean isEmpty() {
            return positions.isEmpty() && availability.isEmpty();
        }
    }

    /**
     * Recomputes what the ledger derives and repairs what differs, then publishes the availability
     * of every sku it touched (each channel only when its value changed):
     * <ul>
     * <li>each position: on-hand is the newest applied count plus the applied movements that
     * occurred after it (all applied movements when there is no count), reserved the sum of held
     * reservations;</li>
     * <li>each channel's last published availability: an event with the next version in the outbox
     * means the row lost the update that published it; the row takes that event's version and value.</li>
     * </ul>
     * Run after the embedded database stopped uncleanly and before the hub takes traffic: H2 has been
     * seen to lose a committed update of a row many transactions change when the process was killed
     * (docs/benchmarks.md "Crash safety under load"), while rows inserted once, movements and events,
     * were kept. A position changed meanwhile (its version moved) is left to its writer.
     */
    public Reconciliation reconcile() {
        requireTransaction();
        List<AvailabilityRepair> availability = reconcileAvailability();
        String derived = "SELECT p.sku, p.location_id, p.on_hand, p.reserved, p.counted_at, p.version, "
                + "COALESCE(m.on_hand, 0) AS derived_on_hand, m.counted_at AS derived_counted_at, "
                + "COALESCE(r.reserved, 0) AS derived_reserved FROM inventory_position p "
                + "LEFT JOIN (SELECT a.sku, a.location_id, MAX(c.counted_at) AS counted_at, SUM(CASE "
                + "  WHEN a.kind = 'count' AND a.occurred_at = c.counted_at THEN a.quantity "
                + "  WHEN a.kind <> 'count' AND (c.counted_at IS NULL OR a.occurred_at > c.counted_at) THEN a.quantity "
                + "  ELSE 0 END) AS on_hand "
                + "  FROM inventory_movement a LEFT JOIN (SELECT sku, location_id, MAX(occurred_at) AS counted_at "
                + "    FROM inventory_movement WHERE kind = 'count' AND applied = TRUE GROUP BY sku, location_id) c "
                + "  ON c.sku = a.sku AND c.location_id = a.location_id WHERE a.applied = TRUE GROUP BY a.sku, a.location_id) m "
                + "ON m.sku = p.sku AND m.location_id = p.location_id "
                + "LEFT JOIN (SELECT sku, location_id, SUM(quantity) AS reserved FROM inventory_reservation WHERE status = 'held' "
                + "  GROUP BY sku, location_id) r ON r.sku = p.sku AND r.location_id = p.location_id";
        List<Repair> candidates = new ArrayList<>();
        List<Object[]> updates = new ArrayList<>();
        jdbc.query(derived, rs -> {
            long onHand = rs.getLong("on_hand");
            long derivedOnHand = rs.getLong("derived_on_hand");
            long reserved = rs.getLong("reserved");
            long derivedReserved = rs.getLong("derived_reserved");
            OffsetDateTime countedAt = rs.getObject("counted_at", OffsetDateTime.class);
            OffsetDateTime derivedCountedAt = rs.getObject("derived_counted_at", OffsetDateTime.class);
            boolean sameCount = countedAt == null ? derivedCountedAt == null
                    : derivedCountedAt != null && countedAt.toInstant().equals(derivedCountedAt.toInstant());
            if (onHand != derivedOnHand || reserved != derivedReserved || !sameCount) {
                candidates.add(new Repair(rs.getString("sku"), rs.getString("location_id"), onHand, derivedOnHand, reserved,
                        derivedReserved));
                updates.add(new Object[] {derivedOnHand, derivedReserved, derivedCountedAt, now(), rs.getString("sku"),
                        rs.getString("location_id"), rs.getLong("version")});
            }
        });
        Set<String> touched = new java.util.TreeSet<>();
        availability.forEach(a -> touched.add(a.sku()));
        List<Repair> repairs = new ArrayList<>();
        if (!candidates.isEmpty()) {
            lockAhead(candidates.stream().map(Repair::sku).distinct().sorted().toList());
            int[] changed = jdbc.batchUpdate("UPDATE inventory_position SET on_hand = ?, reserved = ?, counted_at = ?, "
                    + "version = version + 1, updated_at = ? WHERE sku = ? AND location_id = ? AND version = ?", updates);
            for (int i = 0; i < changed.length; i++) {
                if (changed[i] == 1) {
                    repairs.add(candidates.get(i));
                    touched.add(candidates.get(i).sku());
                }
            }
        }
        touched.forEach(this::publishAvailability);
        meters.counter("unison.inventory.positions.repaired").increment(repairs.size());
        meters.counter("unison.inventory.availability.repaired").increment(availability.size());
        return new Reconciliation(repairs, availability);
    }

    /** Moves each channel availability row forward to the newest event of its that is in the outbox. */
    private List<AvailabilityRepair> reconcileAvailability() {
        List<Map<String, Object>> behind = jdbc.queryForList("SELECT c.sku, c.channel, c.ats, c.version FROM channel_availability c "
                + "WHERE EXISTS (SELECT 1 FROM outbox_event o WHERE o.event_id = "
                + "CONCAT('availability:', c.sku, ':', c.channel, ':', CAST(c.version + 1 AS VARCHAR(20))))");
        List<AvailabilityRepair> repairs = new ArrayList<>();
        for (Map<String, Object> row : behind) {
            String sku = (String) row.get("sku");
            String channel = (String) row.get("channel");
            long was = ((Number) row.get("version")).longValue();
            long version = was + 1;
            String payload = null;
            while (true) {
                List<String> found = jdbc.queryForList("SELECT payload FROM outbox_event WHERE event_id = ?", String.class,
                        "availability:" + sku + ":" + channel + ":" + version);
                if (found.isEmpty()) {
                    version--;
                    break;
                }
                payload = found.get(0);
                version++;
            }
            long ats = CanonicalJson.parse(payload).at("/data/availableToSell").asLong();
            lockAhead(List.of(sku));
            jdbc.update("UPDATE channel_availability SET ats = ?, version = ?, updated_at = ? WHERE sku = ? AND channel = ?",
                    ats, version, now(), sku, channel);
            repairs.add(new AvailabilityRepair(sku, channel, was, version, ((Number) row.get("ats")).longValue(), ats));
        }
        return repairs;
    }

    /** What {@link #reserve} did. */
    public enum ReservationOutcome { HELD, DUPLICATE }

    /**
     * Holds {@code quantity} units of a sku at a location for a cart until {@code expiresAt}:
     * reserved grows, so ATS drops in every channel the location serves. Idempotent on the
     * reservation id. Released by {@link #release} (checkout done or cart abandoned) or when it
     * lapses ({@link #expireDue}). {@code owner} is the partner that placed it (null for the hub's own).
     */
    public ReservationOutcome reserve(String reservationId, String owner, String sku, String locationId, long quantity,
            Instant expiresAt) {
        requireTransaction();
        if (network.location(locationId).isEmpty()) {
            throw new IllegalArgumentException("location " + locationId + " is not declared in unison.inventory.locations");
        }
        lockSku(sku);
        int held = jdbc.update("INSERT INTO inventory_reservation (reservation_key, sku, location_id, quantity, expires_at, status, "
                + "created_at, owner) VALUES (?, ?, ?, ?, ?, 'held', ?, ?) ON CONFLICT DO NOTHING", reservationId, sku, locationId,
                quantity, utc(expiresAt), now(), owner);
        if (held == 0) {
            return ReservationOutcome.DUPLICATE;
        }
        if (position(sku, locationId).isEmpty()) {
            jdbc.update("INSERT INTO inventory_position (sku, location_id, on_hand, reserved, version, counted_at, updated_at) "
                    + "VALUES (?, ?, 0, 0, 0, NULL, ?)", sku, locationId, now());
        }
        jdbc.update("UPDATE inventory_position SET reserved = reserved + ?, version = version + 1, updated_at = ? "
                + "WHERE sku = ? AND location_id = ?", quantity, now(), sku, locationId);
        publishAvailability(sku);
        return ReservationOutcome.HELD;
    }

    /** Releases a held reservation (to {@code released} or {@code expired}); false when it was not held. */
    public boolean release(String reservationId, String status) {
        requireTransaction();
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT sku, location_id, quantity, status FROM inventory_reservation "
                + "WHERE reservation_key = ?", reservationId);
        if (rows.isEmpty()) {
            return false;
        }
        String sku = (String) rows.get(0).get("sku");
        lockSku(sku);
        int updated = jdbc.update("UPDATE inventory_reservation SET status = ? WHERE reservation_key = ? AND status = 'held'",
                status, reservationId);
        if (updated == 0) {
            return false;
        }
        jdbc.update("UPDATE inventory_position SET reserved = reserved - ?, version = version + 1, updated_at = ? "
                + "WHERE sku = ? AND location_id = ?", ((Number) rows.get(0).get("quantity")).longValue(), now(), sku,
                rows.get(0).get("location_id"));
        publishAvailability(sku);
        return true;
    }

    /** A held reservation of a cart (column {@code cart_id}, V23). */
    public record CartHold(String reservationId, String cartId, String sku, String locationId, long quantity) {
    }

    /** The held reservations of these carts. */
    public List<CartHold> cartHolds(java.util.Collection<String> cartIds) {
        List<CartHold> out = new ArrayList<>();
        for (List<String> chunk : chunks(List.copyOf(new java.util.TreeSet<>(cartIds)))) {
            out.addAll(jdbc.query("SELECT reservation_key, cart_id, sku, location_id, quantity FROM inventory_reservation "
                    + "WHERE cart_id IN (" + placeholders(chunk.size()) + ") AND status = 'held' ORDER BY reservation_key",
                    (rs, i) -> new CartHold(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5)),
                    chunk.toArray()));
        }
        return out;
    }

    /**
     * Ends a held cart reservation because a sale bought the cart (its sku locked already, see
     * {@link #lockAhead}): {@code consumed} when the sale takes these units at this location, else
     * {@code released}. Reserved drops either way. Availability is not published here: the caller
     * applies the sale's movements next and then calls {@link #refreshAvailability}, so shops never
     * see the units come free for a moment between the two. False when it was no longer held.
     */
    public boolean endCartHold(CartHold hold, boolean consumed) {
        requireTransaction();
        int updated = jdbc.update("UPDATE inventory_reservation SET status = ? WHERE reservation_key = ? AND status = 'held'",
                consumed ? "consumed" : "released", hold.reservationId());
        if (updated == 0) {
            return false;
        }
        jdbc.update("UPDATE inventory_position SET reserved = reserved - ?, version = version + 1, updated_at = ? "
                + "WHERE sku = ? AND location_id = ?", hold.quantity(), now(), hold.sku(), hold.locationId());
        return true;
    }

    /** Recomputes these skus' ATS and publishes the channels whose value changed (nothing when none did). */
    public void refreshAvailability(java.util.Collection<String> skus) {
        requireTransaction();
        new java.util.TreeSet<>(skus).forEach(this::publishAvailability);
    }

    /** Ids of held reservations whose time is up (at most {@code limit}). */
    public List<String> dueReservations(int limit) {
        return jdbc.queryForList("SELECT reservation_key FROM inventory_reservation WHERE status = 'held' AND expires_at <= ? "
                + "ORDER BY expires_at LIMIT ?", String.class, now(), limit);
    }

    /** A position being changed in memory by a group of deltas. */
    private static final class Working {
        final String sku;
        final String locationId;
        long onHand;
        final long reserved;
        final Instant countedAt;
        final boolean exists;
        int changes;

        Working(String sku, String locationId, long onHand, long reserved, Instant countedAt, boolean exists) {
            this.sku = sku;
            this.locationId = locationId;
            this.onHand = onHand;
            this.reserved = reserved;
            this.countedAt = countedAt;
            this.exists = exists;
        }
    }

    /**
     * The same rules as the one-by-one path, set-based for a group of deltas (a group commit of POS
     * transactions): every sku locked in sorted order, then a fixed number of batched statements
     * whatever the group's size — duplicates found with one query, movements inserted and positions
     * updated in JDBC batches, ATS compared and published for all changed skus at once.
     */
    private Result applyDeltas(List<Movement> movements) {
        List<String> skus = movements.stream().map(Movement::sku).distinct().sorted().toList();
        OffsetDateTime now = now();
        lockAhead(skus);
        Set<String> created = createdInThisTransaction();
        Map<String, Working> positions = new HashMap<>();
        Map<String, List<Working>> bySku = new HashMap<>();
        for (List<String> chunk : chunks(skus)) {
            jdbc.query("SELECT * FROM inventory_position WHERE sku IN (" + placeholders(chunk.size()) + ")", rs -> {
                OffsetDateTime counted = rs.getObject("counted_at", OffsetDateTime.class);
                Working w = new Working(rs.getString("sku"), rs.getString("location_id"), rs.getLong("on_hand"),
                        rs.getLong("reserved"), counted == null ? null : counted.toInstant(), true);
                positions.put(w.sku + "\u0000" + w.locationId, w);
                bySku.computeIfAbsent(w.sku, k -> new ArrayList<>()).add(w);
            }, chunk.toArray());
        }
        Set<String> existingKeys = new HashSet<>();
        for (List<String> chunk : chunks(movements.stream().map(Movement::key).toList())) {
            existingKeys.addAll(jdbc.queryForList("SELECT movement_key FROM inventory_movement WHERE movement_key IN ("
                    + placeholders(chunk.size()) + ")", String.class, chunk.toArray()));
        }
        Movement.Outcome[] outcomes = new Movement.Outcome[movements.size()];
        List<Object[]> rows = new ArrayList<>();
        Set<String> changedSkus = new java.util.TreeSet<>();
        for (int i = 0; i < movements.size(); i++) {
            Movement m = movements.get(i);
            if (!existingKeys.add(m.key())) {
                outcomes[i] = Movement.Outcome.DUPLICATE;
                count(m, outcomes[i]);
                continue;
            }
            Working w = positions.computeIfAbsent(m.sku() + "\u0000" + m.locationId(), k -> {
                Working fresh = new Working(m.sku(), m.locationId(), 0, 0, null, false);
                bySku.computeIfAbsent(m.sku(), s -> new ArrayList<>()).add(fresh);
                return fresh;
            });
            boolean olderThanCount = w.countedAt != null && !m.occurredAt().isAfter(w.countedAt);
            outcomes[i] = olderThanCount ? Movement.Outcome.SUPERSEDED : Movement.Outcome.APPLIED;
            if (outcomes[i] == Movement.Outcome.APPLIED) {
                w.onHand += m.quantity();
                w.changes++;
                changedSkus.add(m.sku());
            }
            rows.add(new Object[] {m.key(), m.sku(), m.locationId(), m.kind().wireName(), m.quantity(), utc(m.occurredAt()), now,
                    outcomes[i] == Movement.Outcome.APPLIED, m.note(), m.source()});
            count(m, outcomes[i]);
        }
        jdbc.batchUpdate("INSERT INTO inventory_movement (movement_key, sku, location_id, kind, quantity, occurred_at, "
                + "recorded_at, applied, note, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
        List<Object[]> inserts = new ArrayList<>();
        List<Object[]> updates = new ArrayList<>();
        for (Working w : positions.values()) {
            if (!w.exists) {
                inserts.add(new Object[] {w.sku, w.locationId, w.onHand, w.changes, now});
            } else if (w.changes > 0) {
                updates.add(new Object[] {w.onHand, w.changes, now, w.sku, w.locationId});
            }
        }
        if (!inserts.isEmpty()) {
            jdbc.batchUpdate("INSERT INTO inventory_position (sku, location_id, on_hand, reserved, version, counted_at, updated_at) "
                    + "VALUES (?, ?, ?, 0, ?, NULL, ?)", inserts);
        }
        if (!updates.isEmpty()) {
            jdbc.batchUpdate("UPDATE inventory_position SET on_hand = ?, version = version + ?, updated_at = ? "
                    + "WHERE sku = ? AND location_id = ?", updates);
        }
        publishAvailability(changedSkus, bySku);
        List<String> unknown = skus.stream().filter(created::contains).toList();
        return new Result(List.of(outcomes), unknown);
    }

    /** ATS of many skus from positions already in memory; publishes the channels whose value changed. */
    private void publishAvailability(Set<String> skus, Map<String, List<Working>> positionsBySku) {
        if (skus.isEmpty()) {
            return;
        }
        Map<String, long[]> published = new HashMap<>();
        for (List<String> chunk : chunks(new ArrayList<>(skus))) {
            jdbc.query("SELECT sku, channel, ats, version FROM channel_availability WHERE sku IN (" + placeholders(chunk.size()) + ")",
                    rs -> {
                        published.put(rs.getString(1) + "\u0000" + rs.getString(2), new long[] {rs.getLong(3), rs.getLong(4)});
                    }, chunk.toArray());
        }
        Instant at = clock.instant();
        List<Object[]> inserts = new ArrayList<>();
        List<Object[]> updates = new ArrayList<>();
        List<CanonicalEvent> events = new ArrayList<>();
        for (String sku : skus) {
            for (String channel : network.channels()) {
                long sum = 0;
                for (Working p : positionsBySku.getOrDefault(sku, List.of())) {
                    if (network.serves(p.locationId, channel)) {
                        sum += Math.max(0, p.onHand - p.reserved - network.safetyStock(channel, p.locationId));
                    }
                }
                long[] before = published.get(sku + "\u0000" + channel);
                if (before != null && before[0] == sum) {
                    continue;
                }
                long version = before == null ? 1 : before[1] + 1;
                if (before == null) {
                    inserts.add(new Object[] {sku, channel, sum, version, utc(at)});
                } else {
                    updates.add(new Object[] {sum, version, utc(at), sku, channel});
                }
                events.add(CanonicalEvent.ofRecord("availability:" + sku + ":" + channel + ":" + version,
                        EventType.AVAILABILITY_CHANGED, SOURCE, new ChannelAvailability(sku, channel, sum, at, version), at));
            }
        }
        if (!inserts.isEmpty()) {
            jdbc.batchUpdate("INSERT INTO channel_availability (sku, channel, ats, version, updated_at) VALUES (?, ?, ?, ?, ?)", inserts);
        }
        if (!updates.isEmpty()) {
            jdbc.batchUpdate("UPDATE channel_availability SET ats = ?, version = ?, updated_at = ? WHERE sku = ? AND channel = ?",
                    updates);
        }
        if (publishPositions) {
            events.addAll(positionEvents(skus, at));
        }
        outbox.append("events", events);
    }

    /**
     * The positions of {@code skus} as they stand in this transaction, one event each. Their ids
     * are unique per publication (a sku published twice at one version must not collide in the
     * outbox); a consumer keeps the newest position version per sku and location.
     */
    private List<CanonicalEvent> positionEvents(Set<String> skus, Instant at) {
        List<CanonicalEvent> events = new ArrayList<>();
        for (List<String> chunk : chunks(new ArrayList<>(skus))) {
            jdbc.query("SELECT sku, location_id, on_hand, reserved, version FROM inventory_position WHERE sku IN ("
                    + placeholders(chunk.size()) + ")", rs -> {
                        InventoryPosition position = new InventoryPosition(rs.getString(1), rs.getString(2), rs.getLong(3),
                                rs.getLong(4), rs.getLong(5), at);
                        events.add(CanonicalEvent.ofRecord("position:" + position.sku() + ":" + position.locationId() + ":"
                                + position.version() + ":" + java.util.UUID.randomUUID(), EventType.INVENTORY_ADJUSTED, SOURCE,
                                position, at));
                    }, chunk.toArray());
        }
        return events;
    }

    /**
     * Applies an order from any channel: a placed/paid/fulfilled order is a sale of each line at its
     * fulfilment location; a cancelled one returns what its sale took. A line sold beyond the
     * channel's ATS is flagged as an oversell (event + counter) — the sale still stands.
     *
     * @return the oversells flagged (empty when none or when the order was applied before)
     */
    public List<Oversell> applyOrder(Order order) {
        requireTransaction();
        String externalId = order.externalId() != null ? order.externalId() : order.id();
        List<Oversell> oversold = new ArrayList<>();
        List<OrderLine> lines = order.lines().stream().filter(l -> l.sku() != null && l.quantity() > 0)
                .sorted(Comparator.comparing(OrderLine::sku)).toList();
        for (OrderLine line : lines) {
            String saleKey = "sale:" + order.channel() + ":" + externalId + ":" + line.lineId();
            if (order.status() == OrderStatus.CANCELLED) {
                lockSku(line.sku());
                saleLocation(saleKey).ifPresent(location -> applySingle(new Movement(
                        "cancel:" + order.channel() + ":" + externalId + ":" + line.lineId(), line.sku(), location,
                        Movement.Kind.RETURN, line.quantity(), order.placedAt(), order.channel(), "order cancelled")));
                continue;
            }
            boolean known = lockSku(line.sku());
            if (saleLocation(saleKey).isPresent()) {
                continue; // this line was applied before (the order was placed, now it is paid, ...)
            }
            String location = fulfilmentLocation(order, line.sku());
            long before = known ? publishedAts(line.sku(), order.channel()) : 0;
            applySingle(new Movement(saleKey, line.sku(), location, Movement.Kind.SALE, -line.quantity(),
                    order.placedAt(), order.channel(), null));
            if (!"store".equals(order.channel()) && before < line.quantity()) {
                Oversell o = new Oversell(order.id(), order.channel(), line.sku(), line.quantity(), before, clock.instant());
                outbox.append(Outbox.requireTopic("events"), CanonicalEvent.of("oversold:" + saleKey,
                        EventType.INVENTORY_OVERSOLD, SOURCE, CanonicalJson.toTree(o), clock.instant()));
                Counter.builder("unison.inventory.oversold").description("order lines sold beyond the channel's ATS")
                        .baseUnit("order lines").tag("channel", order.channel()).register(meters).increment();
                oversold.add(o);
            }
        }
        return oversold;
    }

    private void applySingle(Movement m) {
        if (applyLocked(m) == Movement.Outcome.APPLIED) {
            publishAvailability(m.sku());
        }
    }

    public Optional<SkuView> view(String sku) {
        List<Position> positions = positions(sku);
        if (positions.isEmpty()) {
            return Optional.empty();
        }
        List<ChannelAts> channels = jdbc.query("SELECT * FROM channel_availability WHERE sku = ? ORDER BY channel",
                (rs, i) -> new ChannelAts(rs.getString("channel"), rs.getLong("ats"), rs.getLong("version"),
                        rs.getObject("updated_at", OffsetDateTime.class).toInstant()), sku);
        return Optional.of(new SkuView(sku, positions, channels));
    }

    /** The ATS last published for a channel (0 when never computed). */
    public long publishedAts(String sku, String channel) {
        return jdbc.query("SELECT ats FROM channel_availability WHERE sku = ? AND channel = ?",
                (rs, i) -> rs.getLong(1), sku, channel).stream().findFirst().orElse(0L);
    }

    /**
     * Locks every given sku not yet locked by this transaction, in sorted order (creating lock rows
     * for new skus), so that work applied afterwards in any order waits on no other transaction in
     * a cycle: the POS group and the order consumer lock in the same order.
     */
    public void lockAhead(java.util.Collection<String> skus) {
        requireTransaction();
        Set<String> locked = lockedInThisTransaction();
        List<String> wanted = skus.stream().filter(sku -> !locked.contains(sku)).distinct().sorted().toList();
        if (wanted.isEmpty()) {
            return;
        }
        OffsetDateTime now = now();
        int[] inserted = jdbc.batchUpdate("INSERT INTO inventory_sku (sku, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                wanted.stream().map(sku -> new Object[] {sku, now}).toList());
        Set<String> created = createdInThisTransaction();
        for (int i = 0; i < wanted.size(); i++) {
            if (inserted[i] == 1) {
                created.add(wanted.get(i));
            }
        }
        for (List<String> chunk : chunks(wanted)) {
            jdbc.queryForList("SELECT sku FROM inventory_sku WHERE sku IN (" + placeholders(chunk.size()) + ") ORDER BY sku FOR UPDATE",
                    chunk.toArray());
        }
        locked.addAll(wanted);
    }

    /** Inserts the sku's lock row if new, then locks it; returns whether the sku was known before. */
    private boolean lockSku(String sku) {
        Set<String> locked = lockedInThisTransaction();
        if (locked.contains(sku)) {
            return !createdInThisTransaction().contains(sku);
        }
        locked.add(sku);
        int inserted = jdbc.update("INSERT INTO inventory_sku (sku, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                sku, now());
        jdbc.queryForList("SELECT sku FROM inventory_sku WHERE sku = ? FOR UPDATE", sku);
        Set<String> created = createdInThisTransaction();
        if (inserted == 1) {
            created.add(sku);
        }
        return !created.contains(sku);
    }

    private static final Object CREATED_SKUS = new Object();
    private static final Object LOCKED_SKUS = new Object();

    /** Skus whose lock row this transaction holds already. */
    private static Set<String> lockedInThisTransaction() {
        return transactionSet(LOCKED_SKUS);
    }

    /** Skus this transaction introduced (a group of POS transactions locks them before applying any). */
    private static Set<String> createdInThisTransaction() {
        return transactionSet(CREATED_SKUS);
    }

    @SuppressWarnings("unchecked")
    private static Set<String> transactionSet(Object key) {
        Set<String> set = (Set<String>) TransactionSynchronizationManager.getResource(key);
        if (set == null) {
            Set<String> fresh = new HashSet<>();
            TransactionSynchronizationManager.bindResource(key, fresh);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    TransactionSynchronizationManager.unbindResourceIfPossible(key);
                }
            });
            return fresh;
        }
        return set;
    }

    private Movement.Outcome applyLocked(Movement m) {
        Position p = position(m.sku(), m.locationId()).orElseGet(() -> {
            jdbc.update("INSERT INTO inventory_position (sku, location_id, on_hand, reserved, version, counted_at, updated_at) "
                    + "VALUES (?, ?, 0, 0, 0, NULL, ?)", m.sku(), m.locationId(), now());
            return new Position(m.sku(), m.locationId(), 0, 0, 0, null, clock.instant());
        });
        boolean olderThanCount = p.countedAt() != null && !m.occurredAt().isAfter(p.countedAt());
        Movement.Outcome outcome = olderThanCount ? Movement.Outcome.SUPERSEDED : Movement.Outcome.APPLIED;
        // the key is the idempotency key: a second insert of it changes nothing (one statement, no read first)
        int recorded = jdbc.update("INSERT INTO inventory_movement (movement_key, sku, location_id, kind, quantity, occurred_at, "
                        + "recorded_at, applied, note, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                m.key(), m.sku(), m.locationId(), m.kind().wireName(), m.quantity(), utc(m.occurredAt()), now(),
                outcome == Movement.Outcome.APPLIED, m.note(), m.source());
        if (recorded == 0) {
            count(m, Movement.Outcome.DUPLICATE);
            return Movement.Outcome.DUPLICATE;
        }
        if (outcome == Movement.Outcome.APPLIED) {
            if (m.kind() == Movement.Kind.COUNT) {
                // the count is the truth as of its time; movements after it still count on top
                Long after = jdbc.queryForObject("SELECT COALESCE(SUM(quantity), 0) FROM inventory_movement WHERE sku = ? "
                        + "AND location_id = ? AND kind <> 'count' AND applied = TRUE AND occurred_at > ?",
                        Long.class, m.sku(), m.locationId(), utc(m.occurredAt()));
                jdbc.update("UPDATE inventory_position SET on_hand = ?, counted_at = ?, version = version + 1, updated_at = ? "
                        + "WHERE sku = ? AND location_id = ?", m.quantity() + after, utc(m.occurredAt()), now(),
                        m.sku(), m.locationId());
            } else {
                jdbc.update("UPDATE inventory_position SET on_hand = on_hand + ?, version = version + 1, updated_at = ? "
                        + "WHERE sku = ? AND location_id = ?", m.quantity(), now(), m.sku(), m.locationId());
            }
        }
        count(m, outcome);
        return outcome;
    }

    /** Recomputes the sku's ATS for every channel and publishes the channels whose value changed. */
    private void publishAvailability(String sku) {
        List<Working> positions = positions(sku).stream()
                .map(p -> new Working(p.sku(), p.locationId(), p.onHand(), p.reserved(), p.countedAt(), true)).toList();
        publishAvailability(Set.of(sku), Map.of(sku, positions));
    }

    private String fulfilmentLocation(Order order, String sku) {
        if (order.fulfilledFromLocation() != null && network.location(order.fulfilledFromLocation()).isPresent()) {
            return order.fulfilledFromLocation();
        }
        if (order.placedAtLocation() != null && network.location(order.placedAtLocation()).isPresent()) {
            return order.placedAtLocation();
        }
        // online: the location serving the channel with the most available units (ties: by id)
        Map<String, Long> available = new HashMap<>();
        positions(sku).forEach(p -> available.put(p.locationId(), p.available()));
        return network.locations().stream()
                .filter(l -> l.channels().contains(order.channel()))
                .map(InventoryNetwork.LocationSettings::id)
                .max(Comparator.<String>comparingLong(id -> available.getOrDefault(id, 0L))
                        .thenComparing(Comparator.reverseOrder()))
                .orElseThrow(() -> new IllegalStateException("no location serves channel " + order.channel()
                        + " (order " + order.id() + "); declare one in unison.inventory.locations"));
    }

    private Optional<String> saleLocation(String saleKey) {
        return jdbc.query("SELECT location_id FROM inventory_movement WHERE movement_key = ?",
                (rs, i) -> rs.getString(1), saleKey).stream().findFirst();
    }

    private Optional<Position> position(String sku, String locationId) {
        return jdbc.query("SELECT * FROM inventory_position WHERE sku = ? AND location_id = ?",
                (rs, i) -> toPosition(rs), sku, locationId).stream().findFirst();
    }

    private List<Position> positions(String sku) {
        return jdbc.query("SELECT * FROM inventory_position WHERE sku = ? ORDER BY location_id", (rs, i) -> toPosition(rs), sku);
    }

    private static Position toPosition(java.sql.ResultSet rs) throws java.sql.SQLException {
        OffsetDateTime counted = rs.getObject("counted_at", OffsetDateTime.class);
        return new Position(rs.getString("sku"), rs.getString("location_id"), rs.getLong("on_hand"),
                rs.getLong("reserved"), rs.getLong("version"), counted == null ? null : counted.toInstant(),
                rs.getObject("updated_at", OffsetDateTime.class).toInstant());
    }

    private void count(Movement m, Movement.Outcome outcome) {
        Counter.builder("unison.inventory.movements").description("inventory movements by kind and outcome")
                .tag("kind", m.kind().wireName()).tag("outcome", outcome.wireName())
                .register(meters).increment();
    }

    private OffsetDateTime now() {
        return utc(clock.instant());
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static void requireTransaction() {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("the inventory ledger runs inside the caller's transaction");
        }
    }
}
