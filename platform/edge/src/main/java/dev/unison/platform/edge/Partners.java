package dev.unison.platform.edge;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

/**
 * Partners and their API keys. A key is 32 random bytes (base64url, prefixed {@code unison_}) shown
 * once; only its SHA-256 is stored. A fast hash is right here because the key has 256 bits of
 * entropy (unlike a password, nothing can be guessed); keys are found by hash, so a request never
 * compares secrets byte by byte.
 */
public class Partners {

    public static final String BOOTSTRAP = "bootstrap";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public record Partner(String id, String name, Set<String> scopes, OffsetDateTime createdAt, List<KeyInfo> keys) {
    }

    public record KeyInfo(String keyId, OffsetDateTime createdAt, OffsetDateTime revokedAt) {
    }

    /** A key as issued: the only time the secret is visible. */
    public record IssuedKey(String keyId, String apiKey) {
    }

    /** The caller of a request, once authenticated. */
    public record Principal(String partnerId, String name, Set<String> scopes) {
        public boolean has(Scope scope) {
            return scopes.contains(scope.wireName());
        }
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final java.util.function.Predicate<String> reservedName;
    private final ScopeCatalog scopes;
    /**
     * Keys authenticated lately (by hash): a request then needs no database read and no pooled
     * connection, which under load the intake's own work is waiting for. Only valid keys are kept,
     * each for {@code keyCacheTtl}; this instance forgets them all when a key is revoked or a
     * partner's scopes change, another instance within {@code keyCacheTtl}. Caffeine: bounded,
     * concurrent, expiring, the cache Spring Boot manages.
     */
    private final Cache<String, Principal> authenticated;

    /** Partners of the platform's scopes only, no reserved names (tests, tools). */
    public Partners(JdbcTemplate jdbc, Clock clock) {
        this(jdbc, clock, name -> false, ScopeCatalog.platformOnly(), Duration.ZERO);
    }

    /**
     * @param reservedName names a partner may not take: the hub's own channels and connections, since a
     *     partner's name is the channel it reports records for
     */
    public Partners(JdbcTemplate jdbc, Clock clock, java.util.function.Predicate<String> reservedName, ScopeCatalog scopes,
            Duration keyCacheTtl) {
        this(jdbc, clock, reservedName, scopes, keyCacheTtl, Ticker.systemTicker());
    }

    /** As above, the cache's time read from {@code ticker} (tests). */
    Partners(JdbcTemplate jdbc, Clock clock, java.util.function.Predicate<String> reservedName, ScopeCatalog scopes,
            Duration keyCacheTtl, Ticker ticker) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.reservedName = reservedName;
        this.scopes = scopes;
        this.authenticated = Caffeine.newBuilder().maximumSize(keyCacheTtl.isZero() ? 0 : 10_000)
                .expireAfterWrite(keyCacheTtl).ticker(ticker).build();
    }

    /** The scopes a partner may hold: those the installed modules declare. */
    public ScopeCatalog scopes() {
        return scopes;
    }

    /** True when {@code name} is a channel or connection of the hub's own (see the constructor). */
    public boolean isReservedName(String name) {
        return reservedName.test(name);
    }

    public Optional<Principal> authenticate(String apiKey) {
        String hash = hash(apiKey);
        Principal known = authenticated.getIfPresent(hash);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<Principal> found = lookUp(hash);
        found.ifPresent(p -> authenticated.put(hash, p)); // an unknown key is not remembered: it may be issued next
        return found;
    }

    private Optional<Principal> lookUp(String keyHash) {
        return jdbc.query("SELECT p.id, p.name, p.scopes FROM api_key k JOIN partner p ON p.id = k.partner_id "
                        + "WHERE k.key_hash = ? AND k.revoked_at IS NULL",
                (rs, i) -> new Principal(rs.getString("id"), rs.getString("name"), parseScopes(rs.getString("scopes"))),
                keyHash).stream().findFirst();
    }

