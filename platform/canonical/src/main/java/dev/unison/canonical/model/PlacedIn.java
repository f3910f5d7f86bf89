package dev.unison.canonical.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where an order was placed: in a store (a till, Shopify POS) or online (web shop, app,
 * marketplace). Revenue is split by it, whatever the channel.
 */
public enum PlacedIn {
    STORE, ONLINE;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static PlacedIn fromWireName(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
