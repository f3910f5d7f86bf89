package dev.unison.canonical.model;

import java.util.Objects;

/** A typed identifier, e.g. {@code email:jane.doe@example.com}. Normalization happens before construction. */
public record Identifier(IdentifierType type, String value) {

    public Identifier {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }

    /** Parses the {@code type:value} form used in query strings. */
    public static Identifier parse(String typed) {
        int colon = typed.indexOf(':');
        if (colon <= 0 || colon == typed.length() - 1) {
            throw new IllegalArgumentException("identifier must be <type>:<value>, got '" + typed + "'");
        }
        return new Identifier(IdentifierType.fromWireName(typed.substring(0, colon)), typed.substring(colon + 1));
    }

    @Override
    public String toString() {
        return type.wireName() + ":" + value;
    }
}
