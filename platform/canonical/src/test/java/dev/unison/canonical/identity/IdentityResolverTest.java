package dev.unison.canonical.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdentityResolverTest {

    private final IdentityResolver resolver = new IdentityResolver(new IdentifierNormalizer("US"), IdentityRules.defaults());
    private final InMemoryIdentityGraph graph = new InMemoryIdentityGraph();

    private Resolution see(String source, String... typed) {
        List<Identifier> ids = new ArrayList<>();
        for (String t : typed) {
            ids.add(Identifier.parse(t));
        }
        return resolver.resolve(new Observation(source, Instant.parse("2026-11-26T10:00:00Z"), ids), graph);
    }

    private String profileOf(String typed) {
        Identifier id = resolver.normalizer().normalize(Identifier.parse(typed));
        return graph.profileOf(resolver.rules().matchKey(id));
    }

    @Test
    void scenarioS4OneShopperAcrossChannelsIsOneProfile() {
        Resolution shopify = see("shopify", "email:Jane.Doe@Example.com ", "channel_customer_id:shopify:demo:1001");
        Resolution tiktok = see("tiktok-shop", "email:jane.doe@example.com", "phone:(415) 555-0100");
        Resolution pos = see("pos", "phone:+1 415-555-0100", "loyalty_id:L-000123");
        Resolution app = see("app", "device_id:6D92078A-8246-4BA4-AE5B-76104861E7DC", "email:jane.doe@example.com");

        assertThat(shopify.outcome()).isEqualTo(Resolution.Outcome.CREATED);
        assertThat(List.of(tiktok, pos, app)).extracting(Resolution::profileId).containsOnly(shopify.profileId());
        assertThat(graph.profileCount()).isEqualTo(1);
        assertThat(graph.identifierCount()).isEqualTo(5);
    }

    @Test
    void theSameShopperSeenInTheOtherOrderMergesIntoTheOldestProfile() {
        Resolution pos = see("pos", "phone:+1 415-555-0100", "loyalty_id:L-000123");
        Resolution shopify = see("shopify", "email:Jane.Doe@Example.com ");
        Resolution tiktok = see("tiktok-shop", "email:jane.doe@example.com", "phone:(415) 555-0100");

        assertThat(tiktok.outcome()).isEqualTo(Resolution.Outcome.MERGED);
        assertThat(tiktok.profileId()).isEqualTo(pos.profileId());
        assertThat(tiktok.merged()).containsExactly(shopify.profileId());
        assertThat(graph.current(shopify.profileId())).as("the merged id still means the same person").isEqualTo(pos.profileId());
        assertThat(profileOf("email:jane.doe@example.com")).isEqualTo(pos.profileId());
    }

    @Test
    void aSharedKioskDeviceSeenWithFiftyEmailsDoesNotMergeFiftyShoppers() {
        Set<String> profiles = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            Resolution r = see("pos", "device_id:kiosk-store-7", "email:shopper" + i + "@example.com");
            profiles.add(r.profileId());
            if (i > 0) {
                assertThat(r.rejected()).singleElement().satisfies(rej -> {
                    assertThat(rej.reason()).isEqualTo(Rejection.Reason.DEMOTED);
                    assertThat(rej.identifier().value()).isEqualTo("kiosk-store-7");
                });
            }
        }
        assertThat(profiles).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(profileOf("email:shopper" + i + "@example.com")).isNotEqualTo(profileOf("email:shopper" + (i + 1) % 50 + "@example.com"));
        }
    }

    @Test
    void accountsInDifferentChannelsJoinThroughAnEmailButTwoAccountsOfOneShopDoNot() {
        Resolution shopify = see("shopify", "email:jane@example.com", "channel_customer_id:shopify:demo:1001");
        Resolution tiktok = see("tiktok-shop", "email:jane@example.com", "channel_customer_id:tiktok-shop:7495:88");
        assertThat(tiktok.outcome()).isEqualTo(Resolution.Outcome.ATTACHED);
        assertThat(tiktok.profileId()).isEqualTo(shopify.profileId());

        Resolution sameShopOtherAccount = see("shopify", "email:jane@example.com", "channel_customer_id:shopify:demo:2002");
        assertThat(sameShopOtherAccount.outcome()).isEqualTo(Resolution.Outcome.CREATED);
        assertThat(sameShopOtherAccount.rejected()).singleElement().satisfies(r -> assertThat(r.detail())
                .contains("already holds another channel_customer_id:shopify:demo"));
    }

    @Test
    void aSharedDeviceNeverBringsAnotherShoppersIdentifiersAlong() {
        Resolution a = see("kiosk", "device_id:kiosk-7", "email:a@example.com");
        Resolution b = see("kiosk", "device_id:kiosk-7", "loyalty_id:L-B");
        Resolution bSignsUp = see("crm", "loyalty_id:L-B", "email:b@example.com");

        assertThat(b.outcome()).as("reached only through the kiosk: a new profile for L-B").isEqualTo(Resolution.Outcome.CREATED);
        assertThat(b.rejected()).singleElement().satisfies(r -> assertThat(r.detail())
                .isEqualTo("profile " + a.profileId() + " is reached only through a shared identifier (device_id) and would gain a new identifier (loyalty_id)"));
        assertThat(bSignsUp.profileId()).isEqualTo(b.profileId()).isNotEqualTo(a.profileId());
        assertThat(profileOf("email:a@example.com")).isNotEqualTo(profileOf("email:b@example.com"));

        Resolution card = see("pos", "payment_token:tok_family", "loyalty_id:L-C");
        assertThat(see("pos", "payment_token:tok_family").profileId()).as("a shared id still finds its profile").isEqualTo(card.profileId());
        assertThat(see("app", "device_id:app-c", "payment_token:tok_family").outcome())
                .as("and may gain more shared ids").isEqualTo(Resolution.Outcome.ATTACHED);
    }

    @Test
    void anAnonymousDeviceBecomesThePersonsOnLogin() {
        Resolution browsing = see("app", "device_id:app-9");
        Resolution login = see("app", "device_id:app-9", "email:new@example.com");
        assertThat(login.outcome()).isEqualTo(Resolution.Outcome.ATTACHED);
        assertThat(login.profileId()).isEqualTo(browsing.profileId());
        Resolution card = see("pos", "payment_token:tok_9");
        assertThat(see("pos", "payment_token:tok_9", "loyalty_id:L-9X").profileId()).isEqualTo(card.profileId());
    }

    @Test
    void aProfileStoredUnderALooserLimitStaysReachableWhenTheLimitIsTightened() {
        see("crm", "loyalty_id:L-T", "email:t1@example.com");
        see("crm", "loyalty_id:L-T", "email:t2@example.com");
        IdentityRules oneEmail = new IdentityRules(Set.of(), List.of(), Map.of(IdentifierType.EMAIL, 1),
                IdentityRules.DEFAULT_PRIORITY, 100, 1000, false, null);
        IdentityResolver tightened = new IdentityResolver(new IdentifierNormalizer("US"), oneEmail);
        Instant t = Instant.EPOCH;
        assertThat(tightened.resolve(new Observation("s", t, List.of(Identifier.parse("email:t1@example.com"))), graph).outcome())
                .isEqualTo(Resolution.Outcome.MATCHED);
        assertThat(tightened.resolve(new Observation("s", t, List.of(Identifier.parse("loyalty_id:L-T"),
                Identifier.parse("email:t3@example.com"))), graph).rejected()).extracting(Rejection::detail)
                .containsExactly("limit of 1 email per profile");
    }

    @Test
    void placeholderIdsInsideChannelIdsAndHashesOfBlockedEmailsAreBlocked() {
        assertThat(see("shopify", "channel_customer_id:shopify:demo:null", "email:x1@example.com").rejected())
                .extracting(Rejection::reason).containsExactly(Rejection.Reason.BLOCKED);
        assertThat(see("shopify", "channel_customer_id:shopify:demo:0", "email:x2@example.com").rejected())
                .extracting(Rejection::reason).containsExactly(Rejection.Reason.BLOCKED);
        // SHA-256 of test@test.com
        assertThat(see("rmn", "hashed_email:7e4d8b6d1c3a0cd8e4b49e6d6f7c9fe7d0a6a0b5a1f0e2c7a8f5c3b8c6a5f4e3", "email:x3@example.com")
                .rejected()).isEmpty();
        String testHash = java.util.HexFormat.of().formatHex(sha256("test@test.com"));
        assertThat(see("rmn", "hashed_email:" + testHash, "email:x4@example.com").rejected())
                .extracting(Rejection::reason).containsExactly(Rejection.Reason.BLOCKED);
    }

    private static byte[] sha256(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void placeholdersAreBlockedEvenWhenTheyAreNotValidValuesOfTheirType() {
        assertThat(see("pos", "phone:0000000000", "email:null", "email:anonymous", "loyalty_id:L-P").rejected())
                .extracting(Rejection::reason).containsOnly(Rejection.Reason.BLOCKED);
    }

    @Test
    void aBlockedValueLinksNobody() {
        Resolution a = see("shopify", "email:test@test.com", "channel_customer_id:shopify:demo:1");
        Resolution b = see("shopify", "email:TEST@test.com ", "channel_customer_id:shopify:demo:2");
        Resolution zeros = see("app", "device_id:00000000-0000-0000-0000-000000000000", "email:c@example.com");

        assertThat(a.profileId()).isNotEqualTo(b.profileId());
        assertThat(a.rejected()).extracting(Rejection::reason).containsExactly(Rejection.Reason.BLOCKED);
        assertThat(profileOf("email:test@test.com")).isNull();
        assertThat(zeros.rejected()).extracting(r -> r.identifier().type()).containsExactly(IdentifierType.DEVICE_ID);
        assertThat(see("app", "email:null").outcome()).isEqualTo(Resolution.Outcome.UNRESOLVED);
    }

    @Test
    void segmentsPriorityExampleANewStrongIdWithAKnownEmailDemotesTheEmail() {
        Resolution first = see("pos", "loyalty_id:L-1", "email:shared@example.com");
        Resolution second = see("pos", "loyalty_id:L-2", "email:shared@example.com");

        assertThat(second.outcome()).as("one loyalty id per profile: a new profile, not a merge").isEqualTo(Resolution.Outcome.CREATED);
        assertThat(second.profileId()).isNotEqualTo(first.profileId());
        assertThat(second.rejected()).singleElement().satisfies(r -> {
            assertThat(r.identifier().value()).isEqualTo("shared@example.com");
            assertThat(r.detail()).isEqualTo("limit of 1 loyalty_id per profile");
        });
        assertThat(profileOf("email:shared@example.com")).isEqualTo(first.profileId());
    }

    @Test
    void aStrongLinkMayAddASecondEmail() {
        Resolution first = see("shopify", "email:jane@example.com", "loyalty_id:L-9");
        Resolution signUp = see("api", "loyalty_id:L-9", "email:jane.work@example.com");
        assertThat(signUp.outcome()).isEqualTo(Resolution.Outcome.ATTACHED);
        assertThat(profileOf("email:jane.work@example.com")).isEqualTo(first.profileId());
    }

    @Test
    void limitsPerTypeDemoteTheSixthEmail() {
        see("shopify", "loyalty_id:L-5", "email:e0@example.com");
        for (int i = 1; i < 5; i++) {
            see("api", "loyalty_id:L-5", "email:e" + i + "@example.com");
        }
        Resolution sixth = see("api", "loyalty_id:L-5", "email:e5@example.com");
        assertThat(sixth.rejected()).extracting(Rejection::detail).containsExactly("limit of 5 email per profile");
        assertThat(profileOf("email:e5@example.com")).isNull();
    }

    @Test
    void mergesStopAtTheCap() {
        IdentityRules capped = new IdentityRules(Set.of(), List.of(), Map.of(), IdentityRules.DEFAULT_PRIORITY, 2, 1000, false, null);
        IdentityResolver strict = new IdentityResolver(new IdentifierNormalizer("US"), capped);
        InMemoryIdentityGraph g = new InMemoryIdentityGraph();
        Instant t = Instant.EPOCH;
        String survivor = strict.resolve(new Observation("s", t, List.of(Identifier.parse("email:a0@example.com"))), g).profileId();
        for (int i = 1; i <= 3; i++) {
            strict.resolve(new Observation("s", t, List.of(Identifier.parse("phone:+1415555010" + i))), g);
            Resolution r = strict.resolve(new Observation("s", t,
                    List.of(Identifier.parse("email:a0@example.com"), Identifier.parse("phone:+1415555010" + i))), g);
            if (i <= 2) {
                assertThat(r.outcome()).isEqualTo(Resolution.Outcome.MERGED);
            } else {
                assertThat(r.rejected()).extracting(Rejection::detail).containsExactly("cap of 2 merges per profile");
            }
            assertThat(r.profileId()).isEqualTo(survivor);
        }
    }

    @Test
    void gmailDotsMatchOnlyWhenConfigured() {
        see("shopify", "email:j.doe@gmail.com");
        assertThat(see("shopify", "email:jdoe@gmail.com").outcome()).isEqualTo(Resolution.Outcome.CREATED);

        IdentityRules dotless = new IdentityRules(Set.copyOf(IdentityRules.DEFAULT_BLOCKED_VALUES), List.of(), Map.of(),
                IdentityRules.DEFAULT_PRIORITY, 100, 1000, true, null);
        IdentityResolver lenient = new IdentityResolver(new IdentifierNormalizer("US"), dotless);
        InMemoryIdentityGraph g = new InMemoryIdentityGraph();
        Instant t = Instant.EPOCH;
        Resolution a = lenient.resolve(new Observation("s", t, List.of(Identifier.parse("email:j.doe@gmail.com"))), g);
        Resolution b = lenient.resolve(new Observation("s", t, List.of(Identifier.parse("email:jdoe@googlemail.com"))), g);
        assertThat(b.profileId()).isEqualTo(a.profileId());
        assertThat(a.added()).extracting(Identifier::value).as("stored value keeps its dots").containsExactly("j.doe@gmail.com");
    }

    @Test
    void invalidIdentifiersAreReportedAndTheRestResolves() {
        Resolution r = see("pos", "phone:12", "email:ok@example.com");
        assertThat(r.outcome()).isEqualTo(Resolution.Outcome.CREATED);
        assertThat(r.rejected()).singleElement().satisfies(rej -> assertThat(rej.reason()).isEqualTo(Rejection.Reason.INVALID));
    }
}
