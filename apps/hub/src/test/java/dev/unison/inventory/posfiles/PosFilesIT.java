package dev.unison.inventory.posfiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.hub.UnisonHubApplication;
import dev.unison.hub.support.OwnHub;
import dev.unison.inventory.posfiles.PosLogFiles.Sale;
import dev.unison.platform.deadletter.DeadLetters;
import dev.unison.platform.testkit.HttpApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * POS batch files into a whole hub, through its public surfaces only: files dropped into a folder or
 * put on an SFTP server (Apache MINA SSHD in process, password authentication, the host key pinned),
 * then the hub's REST APIs read (the file reports, stock). Each file once, each transaction once
 * (the POS API's key), bad transactions reported with their position, good ones applied.
 */
@SpringBootTest(classes = UnisonHubApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"unison.bootstrap-api-key=" + PosFilesIT.KEY, "unison.simulators.shopify.enabled=false",
                "unison.simulators.tiktok-shop.enabled=false", "unison.simulators.sfcc.enabled=false"})
class PosFilesIT {

    static final String KEY = "it-pos-files-key-0123456789";
    static final String STORE = "STORE-7";
    static final Duration SETTLE = Duration.ofSeconds(90);
    static final AtomicLong RUNS = new AtomicLong(System.nanoTime() % 100_000);
    static Path drop;
    static SftpServer sftp;

    @LocalServerPort
    int port;
    @Autowired
    DeadLetters deadLetters;
    @Autowired
    dev.unison.platform.edge.ApiSchemas schemas;
    @Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;
    HttpApi api;
    String run;

    @DynamicPropertySource
    static void hub(DynamicPropertyRegistry registry) throws Exception {
        OwnHub.register(registry, "pos-files-it");
        Path work = Files.createTempDirectory("pos-files-it-");
        drop = work.resolve("drop");
        sftp = new SftpServer(work.resolve("sftp-root"));
        Files.createDirectories(sftp.root.resolve("inbound"));
        Files.createDirectories(sftp.root.resolve("pinned"));
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        String otherKey = PublicKeyEntry.toString(ec.generateKeyPair().getPublic());
        Path connections = work.resolve("connections.yaml");
        Files.writeString(connections, """
                connections:
                  - id: pos-drop
                    connector: pos-files
                    settings:
                      format: poslog
                      source: folder
                      folder: %s
                      pollDelay: PT1S
                      readLockMinAge: PT1S
                      pageSize: 100
                  - id: pos-sftp
                    connector: pos-files
                    settings:
                      format: poslog
                      source: sftp
                      sftpHost: 127.0.0.1
                      sftpPort: %d
                      sftpUsername: %s
                      sftpPassword: ${POS_IT_SFTP_PASSWORD}
                      sftpDirectory: inbound
                      sftpHostKey: %s
                      pollDelay: PT1S
                      readLockMinAge: PT1S
                      pageSize: 100
                  - id: pos-sftp-other-key
                    connector: pos-files
                    settings:
                      format: poslog
                      source: sftp
                      sftpHost: 127.0.0.1
                      sftpPort: %d
                      sftpUsername: %s
                      sftpPassword: ${POS_IT_SFTP_PASSWORD}
                      sftpDirectory: pinned
                      sftpHostKey: %s
                      pollDelay: PT1S
                """.formatted(drop, sftp.port(), SftpServer.USER, sftp.hostKey(), sftp.port(), SftpServer.USER, otherKey));
        registry.add("unison.connections-location", () -> "file:" + connections);
        registry.add("POS_IT_SFTP_PASSWORD", () -> SftpServer.PASSWORD);
    }

