package dev.unison.canonical.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

public enum LocationType {
    STORE, WAREHOUSE;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static LocationType fromWireName(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
