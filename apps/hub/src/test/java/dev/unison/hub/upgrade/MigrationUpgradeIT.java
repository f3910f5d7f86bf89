package dev.unison.hub.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.unison.hub.support.ForkedHub;
import dev.unison.platform.testkit.HttpApi;
import dev.unison.hub.support.TestDatabases;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A database written by the previous release upgrades and keeps its data. The release's database
 * is rebuilt from what it held ({@code upgrade/previous-release/}: its migration history with
 * checksums, every row as JSON, and facts read from its API), on H2 and on PostgreSQL: migrations
 * up to the release's last version, the rows loaded; then today's packaged hub starts on it, must
 * accept the release's checksums (a migration edited, renamed or moved to another version would
 * fail here; Java migrations have no checksum, so an edit of one is not seen), migrates what is
 * new, and answers the release's facts; a new sale still applies.
 *
 * <p>At a release, record its database anew (the recorder drives a hub of that release through
 * its API and writes the three files):
 * {@code mvn -pl apps/hub verify -Dit.test=MigrationUpgradeIT -Dunison.upgrade.record=true}.
 */
class MigrationUpgradeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path RECORDED = Path.of("src/test/resources/upgrade/previous-release");
    private static final String BOOTSTRAP_KEY = "upgrade-bootstrap-key-0123456789";
    private static final String SKU = "UPGRADE-SHOE-1";

    @TempDir
    Path dir;

    @Test
    void anH2DatabaseOfThePreviousReleaseUpgradesAndKeepsItsData() throws Exception {
        try (HikariDataSource db = TestDatabases.h2(dir.resolve("data"))) {
            rebuildRelease(db);
        }
        upgradeAndCheck(List.of(), () -> TestDatabases.h2(dir.resolve("data")));
    }

    @Test
    void aPostgresDatabaseOfThePreviousReleaseUpgradesAndKeepsItsData() throws Exception {
        TestDatabases.PgCoordinates pg = TestDatabases.freshPostgresSchema();
        try (HikariDataSource db = pool(pg)) {
            rebuildRelease(db);
        }
        upgradeAndCheck(List.of("--spring.datasource.url=" + pg.url(), "--spring.datasource.username=" + pg.user(),
                "--spring.datasource.password=" + pg.password()), () -> pool(pg));
    }

    /** The release's schema (its own migrations, checked against its recorded checksums) and its rows. */
    private void rebuildRelease(HikariDataSource db) throws Exception {
        List<String[]> released = releasedMigrations();
        String lastVersion = released.get(released.size() - 1)[0];
        Flyway.configure().dataSource(db).locations("classpath:db/migration").target(lastVersion).load().migrate();
        List<String[]> applied = new JdbcTemplate(db).query("SELECT version, description, type, checksum FROM "
                + "flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank", (rs, n) -> new String[] {
                        rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4) == null ? "" : rs.getString(4)});
        assertThat(applied).as("today's migrations up to the release are the release's, checksum for checksum")
                .usingElementComparator(java.util.Comparator.comparing(java.util.Arrays::toString)).containsExactlyElementsOf(released);
        DatabaseSnapshot.load(db, read("data.json"));
    }

    private void upgradeAndCheck(List<String> database, java.util.function.Supplier<HikariDataSource> reopen) throws Exception {
        JsonNode facts = read("facts.json");
        int port = ForkedHub.freePort();
        List<String> args = new ArrayList<>(List.of("--server.port=" + port, "--unison.data-dir=" + dir.resolve("data"),
                "--unison.simulators.shopify.enabled=false", "--unison.simulators.tiktok-shop.enabled=false",
                "--unison.simulators.sfcc.enabled=false",
                // the recorded rows keep their dates: without this the sweep at start would delete them a week later
                "--unison.outbox.retention=36500d", "--unison.retention.inbox=36500d", "--unison.retention.dead-letters=36500d",
                "--unison.retention.reservations=36500d"));
        args.add("--unison.secrets.encryption-key=" + facts.get("encryptionKey").asText());
        args.addAll(database);
        Process hub = ForkedHub.start(args, Map.of(), dir.resolve("hub.log"));
        try {
            HttpApi http = ForkedHub.awaitUp(port, hub);
            String key = facts.get("bootstrapKey").asText();
            String partnerKey = facts.get("partnerKey").asText();

            assertThat(onHand(http, key)).as("stock the release held").isEqualTo(facts.get("onHand").asInt());
            HttpApi.Reply order = http.get("/api/v1/orders/store/" + facts.get("posTransaction").asText(), key);
            assertThat(order.status()).as(order.body()).isEqualTo(200);
            assertThat(order.json().path("order").path("id").asText()).isEqualTo(facts.get("orderId").asText());
            HttpApi.Reply profile = http.get("/api/v1/profiles?identifier=email:jane.upgrade@example.com", key);
            assertThat(profile.status()).as(profile.body()).isEqualTo(200);
            assertThat(profile.json().path("id").asText()).isEqualTo(facts.get("profileId").asText());
            assertThat(profile.json().path("identifiers").toString()).contains("L-UPGRADE-1");
            HttpApi.Reply event = http.get("/api/v1/events/" + facts.get("eventId").asText(), partnerKey);
            assertThat(event.status()).as("the release's partner key still authenticates: " + event.body()).isEqualTo(200);
            assertThat(event.json().path("status").asText()).isEqualTo("published");

            // and the upgraded database takes new work (identity columns moved past the loaded rows)
            assertThat(sell(http, key, 2).status()).isBetween(200, 299);
            await().atMost(Duration.ofSeconds(30)).until(() -> onHand(http, key) == facts.get("onHand").asInt() - 1);
        } finally {
            hub.destroy();
            hub.waitFor();
        }
        try (HikariDataSource db = reopen.get()) {
            List<Map<String, Object>> failed = new JdbcTemplate(db).queryForList("SELECT version FROM flyway_schema_history WHERE NOT success");
            assertThat(failed).as("every migration since the release succeeded").isEmpty();
            assertThat(Flyway.configure().dataSource(db).locations("classpath:db/migration").load().info().pending())
                    .as("today's migrations are all applied").isEmpty();
        }
    }

    /**
     * Records the release: drives a hub of this build through its API on a fresh H2 data
     * directory, then writes its migration history, its rows and the facts the upgrade test checks.
     */
    @Test
    @EnabledIfSystemProperty(named = "unison.upgrade.record", matches = "true")
    void recordThisBuildAsThePreviousRelease() throws Exception {
        int port = ForkedHub.freePort();
        Process hub = ForkedHub.start(List.of("--server.port=" + port, "--unison.data-dir=" + dir.resolve("data"),
                "--unison.simulators.shopify.enabled=false", "--unison.simulators.tiktok-shop.enabled=false",
                "--unison.simulators.sfcc.enabled=false"),
                Map.of("UNISON_BOOTSTRAP_API_KEY", BOOTSTRAP_KEY), dir.resolve("hub.log"));
        ObjectNode facts = JSON.createObjectNode().put("bootstrapKey", BOOTSTRAP_KEY).put("recordedAt", Instant.now().toString());
        try {
            HttpApi http = ForkedHub.awaitUp(port, hub);
            HttpApi.Reply partner = http.post("/api/v1/admin/partners", BOOTSTRAP_KEY,
                    "{\"name\":\"upgrade-partner\",\"scopes\":[\"events:write\",\"events:read\"]}");
            assertThat(partner.status()).as(partner.body()).isBetween(200, 299);
            String partnerKey = partner.json().get("apiKey").asText();
            facts.put("partnerKey", partnerKey);
            assertThat(http.post("/api/v1/events", partnerKey, "{\"id\":\"evt-upgrade-1\",\"type\":\"commerce.item.upserted.v1\","
                    + "\"data\":{\"sku\":\"" + SKU + "\",\"title\":\"Upgrade shoe\"}}").status()).isBetween(200, 299);
            facts.put("eventId", "evt-upgrade-1");
            // a minute ago: a sale counts against a count only when it happened after the count
            String asOf = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS).toString();
            assertThat(http.post("/api/v1/inventory/counts", BOOTSTRAP_KEY, "{\"countId\":\"upgrade-open\",\"locationId\":\"STORE-7\","
                    + "\"asOf\":\"" + asOf + "\",\"counts\":[{\"sku\":\"" + SKU + "\",\"quantity\":5}]}").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> onHand(http, BOOTSTRAP_KEY) == 5);
            HttpApi.Reply sale = sell(http, BOOTSTRAP_KEY, 1);
            assertThat(sale.status()).as(sale.body()).isBetween(200, 299);
            String transaction = sale.json().get("transaction").asText();
            facts.put("posTransaction", transaction);
            HttpApi.Reply link = http.post("/api/v1/identities", BOOTSTRAP_KEY, "{\"source\":\"upgrade\",\"identifiers\":["
                    + "{\"type\":\"email\",\"value\":\"Jane.Upgrade@Example.com\"},{\"type\":\"loyalty_id\",\"value\":\"L-UPGRADE-1\"}]}");
            assertThat(link.status()).as(link.body()).isBetween(200, 299);
            facts.put("profileId", link.json().get("profileId").asText());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(onHand(http, BOOTSTRAP_KEY)).isEqualTo(4));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpApi.Reply stored = http.get("/api/v1/orders/store/" + transaction, BOOTSTRAP_KEY);
                assertThat(stored.status()).as(stored.body()).isEqualTo(200);
            });
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    http.get("/api/v1/events/evt-upgrade-1", partnerKey).json().path("status").asText()).isEqualTo("published"));
            facts.put("onHand", onHand(http, BOOTSTRAP_KEY));
            facts.put("orderId", http.get("/api/v1/orders/store/" + transaction, BOOTSTRAP_KEY).json().path("order").path("id").asText());
        } finally {
            hub.destroy();
            hub.waitFor();
        }
        // the key the release sealed its stored connection credentials with, so they stay readable
        facts.put("encryptionKey", Files.readString(dir.resolve("data/secrets/encryption.key")).strip());
        Files.createDirectories(RECORDED);
        try (HikariDataSource db = TestDatabases.h2(dir.resolve("data"))) {
            StringBuilder tsv = new StringBuilder();
            new JdbcTemplate(db).query("SELECT version, description, type, checksum FROM flyway_schema_history "
                    + "WHERE version IS NOT NULL ORDER BY installed_rank", rs -> {
                        tsv.append(rs.getString(1)).append('\t').append(rs.getString(2)).append('\t').append(rs.getString(3))
                                .append('\t').append(rs.getString(4) == null ? "" : rs.getString(4)).append('\n');
                    });
            Files.writeString(RECORDED.resolve("migrations.tsv"), tsv.toString());
            Files.writeString(RECORDED.resolve("data.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(DatabaseSnapshot.dump(db)));
        }
        Files.writeString(RECORDED.resolve("facts.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(facts));
    }

    private static HttpApi.Reply sell(HttpApi http, String key, int sequence) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return http.post("/api/v1/pos/transactions", key, "{\"storeId\":\"STORE-7\",\"registerId\":\"R-UPGRADE\",\"businessDay\":\""
                + now.toString().substring(0, 10) + "\",\"sequence\":" + sequence + ",\"type\":\"sale\",\"occurredAt\":\"" + now
                + "\",\"currency\":\"USD\",\"lines\":[{\"sku\":\"" + SKU + "\",\"quantity\":1,\"unitPrice\":\"89.90\"}]}");
    }

    private static int onHand(HttpApi http, String key) {
        HttpApi.Reply reply = http.get("/api/v1/inventory/" + SKU, key);
        if (reply.status() != 200) {
            return Integer.MIN_VALUE;
        }
        for (JsonNode p : reply.json().path("positions")) {
            if ("STORE-7".equals(p.path("locationId").asText())) {
                return p.path("onHand").asInt();
            }
        }
        return Integer.MIN_VALUE;
    }

    private static List<String[]> releasedMigrations() throws IOException {
        List<String[]> out = new ArrayList<>();
        for (String line : new String(resource("migrations.tsv").readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                String[] f = line.split("\t", -1);
                out.add(new String[] {f[0], f[1], f[2], f[3]});
            }
        }
        return out;
    }

    private static JsonNode read(String name) throws IOException {
        try (InputStream in = resource(name)) {
            return JSON.readTree(in);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = MigrationUpgradeIT.class.getResourceAsStream("/upgrade/previous-release/" + name);
        assertThat(in).as("the recorded release: upgrade/previous-release/" + name + " (see this class's javadoc)").isNotNull();
        return in;
    }

    private static HikariDataSource pool(TestDatabases.PgCoordinates pg) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(pg.url());
        ds.setUsername(pg.user());
        ds.setPassword(pg.password());
        ds.setMaximumPoolSize(2);
        return ds;
    }
}