    @AfterAll
    static void stopServer() throws IOException {
        sftp.close();
    }

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
        run = "P" + RUNS.incrementAndGet();
    }

    private String sku(String name) {
        return "PF-" + run + "-" + name;
    }

    private Sale sale(long sequence, String sku, int quantity) {
        return new Sale(STORE, "R" + run, sequence, sku, Integer.toString(quantity), "5.00");
    }

    private void stock(List<String> skus, long quantity) {
        StringBuilder counts = new StringBuilder();
        skus.forEach(s -> counts.append(counts.length() == 0 ? "" : ",").append("{\"sku\":\"").append(s).append("\",\"quantity\":")
                .append(quantity).append('}'));
        HttpApi.Reply counted = api.post("/api/v1/inventory/counts", KEY, "{\"countId\":\"open-" + run + "\",\"locationId\":\"" + STORE
                + "\",\"asOf\":\"2026-11-26T00:00:00Z\",\"counts\":[" + counts + "]}");
        assertThat(counted.status()).as(counted.body()).isEqualTo(200);
    }

    private long onHand(String sku) {
        JsonNode view = api.get("/api/v1/inventory/" + sku, KEY).json();
        for (JsonNode position : view.get("positions")) {
            if (position.get("locationId").asText().equals(STORE)) {
                return position.get("onHand").asLong();
            }
        }
        throw new AssertionError("no position of " + sku + " at " + STORE + ": " + view);
    }

    /** The file's report once every transaction it handed over is applied. */
    private JsonNode report(String sha256, long transactions) {
        JsonNode[] report = new JsonNode[1];
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            HttpApi.Reply reply = api.get("/api/v1/pos/files/" + sha256, KEY);
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            assertThat(reply.json().at("/counts/transactions").asLong()).isEqualTo(transactions);
            assertThat(reply.json().at("/counts/pending").asLong()).as(reply.body()).isZero();
            report[0] = reply.json();
        });
        return report[0];
    }

    private static List<String> names(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theSamePosLogDroppedTwiceAppliesNothingTwice() throws Exception {
        String a = sku("A");
        String b = sku("B");
        stock(List.of(a, b), 100);
        String content = PosLogFiles.poslog(List.of(sale(1, a, 1), sale(2, b, 2), sale(3, a, 3)));
        String sha = PosLogFiles.sha256(content);

        PosLogFiles.drop(drop, "twice-" + run + "-first.xml", content);
        JsonNode first = report(sha, 3);

        assertThat(first.get("name").asText()).isEqualTo("twice-" + run + "-first.xml");
        assertThat(first.get("connectionId").asText()).isEqualTo("pos-drop");
        assertThat(first.get("sha256").asText()).isEqualTo(sha);
        assertThat(first.at("/counts/accepted").asLong()).isEqualTo(3);
        assertThat(first.get("transactions")).extracting(t -> t.get("outcome").asText()).containsOnly("accepted");
        assertThat(first.get("transactions")).extracting(t -> t.get("key").asText())
                .containsExactly(sale(1, a, 1).key(), sale(2, b, 2).key(), sale(3, a, 3).key());
        assertThat(onHand(a)).isEqualTo(96);
        assertThat(onHand(b)).isEqualTo(98);

        PosLogFiles.drop(drop, "twice-" + run + "-again.xml", content);
        await().atMost(SETTLE).untilAsserted(() -> {
            JsonNode again = api.get("/api/v1/pos/files/" + sha, KEY).json();
            assertThat(again.get("duplicateReceipts").asInt()).isEqualTo(1);
            assertThat(names(drop)).noneMatch(n -> n.contains(run));
        });
        assertThat(names(drop.resolve(".done"))).filteredOn(n -> n.contains("twice-" + run)).hasSize(2);
        JsonNode after = api.get("/api/v1/pos/files/" + sha, KEY).json();
        assertThat(after.at("/counts/accepted").asLong()).isEqualTo(3);
        assertThat(after.at("/counts/duplicate").asLong()).isZero();
        assertThat(onHand(a)).as("nothing applied twice").isEqualTo(96);
        assertThat(onHand(b)).isEqualTo(98);
        // the reports' retention statements run on this database (a cutoff before every report: nothing deleted)
        for (dev.unison.platform.retention.RetentionRule rule : dev.unison.inventory.PosFileRetention.rules(Duration.ofDays(90))) {
            assertThat(jdbc.update(rule.deleteBatch(), java.time.OffsetDateTime.parse("2000-01-01T00:00:00Z"), 10)).isZero();
        }
        JsonNode listed = api.get("/api/v1/pos/files?limit=50", KEY).json();
        assertThat(schemas.validateResponse("get-pos-files", listed)).isEmpty();
        assertThat(schemas.validateResponse("get-pos-file", after)).isEmpty();
        assertThat(listed.get("files")).anySatisfy(f -> {
            assertThat(f.get("fileId").asText()).isEqualTo(sha);
            assertThat(f.at("/counts/accepted").asLong()).isEqualTo(3);
        });
    }

    @Test
    void aFileOverlappingThePosApiAppliesEachTransactionOnceAndAConflictingOneNotAtAll() throws Exception {
        String a = sku("A");
        stock(List.of(a), 100);
        List<Sale> sales = new ArrayList<>(List.of(sale(1, a, 1), sale(2, a, 2), sale(3, a, 3), sale(4, a, 4)));
        for (Sale s : List.of(sales.get(0), sales.get(1), sale(5, a, 5))) {
            HttpApi.Reply sent = api.post("/api/v1/pos/transactions", KEY, s.json());
            assertThat(sent.status()).as(sent.body()).isEqualTo(201);
        }
        sales.add(sale(5, a, 6)); // the same key as the API's sale 5, other content
        String content = PosLogFiles.poslog(sales);

        PosLogFiles.drop(drop, "overlap-" + run + ".xml", content);
        JsonNode report = report(PosLogFiles.sha256(content), 5);

        assertThat(report.at("/counts/accepted").asLong()).isEqualTo(2);
        assertThat(report.at("/counts/duplicate").asLong()).isEqualTo(2);
        assertThat(report.at("/counts/conflict").asLong()).isEqualTo(1);
        Map<String, String> outcomes = new HashMap<>();
        report.get("transactions").forEach(t -> outcomes.put(t.get("key").asText(), t.get("outcome").asText()));
        assertThat(outcomes).containsEntry(sales.get(0).key(), "duplicate").containsEntry(sales.get(1).key(), "duplicate")
                .containsEntry(sales.get(2).key(), "accepted").containsEntry(sales.get(3).key(), "accepted")
                .containsEntry(sales.get(4).key(), "conflict");
        assertThat(report.get("transactions").get(4).get("reasons").get(0).asText()).contains("different content");
        assertThat(onHand(a)).as("1+2 by the API, 3+4 by the file, 5 by the API only").isEqualTo(100 - 1 - 2 - 3 - 4 - 5);
        assertThat(deadLetters.recent("inventory-pos-files", 100)).anySatisfy(d -> assertThat(d.reason())
                .contains(sales.get(4).key()).contains("overlap-" + run + ".xml"));
        // the API answers the file's transactions as duplicates too
        assertThat(api.post("/api/v1/pos/transactions", KEY, sales.get(2).json()).status()).isEqualTo(200);
    }

    @Test
    void aMalformedTransactionIsReportedWithItsPositionAndTheOthersAreApplied() throws Exception {
        String a = sku("A");
        String b = sku("B");
        stock(List.of(a, b), 50);
        List<Sale> sales = List.of(sale(1, a, 1), new Sale(STORE, "R" + run, 2, b, "two", "5.00"), sale(3, b, 3),
                new Sale("STORE-NOWHERE", "R" + run, 4, a, "1", "5.00"));
        String content = PosLogFiles.poslog(sales);

        PosLogFiles.drop(drop, "malformed-" + run + ".xml", content);
        JsonNode report = report(PosLogFiles.sha256(content), 4);

        assertThat(report.at("/counts/accepted").asLong()).isEqualTo(2);
        assertThat(report.at("/counts/rejected").asLong()).isEqualTo(2);
        JsonNode bad = report.get("transactions").get(1);
        assertThat(bad.get("ordinal").asLong()).isEqualTo(2);
        assertThat(bad.get("outcome").asText()).isEqualTo("rejected");
        assertThat(bad.get("position").asText()).matches("Transaction #2 \\(line \\d+, column \\d+\\)");
        assertThat(bad.get("reasons").toString()).contains("Quantity").contains("two");
        assertThat(schemas.validateResponse("get-pos-file", report)).isEmpty();
        JsonNode unknownStore = report.get("transactions").get(3);
        assertThat(unknownStore.get("outcome").asText()).isEqualTo("rejected");
        assertThat(unknownStore.get("reasons").get(0).asText()).contains("unknown store 'STORE-NOWHERE'");
        assertThat(onHand(a)).isEqualTo(49);
        assertThat(onHand(b)).isEqualTo(47);

        // a file cut short is rejected as a whole: nothing of it applied, moved to .failed
        String c = sku("C");
        stock(List.of(c), 10);
        String cut = PosLogFiles.HEAD + sale(10, c, 1).poslog() + "<Transaction><RetailStoreID>STORE-7</RetailStoreID>";
        PosLogFiles.drop(drop, "cut-" + run + ".xml", cut);
        await().atMost(SETTLE).untilAsserted(() -> {
            HttpApi.Reply reply = api.get("/api/v1/pos/files/" + PosLogFiles.sha256(cut), KEY);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().get("status").asText()).isEqualTo("rejected");
            assertThat(reply.json().get("fileRejection").asText()).isNotBlank();
            assertThat(names(drop.resolve(".failed"))).anyMatch(n -> n.endsWith("cut-" + run + ".xml"));
        });
        assertThat(onHand(c)).isEqualTo(10);
    }

    @Test
    void sftpFilesArePickedUpWithThePinnedHostKeyAndAConnectionDroppedMidTransferLosesNothing() throws Exception {
        // a file for the connection that pins another host key: it must never be fetched
        String pinned = PosLogFiles.poslog(List.of(sale(99, sku("PIN"), 1)));
        PosLogFiles.drop(sftp.root.resolve("pinned"), "pinned-" + run + ".xml", pinned);

        String a = sku("A");
        stock(List.of(a), 100);
        String small = PosLogFiles.poslog(List.of(sale(1, a, 1), sale(2, a, 2)));
        PosLogFiles.drop(sftp.root.resolve("inbound"), "sftp-" + run + ".xml", small);
        JsonNode first = report(PosLogFiles.sha256(small), 2);
        assertThat(first.get("connectionId").asText()).isEqualTo("pos-sftp");
        assertThat(first.at("/counts/accepted").asLong()).isEqualTo(2);
        assertThat(onHand(a)).isEqualTo(97);
        await().atMost(SETTLE).untilAsserted(() -> assertThat(names(sftp.root.resolve("inbound/.done")))
                .anyMatch(n -> n.endsWith("sftp-" + run + ".xml")));

        // a large file whose transfer the server cuts once: read again, every transaction applied once
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            skus.add(sku("D" + i));
        }
        stock(skus, 1000);
        List<Sale> sales = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            sales.add(sale(1000 + i, skus.get(i % skus.size()), 1));
        }
        String large = PosLogFiles.poslog(sales);
        assertThat(large.length()).isGreaterThan((int) SftpServer.DROP_AFTER * 2);
        PosLogFiles.drop(sftp.root.resolve("inbound"), "sftp-" + run + "-" + SftpServer.DROP_ONCE + ".xml", large);
        JsonNode report = report(PosLogFiles.sha256(large), 400);
        assertThat(sftp.dropped).as("the server cut a transfer").isTrue();
        assertThat(report.at("/counts/accepted").asLong()).isEqualTo(400);
        assertThat(report.at("/counts/duplicate").asLong()).isZero();
        for (String s : skus) {
            assertThat(onHand(s)).as(s).isEqualTo(960);
        }
        await().atMost(SETTLE).untilAsserted(() -> assertThat(names(sftp.root.resolve("inbound/.done")))
                .anyMatch(n -> n.endsWith(SftpServer.DROP_ONCE + ".xml")));
        assertThat(names(sftp.root.resolve("inbound"))).noneMatch(n -> n.contains(run));

        // the connection pinning another key never took its file
        assertThat(names(sftp.root.resolve("pinned"))).contains("pinned-" + run + ".xml");
        assertThat(api.get("/api/v1/pos/files/" + PosLogFiles.sha256(pinned), KEY).status()).isEqualTo(404);
    }
}
