package dev.unison.canonical.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.unison.canonical.model.IdentifierType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdentifierNormalizerTest {

    private final IdentifierNormalizer normalizer = new IdentifierNormalizer("US");

    @Test
    void emailIsTrimmedAndLowerCasedButOtherwiseKept() {
        assertThat(normalizer.normalize(IdentifierType.EMAIL, " Jane.Doe+shop@Example.com ").value())
                .isEqualTo("jane.doe+shop@example.com");
        assertThat(normalizer.normalize(IdentifierType.EMAIL, "J.Doe@GMAIL.com").value())
                .as("gmail dots are a matching option, never removed from the stored value").isEqualTo("j.doe@gmail.com");
    }

    @ParameterizedTest
    @ValueSource(strings = {"(415) 555-0100", "+1 415-555-0100", "415.555.0100", "+14155550100", "1 (415) 555 0100",
            "  415 555 0100 "})
    void usPhoneFormatsBecomeOneE164Value(String raw) {
        assertThat(normalizer.normalize(IdentifierType.PHONE, raw).value()).isEqualTo("+14155550100");
    }

    @Test
    void theSameDigitsWithAndWithoutAPlusAreDifferentNumbers() {
        assertThat(normalizer.normalize(IdentifierType.PHONE, "(415) 555-0100").value()).isEqualTo("+14155550100");
        assertThat(normalizer.normalize(IdentifierType.PHONE, "+44 20 7946 0958").value()).isEqualTo("+442079460958");
        assertThat(normalizer.normalize(IdentifierType.PHONE, "+1 415 555 0100 ext. 7").value()).isEqualTo("+14155550100");
        assertThatThrownBy(() -> normalizer.normalize(IdentifierType.PHONE, "442079460958"))
                .as("not read from the cached +44 number").hasMessageContaining("not a valid phone number");
    }

    @Test
    void phonesWithACountryCodeIgnoreTheDefaultRegion() {
        assertThat(normalizer.normalize(IdentifierType.PHONE, "+44 20 7946 0958").value()).isEqualTo("+442079460958");
        assertThat(new IdentifierNormalizer("GB").normalize(IdentifierType.PHONE, "020 7946 0958").value())
                .isEqualTo("+442079460958");
        assertThat(new IdentifierNormalizer("AU").normalize(IdentifierType.PHONE, "(02) 1234 5678").value())
                .as("UID2's documented example").isEqualTo("+61212345678");
    }

    @Test
    void otherTypes() {
        assertThat(normalizer.normalize(IdentifierType.DEVICE_ID, "6D92078A-8246-4BA4-AE5B-76104861E7DC").value())
                .isEqualTo("6d92078a-8246-4ba4-ae5b-76104861e7dc");
        assertThat(normalizer.normalize(IdentifierType.LOYALTY_ID, " l-000 123 ").value()).isEqualTo("L-000123");
        assertThat(normalizer.normalize(IdentifierType.CHANNEL_CUSTOMER_ID, "Shopify:My-Shop.myshopify.com:Ab:42").value())
                .as("channel and account case-insensitive, the id as given").isEqualTo("shopify:my-shop.myshopify.com:Ab:42");
        assertThat(normalizer.normalize(IdentifierType.PAYMENT_TOKEN, " fp_AbC ").value()).isEqualTo("fp_AbC");
        assertThat(normalizer.normalize(IdentifierType.HASHED_EMAIL,
                "9ECEB13483D7F187EC014FD6D4854D1420CFC634328AF85F51D0323BA8622E21").value())
                .isEqualTo("9eceb13483d7f187ec014fd6d4854d1420cfc634328af85f51d0323ba8622e21");
    }

    @Test
    void invalidValuesAreRefusedWithTheTypeAndReason() {
        assertThatThrownBy(() -> normalizer.normalize(IdentifierType.EMAIL, "jane at example"))
                .hasMessage("email 'jane at example' is not an email address (local@domain.tld)");
        assertThatThrownBy(() -> normalizer.normalize(IdentifierType.PHONE, "call me"))
                .hasMessageStartingWith("phone 'call me' is not a phone number");
        assertThatThrownBy(() -> normalizer.normalize(IdentifierType.PHONE, "123"))
                .hasMessageStartingWith("phone '123' is not");
        assertThatThrownBy(() -> normalizer.normalize(IdentifierType.HASHED_EMAIL, "abc"))
                .hasMessageContaining("not a SHA-256 hex digest");
        assertThatThrownBy(() -> normalizer.normalize(IdentifierType.CHANNEL_CUSTOMER_ID, "42"))
                .hasMessageContaining("<channel>:<account>:<id>");
        assertThatThrownBy(() -> normalizer.normalize(IdentifierType.CHANNEL_CUSTOMER_ID, "shopify::"))
                .hasMessageContaining("<channel>:<account>:<id>");
        assertThatThrownBy(() -> normalizer.normalize(IdentifierType.CHANNEL_CUSTOMER_ID, "shopify:42"))
                .hasMessageContaining("<channel>:<account>:<id>");
        assertThatThrownBy(() -> normalizer.normalize(IdentifierType.EMAIL, "\u0130".repeat(300) + "@example.com"))
                .as("too long once lower-cased").hasMessageContaining("once normalized");
        assertThatThrownBy(() -> normalizer.normalize(IdentifierType.EMAIL, "  "))
                .hasMessage("email '  ' is empty");
        assertThatThrownBy(() -> new IdentifierNormalizer("XX")).hasMessageContaining("unknown phone region 'XX'");
    }
}
