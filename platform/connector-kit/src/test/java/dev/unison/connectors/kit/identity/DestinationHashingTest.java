package dev.unison.connectors.kit.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Expected values are either published vectors (source named next to them) or were computed
 * independently in a shell and hard-coded:
 * {@code printf '%s' VALUE | sha256sum} for hex and
 * {@code printf '%s' VALUE | sha256sum | cut -d' ' -f1 | xxd -r -p | base64} for Base64.
 */
class DestinationHashingTest {

    // --- published vectors -------------------------------------------------------------------

    /** Amazon Marketing Cloud docs example: sha256("abc@example.com"); also re-computed with sha256sum. */
    private static final String ABC_EXAMPLE_HEX = "9eceb13483d7f187ec014fd6d4854d1420cfc634328af85f51d0323ba8622e21";

    /** X "Custom Audiences User Data": hashlib.sha256("adsapi").hexdigest(). */
    private static final String X_ADSAPI_HEX = "49e0be2aeccfb51a8dee4c945c8a70a9ac500cf6f5cb08112575f74db9b1470d";

    /** TikTok customer-file help page: normalized "janedoe@gmail.com" hashed; also re-computed with sha256sum. */
    private static final String TIKTOK_JANEDOE_GMAIL_HEX = "d6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69";

    // UID2 "Normalization and Encoding" (IABTechLab/uid2docs docs/getting-started/gs-normalization-encoding.md)
    private static final String UID2_USER_EXAMPLE_HEX = "b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514";
    private static final String UID2_USER_EXAMPLE_B64 = "tMmiiTI7IaAcPpQPFQ65uMVCWH8av9jw4cwf/F5HVRQ=";
    private static final String UID2_PHONE_HEX = "10e6f0b47054a83359477dcb35231db6de5c69fb1816e1a6b98e192de9e5b9ee";
    private static final String UID2_PHONE_B64 = "EObwtHBUqDNZR33LNSMdtt5cafsYFuGmuY4ZLenlue4=";
    private static final String UID2_JANESAOIRSE_GMAIL_B64 = "ku4mBX7Z3qJTXWyLFB1INzkyR2WZGW4ANSJUiW21iI8=";
    private static final String UID2_UNNORMALIZED_JANESAOIRSE_B64 = "VpLXEp5N1bj/V1WzjgZsC+FfuYdntAOywSVIO00FD/E=";
    private static final String UID2_MY_DOT_EMAIL_EXAMPLE_B64 = "4itTvG+HEnTzpiqzejyu1yFPwU1nYhWpaiQvz62hyB8=";
    private static final String UID2_JANE_DOT_SAOIRSE_EXAMPLE_B64 = "sZZDLHuYmiypHIN5mVfFFdpT5sE6vyC3j+qU8RfpC/g=";
    private static final String UID2_JANESAOIRSE_PLUS_WORK_EXAMPLE_B64 = "KKruSBUjDNO069iMUVImVQZm6RrAGZKeOtrD9mwogYA=";

    // --- computed locally with sha256sum (see class comment) ---------------------------------

    /** printf '%s' '+14155550100' | sha256sum */
    private static final String PLUS_14155550100_HEX = "40d3f4e02db27d66cf4cfdda506c2c945f115a7955cc8491dda98ce5beabcda0";
    /** printf '%s' '+14155550100' | sha256sum | cut -d' ' -f1 | xxd -r -p | base64 */
    private static final String PLUS_14155550100_B64 = "QNP04C2yfWbPTP3aUGwslF8RWnlVzISR3amM5b6rzaA=";
    /** printf '%s' '14155550100' | sha256sum */
    private static final String DIGITS_14155550100_HEX = "5e7ec4c79ccac6e420876e65ad0e6b4b2ccf73ec3dccb50297bf2890a1ec73b9";
    /** printf '%s' 'jane.doe+promo@gmail.com' | sha256sum */
    private static final String JANE_DOT_DOE_PLUS_PROMO_GMAIL_HEX = "5f0d1df1fc49e30424381b57b1d4c73e067772a4267dde043a19b026935602c8";
    /** printf '%s' 'janedoe+promo@gmail.com' | sha256sum */
    private static final String JANEDOE_PLUS_PROMO_GMAIL_HEX = "3a627126a4392d8cec5f5d4eaa26639d3cfe852ebf1f1b49c3ffa61667798637";
    /** printf '%s' 'janedoe+promo@googlemail.com' | sha256sum */
    private static final String JANEDOE_PLUS_PROMO_GOOGLEMAIL_HEX = "af7251bab4ed9a9c692e52e4b1fe8274ef703f401138aed1ad1f0b9538d9f0ed";
    /** printf '%s' 'jane.doe+promo@googlemail.com' | sha256sum | cut -d' ' -f1 | xxd -r -p | base64 */
    private static final String JANE_DOT_DOE_PLUS_PROMO_GOOGLEMAIL_B64 = "i8ErfqMg2zmHXcLuSRXyPz/TVTawK5Zpe0szTHlZZDM=";
    /** printf '%s' 'jane.doe@example.com' | sha256sum */
    private static final String JANE_DOT_DOE_EXAMPLE_HEX = "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d";
    /** printf '%s' 'jane.oneil+news@example.com' | sha256sum (Amazon strips the apostrophe) */
    private static final String JANE_ONEIL_PLUS_NEWS_EXAMPLE_HEX = "a27b58215e433e2b08a81378dd6232c830711f1fe52104c9a19052127e25b5ab";
    /** printf '%s' "jane.o'neil+news@example.com" | sha256sum (every other hex destination keeps it) */
    private static final String JANE_O_APOS_NEIL_PLUS_NEWS_EXAMPLE_HEX = "e7e514bb074387eefa51ff2423ff47014830c2bcc7cf719b32e036f26413daf0";
    /** printf '%s' 'abc@example.com' | sha256sum | cut -d' ' -f1 | xxd -r -p | base64 */
    private static final String ABC_EXAMPLE_B64 = "ns6xNIPX8YfsAU/W1IVNFCDPxjQyivhfUdAyO6hiLiE=";

