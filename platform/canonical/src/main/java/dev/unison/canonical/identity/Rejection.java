package dev.unison.canonical.identity;

import dev.unison.canonical.model.Identifier;
import java.util.Locale;

/** An identifier of an observation that was not used, and why. */
public record Rejection(Identifier identifier, Reason reason, String detail) {

    public enum Reason {
        /** cannot be normalized (not an email, not a phone number, ...) */
        INVALID,
        /** a placeholder value on the blocked list or matching a blocked pattern */
        BLOCKED,
        /** would have broken a limit or cap, so it was neither matched on nor stored */
        DEMOTED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
