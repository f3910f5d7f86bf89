package dev.unison.attribution;

import java.util.Locale;

/**
 * How an order's credit is shared among the touches that qualify for it: all of it to the last
 * (the default, as retail media networks report) or the first, or equal shares to each (linear).
 */
public enum AttributionModel {
    LAST_TOUCH, FIRST_TOUCH, LINEAR;

    /** The API's name: {@code last_touch}, {@code first_touch}, {@code linear}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AttributionModel fromWireName(String value) {
        for (AttributionModel m : values()) {
            if (m.wireName().equals(value)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown attribution model '" + value + "' (last_touch, first_touch or linear)");
    }
}