    private static Identifier email(String v) {
        return new Identifier(IdentifierType.EMAIL, v);
    }

    private static Identifier phone(String v) {
        return new Identifier(IdentifierType.PHONE, v);
    }

    private static Optional<String> hash(Destination d, Identifier id) {
        return DestinationHashing.hashedForm(d, id);
    }

    @Nested
    class Helpers {

        @Test
        void sha256HexMatchesPublishedVectors() {
            assertThat(DestinationHashing.sha256Hex("abc@example.com")).isEqualTo(ABC_EXAMPLE_HEX);
            assertThat(DestinationHashing.sha256Hex("adsapi")).isEqualTo(X_ADSAPI_HEX);
            assertThat(DestinationHashing.sha256Hex("user@example.com")).isEqualTo(UID2_USER_EXAMPLE_HEX);
            assertThat(DestinationHashing.sha256Hex("+12345678901")).isEqualTo(UID2_PHONE_HEX);
        }

        @Test
        void sha256Base64IsTheRaw32BytesNotTheHexText() {
            assertThat(DestinationHashing.sha256Base64("user@example.com")).isEqualTo(UID2_USER_EXAMPLE_B64).hasSize(44);
            assertThat(DestinationHashing.sha256Base64("+12345678901")).isEqualTo(UID2_PHONE_B64).hasSize(44);
            // UID2 docs: the un-normalized value yields a different (useless) hash
            assertThat(DestinationHashing.sha256Base64("JANESaoirse@gmail.com")).isEqualTo(UID2_UNNORMALIZED_JANESAOIRSE_B64);
        }

        @Test
        void hexIsLowercase() {
            assertThat(DestinationHashing.sha256Hex("abc@example.com")).matches("[0-9a-f]{64}");
        }
    }

    @Nested
    class Meta {

        @Test
        void emailIsHashedAsIsWithoutGmailRules() {
            assertThat(hash(Destination.META, email("abc@example.com"))).contains(ABC_EXAMPLE_HEX);
            assertThat(hash(Destination.META, email("jane.doe+promo@gmail.com"))).contains(JANE_DOT_DOE_PLUS_PROMO_GMAIL_HEX);
        }

        @Test
        void phoneIsDigitsOnlyWithoutPlus() {
            assertThat(hash(Destination.META, phone("+14155550100"))).contains(DIGITS_14155550100_HEX);
        }
    }

    @Nested
    class Google {

        @Test
        void gmailLocalPartLosesDotsButKeepsPlusTag() {
            assertThat(hash(Destination.GOOGLE, email("jane.doe+promo@gmail.com"))).contains(JANEDOE_PLUS_PROMO_GMAIL_HEX);
        }

        @Test
        void googlemailLocalPartLosesDotsToo() {
            assertThat(hash(Destination.GOOGLE, email("jane.doe+promo@googlemail.com"))).contains(JANEDOE_PLUS_PROMO_GOOGLEMAIL_HEX);
        }

        @Test
        void otherDomainsKeepDots() {
            assertThat(hash(Destination.GOOGLE, email("jane.doe@example.com"))).contains(JANE_DOT_DOE_EXAMPLE_HEX);
            assertThat(hash(Destination.GOOGLE, email("abc@example.com"))).contains(ABC_EXAMPLE_HEX);
        }

        @Test
        void phoneIsE164WithPlus() {
            assertThat(hash(Destination.GOOGLE, phone("+14155550100"))).contains(PLUS_14155550100_HEX);
        }
    }

    @Nested
    class Uid2 {

