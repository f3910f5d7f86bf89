package dev.unison.connectors.kit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionsLoaderTest {

    private static final Map<String, String> ENV = Map.of("DEMO_TOKEN", "shpat_secret_token", "DEMO_HOOK", "hook-secret");

    private static List<Connection> load(String yaml) {
        ConnectorDescriptor demo = ConnectorDescriptor.load(
                ConnectionsLoaderTest.class.getResourceAsStream("/connectors/demo-shop.yaml"), "demo-shop.yaml");
        return new ConnectionsLoader(Map.of(demo.name(), demo), ENV::get)
                .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "connections.yaml");
    }

    @Test
    void resolvesPlaceholdersAndKeepsSecretsApart() {
        Connection c = load("""
                connections:
                  - id: shop-main
                    connector: demo-shop
                    settings:
                      shopDomain: demo.myshopify.com
                      accessToken: ${DEMO_TOKEN}
                      webhookSecret: ${DEMO_HOOK}
                      apiVersion: ${DEMO_API_VERSION:2025-10}
                """).get(0);

        assertThat(c.setting("shopDomain")).isEqualTo("demo.myshopify.com");
        assertThat(c.setting("apiVersion")).isEqualTo("2025-10");
        assertThat(c.requireSecret("accessToken").reveal()).isEqualTo("shpat_secret_token");
        assertThat(c.settings().has("accessToken")).as("secrets are not plain settings").isFalse();
        assertThat(c.toString()).doesNotContain("shpat_secret_token").doesNotContain("hook-secret");
        assertThat(c.redactedSettings().toString()).doesNotContain("shpat_secret_token").contains("******");
        assertThat(c.enabled()).isTrue();
    }

    @Test
    void settingsAreTypedAsDeclaredAndDefaultsApplied() {
        Connection c = load("""
                connections:
                  - id: shop-main
                    connector: demo-shop
                    settings:
                      shopDomain: demo.myshopify.com
                      accessToken: ${DEMO_TOKEN}
                      webhookSecret: ${DEMO_HOOK}
                      batchSize: ${DEMO_BATCH:100}
                      paused: 'true'
                """).get(0);

        assertThat(c.integer("batchSize")).as("an integer through a placeholder").isEqualTo(100);
        assertThat(c.bool("paused")).isTrue();
        assertThat(c.duration("settleAfter")).as("the schema's default").isEqualTo(java.time.Duration.ofMinutes(5));
        assertThat(c.setting("apiVersion")).isEqualTo("2025-10");
        assertThat(c.setting("note")).as("unset, no default").isNull();
        assertThat(c.settings().get("batchSize").isIntegralNumber()).isTrue();
        assertThatThrownBy(() -> c.integer("batchSzie")).as("a typo in the connector's code")
                .hasMessageContaining("declares no setting 'batchSzie'");
        assertThatThrownBy(() -> c.integer("note")).hasMessageContaining("declares note as string, not integer");
        assertThatThrownBy(() -> c.duration("note")).hasMessageContaining("without format: duration");
    }

    @Test
    void aCrossFieldRuleOfTheDescriptorIsCheckedOnTypedSettingsAndNamesTheField() {
        String base = """
                connections:
                  - id: shop-main
                    connector: demo-shop
                    settings:
                      shopDomain: demo.myshopify.com
                      accessToken: ${DEMO_TOKEN}
                      webhookSecret: ${DEMO_HOOK}
                      syncInventory: ${DEMO_SYNC:true}
                """;
        assertThatThrownBy(() -> load(base)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("shop-main").hasMessageContaining("locationId");
        Connection c = load(base + "      locationId: '42'\n").get(0);
        assertThat(c.bool("syncInventory")).isTrue();
        assertThat(load(base.replace("${DEMO_SYNC:true}", "false")).get(0).setting("locationId"))
                .as("the rule applies only when its condition holds").isNull();
    }

    @Test
    void aValueOfTheWrongTypeIsNamedWithItsField() {
        assertThatThrownBy(() -> load("""
                connections:
                  - id: shop-main
                    connector: demo-shop
                    settings:
                      shopDomain: demo.myshopify.com
                      accessToken: ${DEMO_TOKEN}
                      webhookSecret: ${DEMO_HOOK}
                      batchSize: lots
                      paused: maybe
                      settleAfter: five minutes
                  - id: shop-two
                    connector: demo-shop
                    settings:
                      shopDomain: two.myshopify.com
                      accessToken: ${DEMO_TOKEN}
                      webhookSecret: ${DEMO_HOOK}
                      batchSize: 251
                """))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("connections.shop-main.batchSize")
                .hasMessageContaining("connections.shop-main.paused")
                .hasMessageContaining("connections.shop-main.settleAfter")
                .hasMessageContaining("connections.shop-two.batchSize");
    }

    @Test
    void secretsCanComeFromFiles(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "from-a-file\n");

        Connection c = load("""
                connections:
                  - id: shop-main
                    connector: demo-shop
                    settings:
                      shopDomain: demo.myshopify.com
                      accessToken: ${file:%s}
                      webhookSecret: ${DEMO_HOOK}
                """.formatted(token)).get(0);

        assertThat(c.requireSecret("accessToken").reveal()).isEqualTo("from-a-file");
    }

    @Test
    void everyErrorNamesItsField() {
        assertThatThrownBy(() -> load("""
                connections:
                  - id: shopify-main
                    connector: demo-shop
                    settings:
                      shopDomain: not a domain
                      webhookSecret: ${DEMO_HOOK}
                      apiVersion: '1999-01'
                      colour: blue
                  - id: inline
                    connector: demo-shop
                    settings:
                      shopDomain: a.myshopify.com
                      accessToken: shpat_pasted_into_the_file
                      webhookSecret: ${NOT_SET}
                  - id: other
                    connector: magento
                    settings: {}
                """))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).contains(
                        "connections.shopify-main.accessToken: required",
                        "connections.shopify-main.colour: unknown field",
                        "connections.inline.accessToken: a secret must come from ${ENV_VAR} or ${file:/path}, not inline",
                        "connections.inline.webhookSecret: environment variable NOT_SET is not set")
                        .anySatisfy(p -> assertThat(p).startsWith("connections.shopify-main.shopDomain: "))
                        .anySatisfy(p -> assertThat(p).startsWith("connections.shopify-main.apiVersion: "))
                        .anySatisfy(p -> assertThat(p).startsWith("connections.other.connector: unknown connector 'magento'")))
                .hasMessageNotContaining("shpat_pasted_into_the_file");
    }

    @Test
    void duplicateIdsAreRejected() {
        String one = """
                  - id: twin
                    connector: demo-shop
                    settings:
                      shopDomain: demo.myshopify.com
                      accessToken: ${DEMO_TOKEN}
                      webhookSecret: ${DEMO_HOOK}
                """;
        assertThatThrownBy(() -> load("connections:\n" + one + one)).hasMessageContaining("connections.twin.id: duplicate");
    }

    @Test
    void aSecretNeverPrintsItself() {
        Secret secret = new Secret("s3cr3t");
        assertThat(secret.toString()).isEqualTo("******");
        assertThat(String.valueOf(Map.of("k", secret))).doesNotContain("s3cr3t");
        assertThat(secret).isEqualTo(new Secret("s3cr3t")).isNotEqualTo(new Secret("other"));
    }
}
