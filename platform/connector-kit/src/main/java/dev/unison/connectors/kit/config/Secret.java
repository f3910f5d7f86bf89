package dev.unison.connectors.kit.config;

import java.util.Objects;

/**
 * A credential from an environment variable or a file. It never shows itself: {@code toString()}
 * is masked, so a secret cannot end up in a log line, an exception message or an API answer by
 * accident; {@link #reveal()} is the one deliberate way to read it.
 */
public final class Secret {

    private final String value;

    public Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "******";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && java.security.MessageDigest.isEqual(
                value.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                other.value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return 0; // equal secrets must hash alike, and a hash must not leak the value
    }
}