        @Test
        void publishedEmailVector() {
            assertThat(hash(Destination.UID2, email("user@example.com"))).contains(UID2_USER_EXAMPLE_B64);
        }

        @Test
        void publishedPhoneVector() {
            assertThat(hash(Destination.UID2, phone("+12345678901"))).contains(UID2_PHONE_B64);
        }

        @Test
        void gmailDotsAndPlusTagAreRemoved() {
            // UID2 docs: jane.saoirse@gmail.com and janesaoirse+work@gmail.com both normalize to janesaoirse@gmail.com
            assertThat(hash(Destination.UID2, email("jane.saoirse@gmail.com"))).contains(UID2_JANESAOIRSE_GMAIL_B64);
            assertThat(hash(Destination.UID2, email("janesaoirse+work@gmail.com"))).contains(UID2_JANESAOIRSE_GMAIL_B64);
            assertThat(hash(Destination.UID2, email("janesaoirse@gmail.com"))).contains(UID2_JANESAOIRSE_GMAIL_B64);
        }

        @Test
        void otherDomainsKeepDotsAndPlusTag() {
            // UID2 docs example table
            assertThat(hash(Destination.UID2, email("my.email@example.com"))).contains(UID2_MY_DOT_EMAIL_EXAMPLE_B64);
            assertThat(hash(Destination.UID2, email("jane.saoirse@example.com"))).contains(UID2_JANE_DOT_SAOIRSE_EXAMPLE_B64);
            assertThat(hash(Destination.UID2, email("janesaoirse+work@example.com"))).contains(UID2_JANESAOIRSE_PLUS_WORK_EXAMPLE_B64);
        }

        @Test
        void googlemailIsNotTreatedAsGmail() {
            assertThat(hash(Destination.UID2, email("jane.doe+promo@googlemail.com"))).contains(JANE_DOT_DOE_PLUS_PROMO_GOOGLEMAIL_B64);
        }

        @Test
        void otherPhoneIsBase64OfPlusE164() {
            assertThat(hash(Destination.UID2, phone("+14155550100"))).contains(PLUS_14155550100_B64);
        }
    }

    @Nested
    class TikTok {

        @Test
        void emailIsHashedAsIs() {
            assertThat(hash(Destination.TIKTOK, email("janedoe@gmail.com"))).contains(TIKTOK_JANEDOE_GMAIL_HEX);
            assertThat(hash(Destination.TIKTOK, email("jane.doe+promo@gmail.com"))).contains(JANE_DOT_DOE_PLUS_PROMO_GMAIL_HEX);
        }

        @Test
        void phoneIsE164WithPlus() {
            assertThat(hash(Destination.TIKTOK, phone("+14155550100"))).contains(PLUS_14155550100_HEX);
        }
    }

    @Nested
    class Snap {

        @Test
        void emailIsHashedAsIs() {
            assertThat(hash(Destination.SNAP, email("abc@example.com"))).contains(ABC_EXAMPLE_HEX);
        }

        @Test
        void phoneIsDigitsOnlyWithCountryCode() {
            assertThat(hash(Destination.SNAP, phone("+14155550100"))).contains(DIGITS_14155550100_HEX);
        }
    }

    @Nested
    class Amazon {

        @Test
        void publishedAmcVector() {
            assertThat(hash(Destination.AMAZON, email("abc@example.com"))).contains(ABC_EXAMPLE_HEX);
        }

        @Test
        void emailLosesCharactersOutsideTheAllowedSet() {
            // apostrophe is outside [a-z0-9.@+-]; dots and the plus tag stay
            assertThat(hash(Destination.AMAZON, email("jane.o'neil+news@example.com"))).contains(JANE_ONEIL_PLUS_NEWS_EXAMPLE_HEX);
            assertThat(hash(Destination.META, email("jane.o'neil+news@example.com"))).contains(JANE_O_APOS_NEIL_PLUS_NEWS_EXAMPLE_HEX);
        }

        @Test
        void noGmailRules() {
            assertThat(hash(Destination.AMAZON, email("jane.doe+promo@gmail.com"))).contains(JANE_DOT_DOE_PLUS_PROMO_GMAIL_HEX);
        }

        @Test
        void phoneIsDigitsOnly() {
            assertThat(hash(Destination.AMAZON, phone("+14155550100"))).contains(DIGITS_14155550100_HEX);
        }
    }

    @Nested
    class X {

        @Test
        void emailIsHashedAsIs() {
            assertThat(hash(Destination.X, email("abc@example.com"))).contains(ABC_EXAMPLE_HEX);
        }

        @Test
        void noPhoneKey() {
            assertThat(hash(Destination.X, phone("+14155550100"))).isEmpty();
        }
    }

    @Nested
    class OtherTypes {

