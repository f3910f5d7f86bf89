package dev.unison.inventory;

import dev.unison.canonical.model.Cart;
import dev.unison.canonical.model.CartLine;
import dev.unison.canonical.model.CartStatus;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Holds stock for the carts of the hub's carts domain: each {@code commerce.cart.updated.v1} it
 * publishes says what the cart holds now (lines at {@code reserveAt} until {@code expiresAt}), and
 * this makes the held reservations match, inside the consuming transaction. The carts domain never
 * calls the inventory domain: the cart event is the whole contract (docs/carts.md "Reservations").
 *
 * <p>A line's reservation id is {@code cart:<cartId>:<sku>:<n>}, {@code n} counting that sku's holds
 * for the cart: a released id is never held again (reservations are idempotent on their id), so a
 * changed line is released and held anew under the next {@code n}. Only carts from the carts domain
 * ({@link #CARTS_SOURCE}) hold stock; a partner reserves through the reservations API.
 */
public class CartReservations {

    /** The CloudEvents source of the carts domain's events. */
    public static final URI CARTS_SOURCE = URI.create("/hub/carts");
    /** How long a cart that names no expiry holds its stock. */
    static final Duration DEFAULT_HOLD = Duration.ofHours(48);

    private final InventoryLedger ledger;
    private final JdbcTemplate jdbc;
    private final Clock clock;

    public CartReservations(InventoryLedger ledger, JdbcTemplate jdbc, Clock clock) {
        this.ledger = ledger;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Locks, in sorted order, every sku these carts hold or ask for, before any of them is applied: a
     * bus batch is one transaction, and cart A's sku Z then cart B's sku A would otherwise wait in a
     * cycle with a POS group locking A then Z (the order consumer does the same, docs/inventory.md).
     */
    public void lockAhead(List<Cart> carts) {
        Set<String> skus = new TreeSet<>();
        List<String> ids = new ArrayList<>();
        for (Cart cart : carts) {
            ids.add(cart.id());
            cart.lines().forEach(line -> skus.add(line.sku()));
        }
        if (!ids.isEmpty()) {
            ledger.cartHolds(ids).forEach(h -> skus.add(h.sku()));
        }
        ledger.lockAhead(skus);
    }

    /** Makes the cart's held reservations what the cart says (inside the caller's transaction). */
    public void apply(Cart cart) {
        Instant now = clock.instant();
        Instant until = cart.expiresAt() != null ? cart.expiresAt() : now.plus(DEFAULT_HOLD);
        Map<String, Long> wanted = new TreeMap<>();
        if (cart.status() == CartStatus.OPEN && cart.reserveAt() != null && until.isAfter(now)
                && ledger.network().location(cart.reserveAt()).isPresent()) {
            for (CartLine line : cart.lines()) {
                wanted.merge(line.sku(), line.quantity(), Long::sum);
            }
        }
        List<InventoryLedger.CartHold> held = ledger.cartHolds(List.of(cart.id()));
        Set<String> skus = new TreeSet<>(wanted.keySet());
        held.forEach(h -> skus.add(h.sku()));
        if (skus.isEmpty()) {
            return;
        }
        ledger.lockAhead(skus);
        // read again under the locks: a sale may have consumed a hold meanwhile (it locks the same skus)
        held = ledger.cartHolds(List.of(cart.id())).stream().filter(h -> skus.contains(h.sku())).toList();
        // a cart a sale already bought holds nothing again, even when an older open state arrives late
        if (jdbc.queryForObject("SELECT COUNT(*) FROM inventory_reservation WHERE cart_id = ? AND status = 'consumed'",
                Long.class, cart.id()) > 0) {
            wanted.clear();
        }
        List<InventoryLedger.CartHold> stale = new ArrayList<>();
        for (InventoryLedger.CartHold hold : held) {
            Long quantity = wanted.get(hold.sku());
            if (quantity != null && quantity == hold.quantity() && hold.locationId().equals(cart.reserveAt())) {
                wanted.remove(hold.sku()); // unchanged: keeps its hold
            } else {
                stale.add(hold);
            }
        }
        for (InventoryLedger.CartHold hold : stale) {
            ledger.release(hold.reservationId(), "released");
        }
        for (Map.Entry<String, Long> line : wanted.entrySet()) {
            Long holds = jdbc.queryForObject("SELECT COUNT(*) FROM inventory_reservation WHERE cart_id = ? AND sku = ?",
                    Long.class, cart.id(), line.getKey());
            String id = "cart:" + cart.id() + ":" + line.getKey() + ":" + (holds + 1);
            ledger.reserve(id, null, line.getKey(), cart.reserveAt(), line.getValue(), until);
            jdbc.update("UPDATE inventory_reservation SET cart_id = ? WHERE reservation_key = ?", cart.id(), id);
        }
    }
}
