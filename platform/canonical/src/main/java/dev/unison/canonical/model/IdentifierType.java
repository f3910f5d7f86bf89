package dev.unison.canonical.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The kinds of identifier a shopper can be known by. The JSON form is the lower-case name. */
public enum IdentifierType {
    EMAIL,
    /** SHA-256 hex of a normalized email, as retail media networks exchange it. */
    HASHED_EMAIL,
    /** E.164 phone number. */
    PHONE,
    HASHED_PHONE,
    LOYALTY_ID,
    DEVICE_ID,
    PAYMENT_TOKEN,
    /** A customer id inside one channel account, e.g. {@code shopify:<shop>:<id>}. */
    CHANNEL_CUSTOMER_ID,
    /** An ad click id (gclid-style) from a retail media network. */
    CLICK_ID;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static IdentifierType fromWireName(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
