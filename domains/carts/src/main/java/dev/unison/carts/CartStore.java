package dev.unison.carts;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.Cart;
import dev.unison.canonical.model.CartConversion;
import dev.unison.canonical.model.CartLine;
import dev.unison.canonical.model.CartStatus;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.Order;
import dev.unison.identity.ProfileDirectory;
import dev.unison.platform.outbox.Outbox;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The carts: one row per cart with its lines, the identifiers it was given and its state. Every
 * change of a cart the hub decides (an app's replace, a conversion, an abandonment) goes out as
 * {@code commerce.cart.updated.v1} through the outbox in the same transaction; the inventory domain
 * holds and releases stock from those events alone, so this domain never calls it.
 */
public class CartStore {

    /** The CloudEvents source of this domain's events (the inventory domain holds stock only for these). */
    public static final URI SOURCE = URI.create("/hub/carts");

    /** A cart as stored. {@code status}: open | converted | abandoned. */
    public record StoredCart(String id, String channel, String status, String profileId, String currency, List<CartLine> lines,
            List<Identifier> identifiers, String reserveAt, Instant expiresAt, long version, Instant updatedAt,
            Instant createdAt, String owner, String orderId, String convertedIn, Instant closedAt) {

        boolean open() {
            return "open".equals(status);
        }

        Cart canonical() {
            return new Cart(id, channel, profileId, identifiers, lines, CartRules.canonicalStatus(status), currency, updatedAt,
                    reserveAt, expiresAt);
        }
    }

    /** What the app asks for: the whole cart, and what it last saw of it (optional). */
    public record Replace(String cartId, String channel, String currency, List<Identifier> identifiers, List<CartLine> lines,
            String reserveAt, Instant expiresAt, Long expectedVersion, Instant clientUpdatedAt) {
    }

    /** The cart cannot be replaced as asked (stale, closed, another partner's). */
    public static class RefusedException extends RuntimeException {
        private final int status;

        RefusedException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final ProfileDirectory profiles;
    private final Outbox outbox;
    private final CartsProperties settings;

    public CartStore(JdbcTemplate jdbc, Clock clock, ProfileDirectory profiles, Outbox outbox, CartsProperties settings) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.profiles = profiles;
        this.outbox = outbox;
        this.settings = settings;
    }

    // ------------------------------------------------------------------ reads

    public Optional<StoredCart> find(String cartId) {
        return jdbc.query("SELECT * FROM cart WHERE cart_id = ?", (rs, i) -> row(rs), cartId).stream().findFirst();
    }

    private Optional<StoredCart> findForUpdate(String cartId) {
        return jdbc.query("SELECT * FROM cart WHERE cart_id = ? FOR UPDATE", (rs, i) -> row(rs), cartId).stream().findFirst();
    }

    /**
     * The open cart of the shopper an identifier belongs to (the newest, if several): a cart given
     * any identifier of that shopper's profile (so a cart opened by email is found by the loyalty card
     * the store scans, once identity linked the two), or recorded for the profile or one merged into it.
     * A blocked placeholder finds nothing.
     *
     * @param raw as the caller typed it (normalized here as identity normalizes it)
     * @throws IllegalArgumentException the value cannot be normalized
     */
    public Optional<StoredCart> openCartOf(Identifier raw) {
        if (profiles.isBlocked(raw)) {
            return Optional.empty();
        }
        Identifier identifier = profiles.normalize(raw);
        Set<String> keys = new LinkedHashSet<>();
        keys.add(key(identifier));
        Set<String> profileIds = new LinkedHashSet<>();
        profiles.profileOf(identifier).ifPresent(profile -> {
            profileIds.add(profile.id());
            profile.merges().forEach(m -> profileIds.add(m.mergedId()));
            profile.identifiers().forEach(i -> keys.add(i.type() + ":" + i.value()));
        });
        List<Object> args = new ArrayList<>(keys);
        String byProfile = "";
        if (!profileIds.isEmpty()) {
            byProfile = " OR profile_id IN (" + marks(profileIds.size()) + ")";
            args.addAll(profileIds);
        }
        return jdbc.query("SELECT * FROM cart WHERE status = 'open' AND (cart_id IN (SELECT cart_id FROM cart_identifier "
                + "WHERE identifier IN (" + marks(keys.size()) + "))" + byProfile + ") ORDER BY updated_at DESC, cart_id LIMIT 1",
                (rs, i) -> row(rs), args.toArray()).stream().findFirst();
    }

    /** The open cart a QR token (not yet expired) was issued for. */
    public Optional<StoredCart> openCartOfToken(String token) {
        return jdbc.queryForList("SELECT cart_id FROM cart_qr WHERE token_hash = ? AND expires_at > ?", String.class,
                CartRules.hash(token), now()).stream().findFirst().flatMap(this::find).filter(StoredCart::open);
    }

    /** A new QR token for an open cart, valid for {@code unison.carts.qr-ttl}; only its hash is kept. */
    public QrToken issueToken(String cartId) {
        String token = CartRules.newToken();
        Instant expires = clock.instant().plus(settings.qrTtl());
        jdbc.update("INSERT INTO cart_qr (token_hash, cart_id, expires_at) VALUES (?, ?, ?)", CartRules.hash(token), cartId,
                utc(expires));
        return new QrToken(token, expires);
    }

    public record QrToken(String token, Instant expiresAt) {
    }

    // ------------------------------------------------------------------ the app's writes

    /**
     * Creates or replaces an open cart (inside the caller's transaction) and publishes it. Refused
     * with 409 when the cart is no longer open, when {@code expectedVersion} is not the stored
     * version, or when {@code clientUpdatedAt} is not newer than the stored change; 403 when another
     * partner wrote it.
     *
     * @return the stored cart and whether it was created
     */
    public Map.Entry<StoredCart, Boolean> replace(Replace r, String owner, boolean operator) {
        Optional<StoredCart> before = findForUpdate(r.cartId());
        Instant now = clock.instant();
        if (before.isPresent()) {
            StoredCart b = before.get();
            if (b.owner() == null) {
                throw new RefusedException(409, "cart " + r.cartId() + " is a " + b.channel()
                        + " cart from a connector: it changes through its own channel");
            }
            if (!b.owner().equals(owner) && !operator) {
                throw new RefusedException(403, "cart " + r.cartId() + " belongs to another partner");
            }
            if (!b.open()) {
                throw new RefusedException(409, "cart " + r.cartId() + " is " + b.status() + ": a closed cart is never reopened");
            }
            if (r.expectedVersion() != null && r.expectedVersion() != b.version()) {
                throw new RefusedException(409, "stale: cart " + r.cartId() + " is at version " + b.version() + ", not "
                        + r.expectedVersion() + "; read it again and resend");
            }
            if (r.clientUpdatedAt() != null && !r.clientUpdatedAt().isAfter(b.updatedAt())) {
                throw new RefusedException(409, "stale: cart " + r.cartId() + " was changed at " + b.updatedAt()
                        + ", not before " + r.clientUpdatedAt());
            }
            // versions of one cart must grow: a clock step back never makes a change look older
            if (!now.isAfter(b.updatedAt())) {
                now = b.updatedAt().plusMillis(1);
            }
        } else if (r.expectedVersion() != null && r.expectedVersion() != 0) {
            throw new RefusedException(409, "stale: cart " + r.cartId() + " does not exist (expected version "
                    + r.expectedVersion() + ")");
        }
        List<Identifier> identifiers = normalized(r.identifiers());
        String profileId = profileOf(identifiers).orElse(before.map(StoredCart::profileId).orElse(null));
        Instant expiresAt = r.expiresAt() != null ? r.expiresAt() : now.plus(settings.abandonAfter());
        long version = before.map(b -> b.version() + 1).orElse(1L);
        StoredCart cart = new StoredCart(r.cartId(), r.channel(), "open", profileId, r.currency(), CartRules.mergeLines(r.lines()),
                identifiers, r.reserveAt(), expiresAt, version, now, before.map(StoredCart::createdAt).orElse(now),
                before.map(StoredCart::owner).orElse(owner), null, null, null);
        if (before.isPresent()) {
            jdbc.update("UPDATE cart SET channel = ?, profile_id = ?, currency = ?, lines = ?, reserve_at = ?, expires_at = ?, "
                    + "version = ?, updated_at = ? WHERE cart_id = ?", cart.channel(), profileId, cart.currency(),
                    CanonicalJson.write(CanonicalJson.toTree(cart.lines())), cart.reserveAt(), utc(expiresAt), version, utc(now),
                    cart.id());
        } else {
            insert(cart);
        }
        writeIdentifiers(cart.id(), identifiers);
        publish(cart);
        return Map.entry(cart, before.isEmpty());
    }

    // ------------------------------------------------------------------ from the bus

    /**
     * A cart from a connector or a partner ({@code commerce.cart.updated.v1} not published here):
     * kept as its source says, newest {@code updatedAt} wins. Such carts hold no stock; a cart the API
     * wrote is the app's and is not overwritten from outside. Returns false when nothing changed.
     */
    public boolean applyExternal(Cart cart) {
        Optional<StoredCart> before = findForUpdate(cart.id());
        if (before.isPresent() && (before.get().owner() != null || !before.get().open()
                || !cart.updatedAt().isAfter(before.get().updatedAt()))) {
            return false;
        }
        List<Identifier> identifiers = normalized(cart.identifiers());
        String profileId = cart.profileId() != null ? cart.profileId() : profileOf(identifiers).orElse(null);
        Instant now = clock.instant();
        String status = CartRules.apiStatus(cart.status());
        StoredCart stored = new StoredCart(cart.id(), cart.channel(), status, profileId, cart.currency(), CartRules.mergeLines(cart.lines()),
                identifiers, null, cart.updatedAt().plus(settings.abandonAfter()), before.map(b -> b.version() + 1).orElse(1L),
                cart.updatedAt(), before.map(StoredCart::createdAt).orElse(now), null, null, null,
                "open".equals(status) ? null : now);
        if (before.isPresent()) {
            jdbc.update("UPDATE cart SET status = ?, profile_id = ?, currency = ?, lines = ?, expires_at = ?, version = ?, "
                    + "updated_at = ?, closed_at = ? WHERE cart_id = ?", status, profileId, stored.currency(),
                    CanonicalJson.write(CanonicalJson.toTree(stored.lines())), utc(stored.expiresAt()), stored.version(),
                    utc(stored.updatedAt()), stored.closedAt() == null ? null : utc(stored.closedAt()), cart.id());
        } else {
            insert(stored);
        }
        writeIdentifiers(cart.id(), identifiers);
        return true;
    }

    /**
     * An order naming a cart ({@code cartId}) closes it: status converted, its QR tokens gone, and
     * {@code commerce.cart.updated.v1} (checked out: the inventory domain releases whatever the sale
     * did not consume) plus {@code commerce.cart.converted.v1} (where it began, where it was bought).
     * An unknown or already closed cart changes nothing, so a redelivered order is harmless.
     */
    public Optional<CartConversion> convert(Order order) {
        Optional<StoredCart> found = findForUpdate(order.cartId()).filter(StoredCart::open);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        StoredCart cart = found.get();
        Instant now = clock.instant();
        Instant at = now.isAfter(cart.updatedAt()) ? now : cart.updatedAt().plusMillis(1);
        String profileId = cart.profileId() != null ? live(cart.profileId()) : profileOf(cart.identifiers()).orElse(null);
        jdbc.update("UPDATE cart SET status = 'converted', version = version + 1, updated_at = ?, order_id = ?, converted_in = ?, "
                + "closed_at = ?, profile_id = ? WHERE cart_id = ?", utc(at), order.id(), order.channel(), utc(now), profileId, cart.id());
        jdbc.update("DELETE FROM cart_qr WHERE cart_id = ?", cart.id());
        StoredCart closed = new StoredCart(cart.id(), cart.channel(), "converted", profileId, cart.currency(), cart.lines(),
                cart.identifiers(), cart.reserveAt(), cart.expiresAt(), cart.version() + 1, at, cart.createdAt(), cart.owner(),
                order.id(), order.channel(), now);
        publish(closed);
        Instant placedAt = order.placedAt() != null ? order.placedAt() : now;
        CartConversion conversion = new CartConversion(cart.id(), profileId, cart.channel(), order.channel(), order.id(), placedAt);
        outbox.append("events", CanonicalEvent.ofRecord(conversionEventId(cart.id()), EventType.CART_CONVERTED, SOURCE,
                conversion, placedAt));
        return Optional.of(conversion);
    }

    /** The bus id of a cart's conversion event (a cart converts once). */
    public static String conversionEventId(String cartId) {
        return "cart-converted:" + cartId;
    }

    /** Carts of merged profiles now belong to the survivor. */
    public int followMerge(String survivorId, Collection<String> mergedIds) {
        if (mergedIds.isEmpty()) {
            return 0;
        }
        List<Object> args = new ArrayList<>();
        args.add(survivorId);
        args.addAll(mergedIds);
        return jdbc.update("UPDATE cart SET profile_id = ? WHERE profile_id IN (" + marks(mergedIds.size()) + ")", args.toArray());
    }

    // ------------------------------------------------------------------ expiry

    /** Open carts whose time is up (at most {@code limit}). */
    public List<String> dueForAbandonment(int limit) {
        return jdbc.queryForList("SELECT cart_id FROM cart WHERE status = 'open' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
                String.class, now(), limit);
    }

    /** Abandons an open cart whose time is up (in the caller's transaction); the event releases its stock. */
    public boolean abandon(String cartId) {
        Optional<StoredCart> found = findForUpdate(cartId).filter(StoredCart::open).filter(c -> !c.expiresAt().isAfter(clock.instant()));
        if (found.isEmpty()) {
            return false;
        }
        StoredCart cart = found.get();
        Instant now = clock.instant();
        Instant at = now.isAfter(cart.updatedAt()) ? now : cart.updatedAt().plusMillis(1);
        jdbc.update("UPDATE cart SET status = 'abandoned', version = version + 1, updated_at = ?, closed_at = ? WHERE cart_id = ?",
                utc(at), utc(now), cartId);
        jdbc.update("DELETE FROM cart_qr WHERE cart_id = ?", cartId);
        publish(new StoredCart(cart.id(), cart.channel(), "abandoned", cart.profileId(), cart.currency(), cart.lines(),
                cart.identifiers(), cart.reserveAt(), cart.expiresAt(), cart.version() + 1, at, cart.createdAt(), cart.owner(),
                null, null, now));
        return true;
    }

    /** Deletes QR tokens past their time. */
    public int forgetExpiredTokens() {
        return jdbc.update("DELETE FROM cart_qr WHERE expires_at <= ?", now());
    }

    // ------------------------------------------------------------------ helpers

    private void publish(StoredCart cart) {
        outbox.append("events", CanonicalEvent.ofRecord("cart:" + cart.id() + ":" + cart.version(), EventType.CART_UPDATED, SOURCE,
                cart.canonical(), cart.updatedAt()));
    }

    private void insert(StoredCart c) {
        jdbc.update("INSERT INTO cart (cart_id, channel, status, profile_id, currency, lines, reserve_at, expires_at, version, "
                + "updated_at, created_at, owner, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", c.id(), c.channel(),
                c.status(), c.profileId(), c.currency(), CanonicalJson.write(CanonicalJson.toTree(c.lines())), c.reserveAt(),
                utc(c.expiresAt()), c.version(), utc(c.updatedAt()), utc(c.createdAt()), c.owner(),
                c.closedAt() == null ? null : utc(c.closedAt()));
    }

    private void writeIdentifiers(String cartId, List<Identifier> identifiers) {
        jdbc.update("DELETE FROM cart_identifier WHERE cart_id = ?", cartId);
        jdbc.batchUpdate("INSERT INTO cart_identifier (cart_id, identifier) VALUES (?, ?)",
                identifiers.stream().map(this::key).distinct().map(k -> new Object[] {cartId, k}).toList());
    }

    /** Identifiers as identity normalizes them; placeholders (blocked values) and invalid ones are dropped, never matched on. */
    private List<Identifier> normalized(List<Identifier> raw) {
        List<Identifier> out = new ArrayList<>();
        for (Identifier i : raw) {
            try {
                if (!profiles.isBlocked(i)) {
                    Identifier n = profiles.normalize(i);
                    if (!out.contains(n)) {
                        out.add(n);
                    }
                }
            } catch (IllegalArgumentException invalid) {
                // a connector's odd value: the cart is kept, it is just not found by that identifier
            }
        }
        return out;
    }

    /** Why an identifier's value is refused (not a placeholder, which is only kept out of matching); empty when fine. */
    public Optional<String> invalidity(Identifier raw) {
        try {
            if (!profiles.isBlocked(raw)) {
                profiles.normalize(raw);
            }
            return Optional.empty();
        } catch (IllegalArgumentException invalid) {
            return Optional.of(String.valueOf(invalid.getMessage()));
        }
    }

    /** The live profile holding the first of these identifiers that any profile holds. */
    private Optional<String> profileOf(List<Identifier> identifiers) {
        if (identifiers.isEmpty()) {
            return Optional.empty();
        }
        Map<Identifier, String> holders = profiles.holders(identifiers);
        for (Identifier i : identifiers) {
            String holder = holders.get(i);
            if (holder != null) {
                return Optional.of(live(holder));
            }
        }
        return Optional.empty();
    }

    private String live(String profileId) {
        return profiles.liveProfiles(List.of(profileId)).getOrDefault(profileId, profileId);
    }

    private String key(Identifier normalized) {
        return normalized.type().wireName() + ":" + normalized.value();
    }

    private StoredCart row(ResultSet rs) throws SQLException {
        String cartId = rs.getString("cart_id");
        List<Identifier> identifiers = jdbc.queryForList("SELECT identifier FROM cart_identifier WHERE cart_id = ? ORDER BY identifier",
                String.class, cartId).stream().map(k -> {
                    int colon = k.indexOf(':');
                    return new Identifier(IdentifierType.fromWireName(k.substring(0, colon)), k.substring(colon + 1));
                }).toList();
        List<CartLine> lines = CanonicalJson.mapper().convertValue(CanonicalJson.parse(rs.getString("lines")),
                new TypeReference<List<CartLine>>() { });
        return new StoredCart(cartId, rs.getString("channel"), rs.getString("status"), rs.getString("profile_id"),
                rs.getString("currency"), lines, identifiers, rs.getString("reserve_at"), instant(rs, "expires_at"),
                rs.getLong("version"), instant(rs, "updated_at"), instant(rs, "created_at"), rs.getString("owner"),
                rs.getString("order_id"), rs.getString("converted_in"), instant(rs, "closed_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private OffsetDateTime now() {
        return utc(clock.instant());
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static String marks(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    /** How long after its last change an open cart is abandoned, unless it names its own time. */
    public Duration abandonAfter() {
        return settings.abandonAfter();
    }
}
