package dev.unison.connectors.kit.log;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class LogSafeTest {

    @Property(tries = 2000)
    void theOutputNeverHoldsAControlBidiOrSeparatorCharacter(@ForAll("hostile") String value) {
        String safe = LogSafe.of(value);
        for (int i = 0; i < safe.length(); i++) {
            char c = safe.charAt(i);
            assertThat(LogSafe.isUnsafe(c)).as("char U+%04X at %d of %s", (int) c, i, safe).isFalse();
            if (Character.isHighSurrogate(c)) {
                assertThat(i + 1 < safe.length() && Character.isLowSurrogate(safe.charAt(i + 1))).as("paired surrogate").isTrue();
                i++;
            } else {
                assertThat(Character.isLowSurrogate(c)).as("lone low surrogate").isFalse();
            }
        }
        assertThat(safe.length()).isLessThanOrEqualTo(LogSafe.MAX_LENGTH * 6 + 32);
    }

    @Property(tries = 500)
    void safeTextUnderTheCapIsKeptAsItIs(@ForAll("plain") String value) {
        assertThat(LogSafe.of(value)).isEqualTo(value);
    }

    @Example
    void nulRloAndNewlineAreEscapedAndABackslashIsDoubled() {
        assertThat(LogSafe.of("a\u0000b\u202Ec\nd\\u0000")).isEqualTo("a\\u0000b\\u202Ec\\u000Ad\\\\u0000");
        assertThat(LogSafe.of("\u0085\u2028\u2066\uFEFF\u007F")).isEqualTo("\\u0085\\u2028\\u2066\\uFEFF\\u007F");
        assertThat(LogSafe.of(null)).isEqualTo("null");
    }

    @Example
    void longValuesAreCutAndSaySo() {
        String cut = LogSafe.of("x".repeat(LogSafe.MAX_LENGTH + 5));
        assertThat(cut).isEqualTo("x".repeat(LogSafe.MAX_LENGTH) + "…(+5 chars)");
    }

    @Example
    void anExceptionForTheLogKeepsItsStackAndCausesWithEscapedMessages() {
        IllegalStateException original = new IllegalStateException("bad sku 'A\nFAKE LINE'",
                new IllegalArgumentException("\u202Eevil"));

        Throwable safe = LogSafe.throwable(original);

        assertThat(safe.toString()).isEqualTo("java.lang.IllegalStateException: bad sku 'A\\u000AFAKE LINE'");
        assertThat(safe.getStackTrace()).isEqualTo(original.getStackTrace());
        assertThat(safe.getCause().toString()).isEqualTo("java.lang.IllegalArgumentException: \\u202Eevil");
        assertThat(LogSafe.throwable(null)).isNull();
    }

    @Provide
    Arbitrary<String> hostile() {
        Arbitrary<Character> dangerous = Arbitraries.of('\u0000', '\n', '\r', '\t', '\u001B', '\u007F', '\u0085', '\u009B',
                '\u061C', '\u200E', '\u200F', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067',
                '\u2068', '\u2069', '\u2028', '\u2029', '\uFEFF', '\uD800', '\uDC00', '\\');
        Arbitrary<Character> any = Arbitraries.chars().all();
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(3, dangerous), net.jqwik.api.Tuple.of(3, any),
                        net.jqwik.api.Tuple.of(4, Arbitraries.chars().alpha()))
                .list().ofMaxSize(LogSafe.MAX_LENGTH + 50)
                .map(cs -> {
                    StringBuilder b = new StringBuilder();
                    cs.forEach(b::append);
                    return b.toString();
                });
    }

    @Provide
    Arbitrary<String> plain() {
        return Arbitraries.strings().withCharRange(' ', '~').excludeChars('\\').ofMaxLength(LogSafe.MAX_LENGTH);
    }
}
