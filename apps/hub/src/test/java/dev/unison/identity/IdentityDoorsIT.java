package dev.unison.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.hub.support.EmbeddedHub;
import dev.unison.platform.testkit.HttpApi;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Issue 15, finding 12, through POST /api/v1/identities: a placeholder is reported as blocked and
 * the rest of the sighting stored (it used to refuse the whole sighting with 422); a TikTok relay
 * address sent as an email is stored as a channel identifier, and a person's second relay address
 * (another shop) does not split them.
 */
@EmbeddedHub
class IdentityDoorsIT {

    static final String KEY = EmbeddedHub.BOOTSTRAP_KEY;

    @org.springframework.beans.factory.annotation.Autowired
    dev.unison.platform.edge.ApiSchemas schemas;
    @LocalServerPort
    int port;
    HttpApi api;
    long run;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
        run = ThreadLocalRandom.current().nextLong(1_000_000, 9_999_999);
    }

    private HttpApi.Reply profileOf(String identifier) {
        return api.get("/api/v1/profiles?identifier=" + URLEncoder.encode(identifier, StandardCharsets.UTF_8), KEY);
    }

    private static Set<String> identifiers(JsonNode profile) {
        Set<String> ids = new HashSet<>();
        for (JsonNode i : profile.get("identifiers")) {
            ids.add(i.get("type").asText() + ":" + i.get("value").asText());
        }
        return ids;
    }

    private String phone() {
        return String.format("+1415%03d%04d", 200 + run % 700, run % 10_000);
    }

    @Test
    void aSightingOfPlaceholdersOnlyStoresNothingAndAnswersOnItsSchema() {
        HttpApi.Reply reply = api.post("/api/v1/identities", KEY, """
                {"source":"kiosk-only-placeholders","identifiers":[{"type":"phone","value":"0000000000"}]}""");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().get("outcome").asText()).isEqualTo("unresolved");
        assertThat(reply.json().get("rejected").get(0).get("reason").asText()).isEqualTo("blocked");
        assertThat(schemas.validateResponse("post-identities", reply.json())).as("off the response schema").isEmpty();
    }

    @Test
    void aPlaceholderPhoneIsReportedBlockedAndTheCardIsStored() {
        String card = "LC-" + run;
        HttpApi.Reply reply = api.post("/api/v1/identities", KEY, """
                {"source": "loyalty-signup", "identifiers": [{"type": "phone", "value": "0000000000"},
                 {"type": "loyalty_id", "value": "%s"}]}""".formatted(card));

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        JsonNode body = reply.json();
        assertThat(body.get("rejected")).singleElement().satisfies(rejected -> {
            assertThat(rejected.get("type").asText()).isEqualTo("phone");
            assertThat(rejected.get("value").asText()).isEqualTo("0000000000");
            assertThat(rejected.get("reason").asText()).isEqualTo("blocked");
            assertThat(rejected.get("detail").asText()).contains("placeholder");
        });
        HttpApi.Reply found = profileOf("loyalty_id:" + card);
        assertThat(found.status()).as(found.body()).isEqualTo(200);
        assertThat(found.json().get("id").asText()).isEqualTo(body.get("profileId").asText());
        assertThat(identifiers(found.json())).containsExactly("loyalty_id:" + card);

        // a formatted placeholder and placeholders of other types are blocked the same way
        HttpApi.Reply more = api.post("/api/v1/identities", KEY, """
                {"source": "loyalty-signup", "identifiers": [{"type": "phone", "value": "(000) 000-0000"},
                 {"type": "email", "value": "null"}, {"type": "device_id", "value": "00000000-0000-0000-0000-000000000000"},
                 {"type": "loyalty_id", "value": "%s"}]}""".formatted(card));
        assertThat(more.status()).as(more.body()).isEqualTo(200);
        assertThat(more.json().get("rejected")).hasSize(3)
                .allSatisfy(rejected -> assertThat(rejected.get("reason").asText()).isEqualTo("blocked"));
        // a value that is neither a placeholder nor valid is still refused, naming the field
        HttpApi.Reply invalid = api.post("/api/v1/identities", KEY, """
                {"source": "loyalty-signup", "identifiers": [{"type": "phone", "value": "12"},
                 {"type": "loyalty_id", "value": "%s"}]}""".formatted(card));
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.body()).contains("identifiers[0].value");
    }

    @Test
    void aRelayEmailIsAChannelIdentifierAndTwoOfThemDoNotSplitThePerson() {
        String firstRelay = "v2_a" + run + "@scs.tiktokw.us";
        String secondRelay = "v2_b" + run + "@scs.tiktokw.us";
        HttpApi.Reply first = api.post("/api/v1/identities", KEY, """
                {"source": "crm", "identifiers": [{"type": "phone", "value": "%s"}, {"type": "email", "value": "%s"}]}
                """.formatted(phone(), firstRelay));
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        String profileId = first.json().get("profileId").asText();

        JsonNode profile = profileOf("phone:" + phone()).json();
        assertThat(identifiers(profile)).contains("channel_customer_id:email-relay:scs.tiktokw.us:v2_a" + run)
                .noneMatch(id -> id.startsWith("email:"));
        assertThat(profileOf("email:" + firstRelay).json().get("id").asText())
                .as("looked up as an email, found as the channel identifier").isEqualTo(profileId);

        // the same person's relay address at another shop, linked only through the phone
        HttpApi.Reply second = api.post("/api/v1/identities", KEY, """
                {"source": "crm", "identifiers": [{"type": "phone", "value": "%s"}, {"type": "email", "value": "%s"}]}
                """.formatted(phone(), secondRelay));
        assertThat(second.status()).as(second.body()).isEqualTo(200);
        assertThat(second.json().get("profileId").asText()).isEqualTo(profileId);
        assertThat(second.json().get("rejected")).isEmpty();
        assertThat(profileOf("email:" + secondRelay).json().get("id").asText()).isEqualTo(profileId);
        assertThat(identifiers(profileOf("phone:" + phone()).json())).contains(
                "channel_customer_id:email-relay:scs.tiktokw.us:v2_a" + run,
                "channel_customer_id:email-relay:scs.tiktokw.us:v2_b" + run);
    }

    @Test
    void aBatchResolvesInOrderAnswersEachSightingAndAnInvalidOneChangesNothing() {
        String email = "batch" + run + "@example.com";
        String card = "LB-" + run;
        HttpApi.Reply reply = api.post("/api/v1/identities/batch", KEY, """
                {"sightings":[
                  {"source":"crm","identifiers":[{"type":"email","value":" %1$s "}]},
                  {"source":"loyalty","identifiers":[{"type":"loyalty_id","value":"%2$s"},{"type":"phone","value":"%3$s"}]},
                  {"source":"crm","identifiers":[{"type":"email","value":"not an email"},{"type":"loyalty_id","value":"LX-%4$s"}]},
                  {"source":"pos","identifiers":[{"type":"email","value":"%1$s"},{"type":"loyalty_id","value":"%2$s"}]},
                  {"source":"kiosk","identifiers":[{"type":"email","value":"test@test.com"}]}
                ]}""".formatted(email, card, phone(), run));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(schemas.validateResponse("post-identities-batch", reply.json())).as("off the response schema").isEmpty();
        JsonNode results = reply.json().get("results");
        assertThat(results).hasSize(5);
        assertThat(results.get(0).get("outcome").asText()).isEqualTo("created");
        assertThat(results.get(1).get("outcome").asText()).isEqualTo("created");
        assertThat(results.get(2).get("status").asText()).isEqualTo("invalid");
        assertThat(results.get(2).get("errors").get(0).asText()).startsWith("identifiers[0].value");
        assertThat(results.get(3).get("outcome").asText()).as("the fourth links the first two, within the batch").isEqualTo("merged");
        assertThat(results.get(3).get("profileId").asText()).isEqualTo(results.get(0).get("profileId").asText());
        assertThat(results.get(3).get("merged").get(0).asText()).isEqualTo(results.get(1).get("profileId").asText());
        assertThat(results.get(4).get("outcome").asText()).isEqualTo("unresolved");

        JsonNode profile = profileOf("email:" + email).json();
        assertThat(identifiers(profile)).contains("email:" + email, "loyalty_id:" + card, "phone:" + phone());
        assertThat(profileOf("loyalty_id:LX-" + run).status()).as("the invalid sighting stored nothing").isEqualTo(404);
        HttpApi.Reply merged = api.get("/api/v1/profiles/" + results.get(1).get("profileId").asText(), KEY);
        assertThat(merged.json().get("id").asText()).as("the id merged within the batch names its survivor")
                .isEqualTo(results.get(0).get("profileId").asText());

        HttpApi.Reply notABatch = api.post("/api/v1/identities/batch", KEY, """
                {"sightings":[{"source":"crm","identifiers":[]}]}""");
        assertThat(notABatch.status()).isEqualTo(422);
        assertThat(notABatch.body()).contains("sightings");
    }
}
