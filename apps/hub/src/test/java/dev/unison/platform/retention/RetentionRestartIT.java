package dev.unison.platform.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.unison.hub.support.ForkedHub;
import dev.unison.platform.testkit.HttpApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The packaged hub on its embedded default, stopped, some of its rows aged past their retention by
 * hand, started again: the sweep at start-up deletes the aged rows and nothing still needed. An
 * event inside the window is still traceable and still answered "duplicate" when resent, a POS sale
 * resent after its row aged is still applied once (POS transactions are kept), and the aged event
 * is gone from the API.
 */
class RetentionRestartIT {

    private static final String KEY = "retention-it-bootstrap-key-123456";
    private static final String EVENT = "{\"id\":\"%s\",\"type\":\"commerce.item.upserted.v1\",\"data\":{\"sku\":\"RET-1\"}}";

    @TempDir
    Path work;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void aRestartAfterASweepLosesNothingStillInsideItsWindow() throws Exception {
        Path data = Files.createDirectories(work.resolve("data"));
        Path logs = Files.createDirectories(Path.of("target", "retention-it-logs"));
        int port = ForkedHub.freePort();
        Process first = start(port, data, logs.resolve("first.log"));
        HttpApi http = ForkedHub.awaitUp(port, first);
        assertThat(http.post("/api/v1/events", KEY, EVENT.formatted("ret-recent")).status()).isEqualTo(202);
        assertThat(http.post("/api/v1/events", KEY, EVENT.formatted("ret-aged")).status()).isEqualTo(202);
        String sale = """
                {"storeId": "STORE-7", "registerId": "R-RET", "businessDay": "%s", "sequence": 1, "type": "sale",
                 "occurredAt": "%s", "currency": "USD", "lines": [{"sku": "RET-SKU", "quantity": 1, "unitPrice": "9.90"}]}
                """.formatted(Instant.now().toString().substring(0, 10), Instant.now().minusSeconds(1));
        assertThat(http.post("/api/v1/pos/transactions", KEY, sale).status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).until(() -> "published".equals(http.get("/api/v1/events/ret-aged", KEY).json()
                .path("status").asText()) && "published".equals(http.get("/api/v1/events/ret-recent", KEY).json().path("status").asText()));
        long onHand = onHand(http);
        first.destroy(); // SIGTERM: the database file closes cleanly and can be opened by this test
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();

        // eight days pass for some rows: past unison.outbox.retention and unison.retention.inbox (7 d)
        JdbcTemplate jdbc = new JdbcTemplate(database(data));
        OffsetDateTime eightDaysAgo = OffsetDateTime.now(ZoneOffset.UTC).minusDays(8);
        assertThat(jdbc.update("UPDATE outbox_event SET created_at = ? WHERE owner_event_id = 'ret-aged'", eightDaysAgo))
                .isEqualTo(1);
        assertThat(jdbc.update("UPDATE pos_transaction SET received_at = ? WHERE register_id = 'R-RET'", eightDaysAgo)).isEqualTo(1);
        jdbc.update("INSERT INTO inbox (connection_id, connector, message_type, dedupe_key, headers, body, received_at, status) "
                + "VALUES ('shopify-demo', 'shopify', 'orders/create', 'aged-delivery', '{}', '{}', ?, 'processed'), "
                + "('shopify-demo', 'shopify', 'orders/create', 'recent-delivery', '{}', '{}', ?, 'processed')",
                eightDaysAgo, OffsetDateTime.now(ZoneOffset.UTC).minusDays(1));
        jdbc.execute("SHUTDOWN");

        Process second = start(port, data, logs.resolve("second.log"));
        HttpApi again = ForkedHub.awaitUp(port, second);
        // the sweep's first round runs as the hub starts
        await().atMost(Duration.ofSeconds(30)).until(() -> again.get("/api/v1/events/ret-aged", KEY).status() == 404);

        HttpApi.Reply recent = again.get("/api/v1/events/ret-recent", KEY);
        assertThat(recent.status()).as(recent.body()).isEqualTo(200);
        assertThat(recent.json().get("status").asText()).isEqualTo("published");
        assertThat(again.post("/api/v1/events", KEY, EVENT.formatted("ret-recent")).json().get("status").asText())
                .as("a resend inside the window is still recognised").isEqualTo("duplicate");
        assertThat(again.post("/api/v1/pos/transactions", KEY, sale).status()).as("POS transactions are kept: applied once")
                .isEqualTo(200);
        assertThat(onHand(again)).isEqualTo(onHand);
        String metrics = again.get("/actuator/prometheus", null).body();
        assertThat(metrics).containsPattern("unison_retention_deleted_total\\{[^}]*table=\"outbox_event\"[^}]*\\} 1\\.0")
                .containsPattern("unison_retention_deleted_total\\{[^}]*table=\"inbox\"[^}]*\\} 1\\.0");
        second.destroy();
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();

        JdbcTemplate after = new JdbcTemplate(database(data));
        assertThat(after.queryForList("SELECT dedupe_key FROM inbox WHERE dedupe_key LIKE '%-delivery'", String.class))
                .containsExactly("recent-delivery");
        assertThat(after.queryForObject("SELECT COUNT(*) FROM pos_transaction WHERE register_id = 'R-RET'", Long.class))
                .isEqualTo(1);
        after.execute("SHUTDOWN");
    }

    private static long onHand(HttpApi http) {
        HttpApi.Reply inventory = http.get("/api/v1/inventory/RET-SKU", KEY);
        assertThat(inventory.status()).as(inventory.body()).isEqualTo(200);
        long total = 0;
        for (var position : inventory.json().path("positions")) {
            total += position.path("onHand").asLong();
        }
        return total;
    }

    private static JdbcDataSource database(Path data) {
        JdbcDataSource dataSource = new JdbcDataSource();
        // the hub's own URL options that change how names and values are read (config/application.yaml)
        dataSource.setURL("jdbc:h2:file:" + data.toAbsolutePath().resolve("db/unison")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
        dataSource.setUser("sa");
        return dataSource;
    }

    private Process start(int port, Path data, Path log) throws IOException {
        Process process = ForkedHub.start(List.of("--server.port=" + port,
                "--unison.data-dir=" + data.toAbsolutePath(),
                "--unison.bootstrap-api-key=" + KEY,
                "--unison.simulators.shopify.enabled=false", "--unison.simulators.tiktok-shop.enabled=false",
                "--unison.simulators.sfcc.enabled=false"), Map.of(), log);
        processes.add(process);
        return process;
    }
}