        @ParameterizedTest
        @EnumSource(Destination.class)
        void loyaltyIdAndOtherNonContactTypesGiveNothing(Destination d) {
            assertThat(hash(d, new Identifier(IdentifierType.LOYALTY_ID, "LOY-000123"))).isEmpty();
            assertThat(hash(d, new Identifier(IdentifierType.DEVICE_ID, "4b61639e-47cc-4056-a16a-c8217e029462"))).isEmpty();
            assertThat(hash(d, new Identifier(IdentifierType.PAYMENT_TOKEN, "tok_abc"))).isEmpty();
            assertThat(hash(d, new Identifier(IdentifierType.CHANNEL_CUSTOMER_ID, "shopify:demo:42"))).isEmpty();
            assertThat(hash(d, new Identifier(IdentifierType.CLICK_ID, "gclid-xyz"))).isEmpty();
        }

        @ParameterizedTest
        @EnumSource(Destination.class)
        void hashedPhoneIsNotForwardedBecauseItsPlusFormIsUnknown(Destination d) {
            assertThat(hash(d, new Identifier(IdentifierType.HASHED_PHONE, PLUS_14155550100_HEX))).isEmpty();
        }

        @ParameterizedTest
        @EnumSource(value = Destination.class, names = "UID2", mode = EnumSource.Mode.EXCLUDE)
        void hashedEmailPassesThroughForHexDestinations(Destination d) {
            assertThat(hash(d, new Identifier(IdentifierType.HASHED_EMAIL, ABC_EXAMPLE_HEX))).contains(ABC_EXAMPLE_HEX);
        }

        @Test
        void hashedEmailIsConvertedHexToBase64ForUid2() {
            // UID2 docs: hex b4c9a2... of user@example.com is tMmiiTI7... in Base64
            assertThat(hash(Destination.UID2, new Identifier(IdentifierType.HASHED_EMAIL, UID2_USER_EXAMPLE_HEX)))
                    .contains(UID2_USER_EXAMPLE_B64);
            assertThat(hash(Destination.UID2, new Identifier(IdentifierType.HASHED_EMAIL, ABC_EXAMPLE_HEX)))
                    .contains(ABC_EXAMPLE_B64);
        }

        @Test
        void hashedEmailConversionAgreesWithHashingTheEmail() {
            String hex = DestinationHashing.sha256Hex("user@example.com");
            assertThat(hash(Destination.UID2, new Identifier(IdentifierType.HASHED_EMAIL, hex)))
                    .isEqualTo(hash(Destination.UID2, email("user@example.com")));
        }
    }

    @Nested
    class Rejection {

        @ParameterizedTest
        @EnumSource(Destination.class)
        void uppercaseEmailIsRejected(Destination d) {
            assertThatThrownBy(() -> hash(d, email("JANESaoirse@gmail.com")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("uppercase")
                    .hasMessageNotContaining("JANESaoirse");
        }

        @ParameterizedTest
        @ValueSource(strings = {" abc@example.com", "abc@example.com ", "\tabc@example.com", "abc@example.com\n"})
        void emailWithSurroundingWhitespaceIsRejected(String value) {
            assertThatThrownBy(() -> hash(Destination.META, email(value)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("whitespace");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "abc", "@example.com", "abc@"})
        void valueWithoutLocalPartAndDomainIsRejected(String value) {
            assertThatThrownBy(() -> hash(Destination.GOOGLE, email(value)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not an email address");
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "14155550100",        // no '+'
            "+1 415 555 0100",    // spaces
            "+1-415-555-0100",    // punctuation
            "+(1)4155550100",
            "+04155550100",       // leading zero country code
            "+123456",            // 6 digits: too short
            "+1234567890123456",  // 16 digits: over E.164's 15
            " +14155550100",
            "0014155550100"})
        void nonE164PhoneIsRejected(String value) {
            for (Destination d : Destination.values()) {
                assertThatThrownBy(() -> hash(d, phone(value)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("E.164");
            }
        }

        @Test
        void e164LengthBoundsAreAccepted() {
            assertThat(hash(Destination.GOOGLE, phone("+1234567"))).isPresent();          // 7 digits
            assertThat(hash(Destination.GOOGLE, phone("+123456789012345"))).isPresent();  // 15 digits
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "9ECEB13483D7F187EC014FD6D4854D1420CFC634328AF85F51D0323BA8622E21", // uppercase hex
            "9eceb13483d7f187ec014fd6d4854d1420cfc634328af85f51d0323ba8622e2",  // 63 chars
            "abc@example.com",
            "ns6xNIPX8YfsAU/W1IVNFCDPxjQyivhfUdAyO6hiLiE="})
        void hashedEmailThatIsNotLowercaseSha256HexIsRejected(String value) {
            assertThatThrownBy(() -> hash(Destination.UID2, new Identifier(IdentifierType.HASHED_EMAIL, value)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("HASHED_EMAIL");
        }
    }
}
