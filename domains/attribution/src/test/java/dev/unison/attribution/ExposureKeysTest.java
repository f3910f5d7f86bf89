package dev.unison.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.connectors.kit.identity.Destination;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExposureKeysTest {

    @Test
    void aProfilesEmailAndPhoneMeetTheirHashesUnderEachNetworksNormalization() {
        Map<String, Identifier> keys = ExposureKeys.ofProfile(List.of(new Identifier(IdentifierType.EMAIL, "abc@example.com"),
                new Identifier(IdentifierType.PHONE, "+14155550100"), new Identifier(IdentifierType.LOYALTY_ID, "L-1")),
                ExposureKeys.DEFAULT_HASHINGS);
        // the Amazon Marketing Cloud documentation's vector: sha256("abc@example.com")
        assertThat(keys).containsKey("hashed_email:9eceb13483d7f187ec014fd6d4854d1420cfc634328af85f51d0323ba8622e21");
        assertThat(keys).containsKeys("email:abc@example.com", "phone:+14155550100", "loyalty_id:L-1");
        // the phone hashed with its + (TikTok) and without it (Meta)
        assertThat(keys.keySet().stream().filter(k -> k.startsWith("hashed_phone:"))).hasSize(2);
        assertThat(keys.get("hashed_email:9eceb13483d7f187ec014fd6d4854d1420cfc634328af85f51d0323ba8622e21").value())
                .isEqualTo("abc@example.com");
    }

    @Test
    void googlesGmailRuleAppliesOnlyWhereANetworkHashesThatWay() {
        Identifier gmail = new Identifier(IdentifierType.EMAIL, "jane.doe@gmail.com");
        Map<String, Identifier> plain = ExposureKeys.ofProfile(List.of(gmail), ExposureKeys.DEFAULT_HASHINGS);
        Map<String, Identifier> google = ExposureKeys.ofProfile(List.of(gmail), Set.of(Destination.GOOGLE));
        assertThat(google.keySet()).doesNotContainAnyElementsOf(plain.keySet().stream().filter(ExposureKeys::isHashed).toList());
    }

    @Test
    void anExposuresIdentifiersAreNormalizedAsIdentityDoesAndHashesLowercased() {
        List<String> keys = ExposureKeys.ofExposure(List.of(
                new Identifier(IdentifierType.HASHED_EMAIL, "9ECEB13483D7F187EC014FD6D4854D1420CFC634328AF85F51D0323BA8622E21"),
                new Identifier(IdentifierType.CLICK_ID, "clk-1"), new Identifier(IdentifierType.EMAIL, "bad")),
                id -> {
                    if (id.type() == IdentifierType.EMAIL) {
                        throw new IllegalArgumentException("not an email");
                    }
                    return id;
                });
        assertThat(keys).containsExactly("hashed_email:9eceb13483d7f187ec014fd6d4854d1420cfc634328af85f51d0323ba8622e21",
                "click_id:clk-1");
    }
}
