package dev.unison.canonical.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 15, finding 12: placeholders are blocked (never invalid) and relay emails are channel identifiers. */
class IdentityDoorsTest {

    private final IdentityResolver resolver = new IdentityResolver(new IdentifierNormalizer("US"), IdentityRules.defaults());
    private final InMemoryIdentityGraph graph = new InMemoryIdentityGraph();

    private Resolution see(String... typed) {
        List<Identifier> ids = new ArrayList<>();
        for (String t : typed) {
            ids.add(Identifier.parse(t));
        }
        return resolver.resolve(new Observation("test", Instant.parse("2026-12-03T10:00:00Z"), ids), graph);
    }

    @Test
    void placeholdersOfEveryTypeAreScreenedAsBlockedNotInvalid() {
        // each would fail normalization (or link strangers) if it were taken for a real value
        for (String typed : List.of("phone:0000000000", "phone:(000) 000-0000", "phone:+1 000 000 0000", "phone:+44 00000 000000", "phone:null", "email:null",
                "email:TEST@test.com", "loyalty_id:0000", "device_id:00000000-0000-0000-0000-000000000000",
                "channel_customer_id:shopify:my-shop:null", "hashed_email:unknown", "payment_token:-1", "click_id:undefined")) {
            Identifier raw = Identifier.parse(typed);
            Identifier screened = resolver.screen(raw.type(), raw.value());
            assertThat(resolver.rules().isBlocked(screened)).as(typed).isTrue();
        }
        assertThatThrownBy(() -> resolver.screen(IdentifierType.PHONE, "12"))
                .as("a value that is neither a placeholder nor valid is still invalid")
                .isInstanceOf(IdentifierNormalizer.InvalidIdentifierException.class);
        assertThat(resolver.screen(IdentifierType.PHONE, "(415) 555-0100").value()).isEqualTo("+14155550100");
    }

    @Test
    void aSightingScreenedOnceResolvesAsTheRawSightingDoes() {
        Observation raw = new Observation("test", Instant.parse("2026-12-03T10:00:00Z"), List.of(Identifier.parse("phone:(415) 555-0100"),
                Identifier.parse("email: Jane.Doe@Example.com "), Identifier.parse("phone:0000000000"), Identifier.parse("phone:12"),
                Identifier.parse("phone:+1 415 555 0100")));

        ScreenedObservation screened = resolver.screen(raw);

        assertThat(screened.matchKeys()).as("normalized, without the duplicate number, strongest first")
                .containsExactly("email:jane.doe@example.com", "phone:+14155550100");
        assertThat(screened.invalid()).singleElement().satisfies(rej -> assertThat(rej.identifier().value()).isEqualTo("12"));
        assertThat(screened.rejected()).extracting(Rejection::reason)
                .containsExactlyInAnyOrder(Rejection.Reason.BLOCKED, Rejection.Reason.INVALID);
        Resolution fromScreened = resolver.resolve(screened, new InMemoryIdentityGraph());
        Resolution fromRaw = resolver.resolve(raw, new InMemoryIdentityGraph());
        assertThat(fromScreened.outcome()).isEqualTo(fromRaw.outcome()).isEqualTo(Resolution.Outcome.CREATED);
        assertThat(fromScreened.added()).isEqualTo(fromRaw.added());
        assertThat(fromScreened.rejected()).isEqualTo(fromRaw.rejected());
    }

    @Test
    void aPhoneIsAPlaceholderOnlyWhenItsNationalNumberIsAllZeros() {
        IdentityRules rules = resolver.rules();
        assertThat(rules.isBlocked(new Identifier(IdentifierType.PHONE, "+10000000000"))).isTrue();
        assertThat(rules.isBlocked(new Identifier(IdentifierType.PHONE, "+4400000000000"))).isTrue();
        // a domestic prefix with other digits in it, stripped by libphonenumber: still all zeros
        for (String zero : List.of("+36 06 0000 0000", "+370 8 0000 0000", "+57 03 0000000000")) {
            assertThat(rules.isBlocked(new Identifier(IdentifierType.PHONE, zero))).as(zero).isTrue();
        }
        // zeros, then a real digit: a number, not a placeholder
        assertThat(rules.isBlocked(new Identifier(IdentifierType.PHONE, "+3800000000001"))).isFalse();
        assertThat(rules.isBlocked(new Identifier(IdentifierType.PHONE, "+14155550100"))).isFalse();
    }

