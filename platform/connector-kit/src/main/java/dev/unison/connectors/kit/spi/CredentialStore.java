package dev.unison.connectors.kit.spi;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a connection learned about its own credentials while running, kept by the hub across
 * restarts: tokens an external system rotated (a refreshed OAuth access token, a new refresh
 * token) and whether the external side revoked the connection. Without it a restart would go back
 * to the credentials in the connections file and write again to a shop that had revoked the app.
 *
 * <p>The hub stores values encrypted at rest; a connector only sees plain strings. Keys are short
 * names chosen by the connector ({@code accessToken}, {@code refreshToken}, ...).
 */
public interface CredentialStore {

    /** The connection was revoked by the external side (or its credentials refused for good), since when and why. */
    record Deauthorization(Instant since, String reason) {
    }

    Optional<String> get(String connectionId, String key);

    /** Sets several values of one connection at once (a token rotation is one change: both tokens or neither). */
    void putAll(String connectionId, Map<String, String> values);

    /** Forgets every stored value of the connection (its configured credentials apply again). */
    void clear(String connectionId);

    /** The connection's deauthorization, if it is deauthorized. */
    Optional<Deauthorization> deauthorization(String connectionId);

    /** Marks the connection deauthorized; an existing deauthorization keeps its first time and reason. */
    Deauthorization deauthorize(String connectionId, String reason);

    /** Lifts a deauthorization (the connection was authorised again). */
    void reauthorize(String connectionId);

    /** A store that lives as long as the process, for tests and tools without a hub. */
    static CredentialStore inMemory(java.time.Clock clock) {
        return new CredentialStore() {
            private final Map<String, String> values = new ConcurrentHashMap<>();
            private final Map<String, Deauthorization> states = new ConcurrentHashMap<>();

            @Override
            public Optional<String> get(String connectionId, String key) {
                return Optional.ofNullable(values.get(connectionId + "\u0000" + key));
            }

            @Override
            public void putAll(String connectionId, Map<String, String> entries) {
                entries.forEach((k, v) -> values.put(connectionId + "\u0000" + k, v));
            }

            @Override
            public void clear(String connectionId) {
                values.keySet().removeIf(k -> k.startsWith(connectionId + "\u0000"));
            }

            @Override
            public Optional<Deauthorization> deauthorization(String connectionId) {
                return Optional.ofNullable(states.get(connectionId));
            }

            @Override
            public Deauthorization deauthorize(String connectionId, String reason) {
                return states.computeIfAbsent(connectionId, id -> new Deauthorization(clock.instant(), reason));
            }

            @Override
            public void reauthorize(String connectionId) {
                states.remove(connectionId);
            }
        };
    }
}
