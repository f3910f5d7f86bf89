package dev.unison.connectors.kit.log;

/**
 * Makes an untrusted value (webhook header, partner input, remote error text) safe to put in a log
 * line: a NUL, a newline or a right-to-left override from outside could otherwise forge log lines
 * or reorder what an operator reads (OWASP "Log Injection", CWE-117; Unicode bidi controls per
 * Unicode Technical Report #36 and CVE-2021-42574, "Trojan Source").
 *
 * <p>Every C0 control (U+0000–U+001F, tab included), DEL (U+007F), C1 control (U+0080–U+009F),
 * bidi control (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), line and paragraph separator
 * (U+2028, U+2029), byte-order mark (U+FEFF) and lone surrogate becomes {@code \\uXXXX}; a backslash
 * becomes {@code \\\\} so an escaped value cannot be mistaken for an escaped control. Values longer
 * than {@link #MAX_LENGTH} characters are cut and end with {@code …(+N chars)}. Plain Java: usable
 * by connectors and the hub alike.
 */
public final class LogSafe {

    /** Characters of the original value kept in a log line. */
    public static final int MAX_LENGTH = 300;

    private LogSafe() {
    }

    /** The value escaped and capped at {@link #MAX_LENGTH} characters; {@code null} stays {@code "null"}. */
    public static String of(Object value) {
        return of(value, MAX_LENGTH);
    }

    public static String of(Object value, int maxLength) {
        if (value == null) {
            return "null";
        }
        String s = value.toString();
        int end = Math.min(s.length(), maxLength);
        if (end < s.length() && end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--; // never split a surrogate pair at the cut
        }
        StringBuilder out = null;
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            boolean unsafe = c == '\\' || needsEscape(s, i, end);
            if (unsafe && out == null) {
                out = new StringBuilder(end + 16).append(s, 0, i);
            }
            if (out != null) {
                if (c == '\\') {
                    out.append("\\\\");
                } else if (unsafe) {
                    out.append(String.format("\\u%04X", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        String kept = out == null ? s.substring(0, end) : out.toString();
        return end < s.length() ? kept + "…(+" + (s.length() - end) + " chars)" : kept;
    }

    /**
     * A stand-in for {@code failure} to hand to a logger: its stack trace and causes, every message
     * escaped (exception messages often quote the input that caused them) and prefixed with the
     * original class name (a logger prints {@code LogSafe$Escaped: java.lang.X: message}).
     * {@code null} stays {@code null}.
     */
    public static Throwable throwable(Throwable failure) {
        return failure == null ? null : copy(failure, 0);
    }

    private static Throwable copy(Throwable failure, int depth) {
        String text = failure.getMessage() == null ? failure.getClass().getName()
                : failure.getClass().getName() + ": " + of(failure.getMessage(), 1000);
        Throwable cause = failure.getCause() == null || failure.getCause() == failure || depth >= 10
                ? null : copy(failure.getCause(), depth + 1);
        Throwable safe = new Escaped(text, cause);
        safe.setStackTrace(failure.getStackTrace());
        return safe;
    }

    /** Prints as the original would ({@code class: message}), with the message escaped. */
    private static final class Escaped extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String text;

        Escaped(String text, Throwable cause) {
            super(text, cause, false, true);
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** True when the character at {@code i} must not appear raw in a log line. */
    private static boolean needsEscape(String s, int i, int end) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= end || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return isUnsafe(c);
    }

    /** Controls, bidi controls, separators and the BOM: the characters {@link #of} escapes. */
    public static boolean isUnsafe(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F)
                || c == 0x061C || c == 0x200E || c == 0x200F
                || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)
                || c == 0x2028 || c == 0x2029 || c == 0xFEFF;
    }
}