    @Transactional
    public IssuedPartner create(String name, List<String> scopes) {
        requireName(name);
        if (reservedName.test(name)) {
            throw ApiException.unprocessable("name: '" + name + "' is a channel or connection of the hub's own; a partner's "
                    + "name is the channel it reports for, so choose another");
        }
        Set<String> checked = checkScopes(scopes);
        String id = "ptn_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try {
            jdbc.update("INSERT INTO partner (id, name, scopes, created_at) VALUES (?, ?, ?, ?)", id, name,
                    String.join(" ", checked), now());
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("a partner named '" + name + "' already exists");
        }
        IssuedKey key = issueKey(id);
        return new IssuedPartner(find(id).orElseThrow(), key);
    }

    public record IssuedPartner(Partner partner, IssuedKey key) {
    }

    public List<Partner> list() {
        return jdbc.query("SELECT id FROM partner ORDER BY name", (rs, i) -> rs.getString("id")).stream()
                .map(id -> find(id).orElseThrow()).toList();
    }

    public Optional<Partner> find(String id) {
        List<KeyInfo> keys = jdbc.query(
                "SELECT key_id, created_at, revoked_at FROM api_key WHERE partner_id = ? ORDER BY created_at",
                (rs, i) -> new KeyInfo(rs.getString("key_id"), rs.getObject("created_at", OffsetDateTime.class),
                        rs.getObject("revoked_at", OffsetDateTime.class)), id);
        return jdbc.query("SELECT * FROM partner WHERE id = ?",
                (rs, i) -> new Partner(rs.getString("id"), rs.getString("name"), parseScopes(rs.getString("scopes")),
                        rs.getObject("created_at", OffsetDateTime.class), keys), id).stream().findFirst();
    }

    public Partner updateScopes(String id, List<String> scopes) {
        Set<String> checked = checkScopes(scopes);
        if (jdbc.update("UPDATE partner SET scopes = ? WHERE id = ?", String.join(" ", checked), id) == 0) {
            throw ApiException.notFound("no partner " + id);
        }
        authenticated.invalidateAll();
        return find(id).orElseThrow();
    }

    public IssuedKey issueKey(String partnerId) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String apiKey = "unison_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new IssuedKey(storeKey(partnerId, apiKey), apiKey);
    }

    public void revokeKey(String partnerId, String keyId) {
        int n = jdbc.update("UPDATE api_key SET revoked_at = ? WHERE key_id = ? AND partner_id = ? AND revoked_at IS NULL",
                now(), keyId, partnerId);
        if (n == 0) {
            throw ApiException.notFound("no active key " + keyId + " for partner " + partnerId);
        }
        authenticated.invalidateAll();
    }

    /**
     * Makes sure the {@code bootstrap} partner exists with every scope and holds {@code apiKey}
     * (from {@code UNISON_BOOTSTRAP_API_KEY}); other keys of that partner stay as they are.
     */
    @Transactional
    public void ensureBootstrap(String apiKey) {
        if (apiKey.length() < 16) {
            throw new IllegalStateException("UNISON_BOOTSTRAP_API_KEY must be at least 16 characters");
        }
        // instances starting together on a fresh database each get here: every write tolerates the others'
        String allScopes = String.join(" ", scopes.allWireNames());
        jdbc.update("INSERT INTO partner (id, name, scopes, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                "ptn_bootstrap", BOOTSTRAP, allScopes, now());
        String id = jdbc.queryForObject("SELECT id FROM partner WHERE name = ?", String.class, BOOTSTRAP);
        jdbc.update("UPDATE partner SET scopes = ? WHERE id = ?", allScopes, id);
        String keyId = "key_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        jdbc.update("INSERT INTO api_key (key_id, partner_id, key_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                keyId, id, hash(apiKey), now());
        jdbc.update("UPDATE api_key SET partner_id = ?, revoked_at = NULL WHERE key_hash = ?", id, hash(apiKey));
        authenticated.invalidateAll();
    }

    private String storeKey(String partnerId, String apiKey) {
        String keyId = "key_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        jdbc.update("INSERT INTO api_key (key_id, partner_id, key_hash, created_at) VALUES (?, ?, ?, ?)", keyId,
                partnerId, hash(apiKey), now());
        return keyId;
    }

    static String hash(String apiKey) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.unprocessable("name: must match " + NAME.pattern());
        }
    }

    private Set<String> checkScopes(List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            throw ApiException.unprocessable("scopes: at least one of " + scopes.allWireNames());
        }
        Set<String> checked = new LinkedHashSet<>();
        for (String s : requested) {
            checked.add(scopes.byWireName(s).orElseThrow(() -> ApiException.unprocessable(
                    "scopes: unknown scope '" + s + "', expected one of " + scopes.allWireNames())).wireName());
        }
        return checked;
    }

    private static Set<String> parseScopes(String stored) {
        return new LinkedHashSet<>(Arrays.asList(stored.trim().split("\\s+")));
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