    @Test
    void aPlaceholderIsReportedWithWhyAndTheRestOfTheSightingIsStored() {
        Resolution r = see("phone:0000000000", "loyalty_id:LC-77");

        assertThat(r.outcome()).isEqualTo(Resolution.Outcome.CREATED);
        assertThat(r.added()).extracting(Identifier::toString).containsExactly("loyalty_id:LC-77");
        assertThat(r.rejected()).singleElement().satisfies(rej -> {
            assertThat(rej.reason()).isEqualTo(Rejection.Reason.BLOCKED);
            assertThat(rej.identifier().toString()).isEqualTo("phone:0000000000");
            assertThat(rej.detail()).contains("placeholder").contains("^[0-]*$");
        });
        assertThat(see("email:test@test.com", "loyalty_id:LC-78").rejected()).singleElement()
                .satisfies(rej -> assertThat(rej.detail()).contains("blocked-values"));
    }

    @Test
    void anEmailAtARelayDomainIsAChannelIdentifier() {
        IdentifierNormalizer normalizer = resolver.normalizer();
        assertThat(normalizer.normalize(IdentifierType.EMAIL, " V2_AbC@scs.tiktokw.us ").toString())
                .isEqualTo("channel_customer_id:email-relay:scs.tiktokw.us:v2_abc");
        assertThat(normalizer.normalize(IdentifierType.EMAIL, "x@chat.seller.tiktok.com").type())
                .isEqualTo(IdentifierType.CHANNEL_CUSTOMER_ID);
        assertThat(normalizer.normalize(IdentifierType.EMAIL, "jane@nottiktok.com").type()).as("not a subdomain")
                .isEqualTo(IdentifierType.EMAIL);
        Identifier once = normalizer.normalize(IdentifierType.EMAIL, "v2_abc@scs.tiktokw.us");
        assertThat(normalizer.normalize(once)).as("normalizing again changes nothing").isEqualTo(once);

        IdentifierNormalizer configured = new IdentifierNormalizer("US", new RelayEmails(List.of("@relay.example.com")));
        assertThat(configured.normalize(IdentifierType.EMAIL, "a@relay.example.com").toString())
                .isEqualTo("channel_customer_id:email-relay:relay.example.com:a");
        assertThat(configured.normalize(IdentifierType.EMAIL, "v2_abc@scs.tiktokw.us").type()).as("the list replaces the default")
                .isEqualTo(IdentifierType.EMAIL);
        assertThatThrownBy(() -> new RelayEmails(List.of("not a domain"))).hasMessageContaining("not a domain");
    }

    @Test
    void twoRelayAddressesDoNotSplitThePerson() {
        Resolution first = see("phone:+14155550100", "email:v2_shop1@scs.tiktokw.us");
        // a second shop's relay address, linked only through the (weaker) phone
        Resolution second = see("phone:+14155550100", "email:v2_shop2@scs.tiktokw.us");

        assertThat(second.profileId()).isEqualTo(first.profileId());
        assertThat(second.rejected()).isEmpty();
        assertThat(second.added()).extracting(Identifier::toString)
                .containsExactly("channel_customer_id:email-relay:scs.tiktokw.us:v2_shop2");
        // whereas a second real email, reached only through the phone, is still demoted (the weak-link rule)
        Resolution email = see("phone:+14155550100", "email:jane@example.com");
        Resolution otherEmail = see("phone:+14155550100", "email:someone.else@example.com");
        assertThat(email.profileId()).isEqualTo(first.profileId());
        assertThat(otherEmail.rejected()).extracting(Rejection::reason).containsExactly(Rejection.Reason.DEMOTED);
    }
}
