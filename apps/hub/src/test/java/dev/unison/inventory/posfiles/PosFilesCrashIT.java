package dev.unison.inventory.posfiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.hub.support.ForkedHub;
import dev.unison.inventory.posfiles.PosLogFiles.Sale;
import dev.unison.platform.testkit.HttpApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 while a large POS file is being taken in, with real processes: the packaged hub reads a
 * POSLog of 20,000 transactions from its drop folder and is killed with SIGKILL once some of them
 * have reached the stock; the file must still be in the folder (never moved before its transactions
 * are stored). Restarted on the same data directory, the hub reads the file again and every
 * transaction is applied exactly once: the stock and the file's report say so.
 */
class PosFilesCrashIT {

    private static final String KEY = "pos-files-crash-it-key-1234567890";
    private static final int TRANSACTIONS = 20_000;
    private static final int SKUS = 20;
    private static final long STOCK = 10_000;

    @TempDir
    Path work;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void everyTransactionOfAFileIsAppliedExactlyOnceAfterAKillMidFile() throws Exception {
        Path data = Files.createDirectories(work.resolve("data"));
        Path drop = work.resolve("drop");
        Files.writeString(work.resolve("application.yaml"), """
                unison:
                  simulators:
                    shopify: {enabled: false}
                    tiktok-shop: {enabled: false}
                    sfcc: {enabled: false}
                  inventory:
                    locations:
                      - {id: STORE-7, type: store, channels: [store]}
                """);
        Files.writeString(work.resolve("connections.yaml"), """
                connections:
                  - id: pos-crash
                    connector: pos-files
                    settings:
                      format: poslog
                      source: folder
                      folder: %s
                      pollDelay: PT1S
                      readLockMinAge: PT1S
                      pageSize: 100
                """.formatted(drop));
        int port = ForkedHub.freePort();
        Path logs = Files.createDirectories(Path.of("target", "crash-it-logs"));
        Process first = start(port, data, logs.resolve("pos-files-first.log"));
        HttpApi http = ForkedHub.awaitUp(port, first);

        List<String> skus = new ArrayList<>();
        for (int i = 0; i < SKUS; i++) {
            skus.add("PFC-" + i);
        }
        StringBuilder counts = new StringBuilder();
        skus.forEach(s -> counts.append(counts.length() == 0 ? "" : ",").append("{\"sku\":\"").append(s).append("\",\"quantity\":")
                .append(STOCK).append('}'));
        assertThat(http.post("/api/v1/inventory/counts", KEY, "{\"countId\":\"open\",\"locationId\":\"STORE-7\",\"asOf\":"
                + "\"2026-11-26T00:00:00Z\",\"counts\":[" + counts + "]}").status()).isEqualTo(200);

        List<Sale> sales = new ArrayList<>();
        for (int i = 0; i < TRANSACTIONS; i++) {
            sales.add(new Sale("STORE-7", "R" + (i % 8), i, skus.get(i % SKUS), "1", "2.50"));
        }
        String content = PosLogFiles.poslog(sales);
        String sha = PosLogFiles.sha256(content);
        String name = "store7-journal-20k.xml";
        PosLogFiles.drop(drop, name, content);

        // once some transactions reached the stock, and the file is not complete: SIGKILL
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                .until(() -> STOCK - onHand(http, skus.get(0)) > 0);
        first.destroyForcibly();
        assertThat(first.waitFor()).isNotZero();
        assertThat(drop.resolve(name)).as("the file stays until its transactions are stored").exists();
        long beforeRestart = names(drop.resolve(".done")).size();
        assertThat(beforeRestart).isZero();

        Process second = start(port, data, logs.resolve("pos-files-second.log"));
        HttpApi again = ForkedHub.awaitUp(port, second);
        JsonNode[] report = new JsonNode[1];
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            HttpApi.Reply reply = again.get("/api/v1/pos/files/" + sha + "?limit=1", KEY);
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            assertThat(reply.json().at("/counts/transactions").asLong()).isEqualTo(TRANSACTIONS);
            assertThat(reply.json().at("/counts/pending").asLong()).as(reply.body()).isZero();
            report[0] = reply.json();
        });
        assertThat(report[0].at("/counts/accepted").asLong()).as(report[0].toString()).isEqualTo(TRANSACTIONS);
        assertThat(report[0].at("/counts/duplicate").asLong()).isZero();
        assertThat(report[0].at("/counts/conflict").asLong()).isZero();
        assertThat(report[0].at("/counts/rejected").asLong()).isZero();
        List<String> wrong = new ArrayList<>();
        for (String sku : skus) {
            long expected = STOCK - TRANSACTIONS / SKUS;
            long actual = onHand(again, sku);
            if (actual != expected) {
                wrong.add(sku + ": onHand " + actual + ", expected " + expected);
            }
        }
        assertThat(wrong).as("every transaction applied exactly once").isEmpty();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(drop.resolve(name)).doesNotExist();
            assertThat(names(drop.resolve(".done"))).anyMatch(n -> n.endsWith(name));
        });
        System.out.printf("POS file crash: %d transactions, killed mid-file, all applied once after the restart%n", TRANSACTIONS);
        second.destroy();
        second.waitFor();
    }

    private static long onHand(HttpApi http, String sku) {
        HttpApi.Reply reply = http.get("/api/v1/inventory/" + sku, KEY);
        for (JsonNode position : reply.json().get("positions")) {
            if (position.get("locationId").asText().equals("STORE-7")) {
                return position.get("onHand").asLong();
            }
        }
        throw new AssertionError(reply.body());
    }

    private static List<String> names(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    private Process start(int port, Path data, Path log) throws IOException {
        Process process = ForkedHub.start(List.of(
                "--spring.config.additional-location=file:" + work.toAbsolutePath() + "/",
                "--server.port=" + port,
                "--unison.data-dir=" + data.toAbsolutePath(),
                "--unison.bootstrap-api-key=" + KEY,
                "--unison.connections-location=file:" + work.resolve("connections.yaml").toAbsolutePath()),
                Map.of(), log);
        processes.add(process);
        return process;
    }
}
