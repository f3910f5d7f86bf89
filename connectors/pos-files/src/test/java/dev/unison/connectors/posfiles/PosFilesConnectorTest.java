package dev.unison.connectors.posfiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.pos.PosFileReport;
import dev.unison.canonical.pos.RecordedPosTransaction;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.platform.testkit.MemoryConnectorContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connection settings (descriptor schema and the settings record) and the intake's once-per-file, once-per-transaction logic. */
class PosFilesConnectorTest {

    static final String HOST_KEY = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBExample=";
    private final PosFilesConnector connector = new PosFilesConnector(Fixtures.CLOCK);

    @TempDir
    Path dir;

    private MemoryConnectorContext context(String settings, Map<String, String> env) {
        return new MemoryConnectorContext(connector.descriptor(), """
                connections:
                  - id: pos-it
                    connector: pos-files
                    settings:
                %s
                """.formatted(settings.indent(6).stripTrailing()), env, Fixtures.CLOCK);
    }

    private MemoryConnectorContext folder(String format) {
        return context("format: %s\nsource: folder\nfolder: %s\npageSize: 2".formatted(format, dir.resolve("drop")), Map.of());
    }

    @Test
    void aFolderConnectionNeedsItsFolderAndAnSftpOneItsHostUserCredentialAndPinnedHostKey() {
        assertThatThrownBy(() -> context("format: csv\nsource: folder", Map.of())).hasMessageContaining("folder");
        assertThatThrownBy(() -> context("format: xls\nsource: folder\nfolder: /tmp/x", Map.of())).hasMessageContaining("format");
        assertThatThrownBy(() -> context("format: poslog\nsource: sftp\nsftpHost: sftp.example.com\nsftpUsername: hub\n"
                + "sftpHostKey: " + HOST_KEY, Map.of())).as("neither password nor private key").hasMessageContaining("sftpPassword");
        assertThatThrownBy(() -> context("format: poslog\nsource: sftp\nsftpHost: sftp.example.com\nsftpUsername: hub\n"
                + "sftpPassword: ${POS_SFTP_PASSWORD}", Map.of("POS_SFTP_PASSWORD", "s3cret")))
                .as("strict host key checking is on by default: the key is required").hasMessageContaining("sftpHostKey");
        assertThatThrownBy(() -> context("format: poslog\nsource: sftp\nsftpHost: sftp.example.com\nsftpUsername: hub\n"
                + "sftpPassword: s3cret\nsftpHostKey: " + HOST_KEY, Map.of())).as("a secret inline")
                .hasMessageContaining("sftpPassword: a secret must come from");
        assertThatThrownBy(() -> context("format: poslog\nsource: sftp\nsftpHost: sftp.example.com\nsftpUsername: hub\n"
                + "sftpPassword: ${P}\nsftpHostKey: 'not a key'", Map.of("P", "x"))).hasMessageContaining("sftpHostKey");

        Connection sftp = context("format: poslog\nsource: sftp\nsftpHost: sftp.example.com\nsftpPort: 2222\nsftpUsername: hub\n"
                + "sftpPassword: ${P}\nsftpHostKey: " + HOST_KEY + "\nlocalTimeZone: America/Chicago", Map.of("P", "s3cret"))
                .connections.get(0);
        PosFilesSettings settings = PosFilesSettings.of(sftp);
        assertThat(settings.sftp().orElseThrow().knownHostsLine()).contains("[sftp.example.com]:2222 " + HOST_KEY);
        assertThat(settings.sftp().orElseThrow().password().orElseThrow().reveal()).isEqualTo("s3cret");
        assertThat(settings.sftp().orElseThrow().strictHostKeyChecking()).isTrue();
        assertThat(settings.include()).isEqualTo(".*\\.xml(\\.gz)?");
        assertThat(settings.localTimeZone()).hasValueSatisfying(z -> assertThat(z.getId()).isEqualTo("America/Chicago"));
        assertThat(sftp.redactedSettings().toString()).doesNotContain("s3cret");

        Connection noStrict = context("format: csv\nsource: sftp\nsftpHost: h\nsftpUsername: u\nsftpPrivateKey: ${K}\n"
                + "sftpStrictHostKeyChecking: false", Map.of("K", "-----BEGIN OPENSSH PRIVATE KEY-----")).connections.get(0);
        assertThat(PosFilesSettings.of(noStrict).sftp().orElseThrow().knownHostsLine()).isEmpty();

        assertThatThrownBy(() -> PosFilesSettings.of(context("format: poslog\nsource: folder\nfolder: /tmp/x\nlocalTimeZone: Mars/Olympus",
                Map.of()).connections.get(0))).hasMessageContaining("localTimeZone");
        assertThatThrownBy(() -> PosFilesSettings.of(context("format: poslog\nsource: folder\nfolder: /tmp/x\n"
                + "posLogLoyaltyIdPaths: ['RetailTransaction/[broken']", Map.of()).connections.get(0))).hasMessageContaining("pos-it");
    }

    static final String POSLOG_ROOT = "<POSLog xmlns=\"http://www.nrf-arts.org/IXRetail/namespace/\" "
            + "xmlns:acs=\"http://www.ncr.com/rsd/acs/tlog/markup/poslog/2.1\">\n";

    static final String CSV = """
            store_id,register_id,business_date,txn_seq,line_no,line_type,sku,gtin,qty,unit_price,ext_amount,discount,currency,loyalty_id,tender_type,auth_code,card_token,event_ts
            STORE-7,R1,2026-11-26,1,1,SALE,TRAIL-SHOE-42,,2,89.90,179.80,,USD,,,,,2026-11-26T10:15:10Z
            STORE-7,R1,2026-11-26,2,1,SALE,SOCKS-3,,two,5,5,,USD,,,,,2026-11-26T10:16:10Z
            STORE-7,R1,2026-11-26,3,1,SALE,SOCKS-3,,1,5,5,,USD,,,,,2026-11-26T10:17:10Z
            STORE-7,R1,2026-11-26,4,1,RETURN,SOCKS-3,,1,5,5,,USD,,,,,2026-11-26T10:18:10Z
            """;

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    private static List<InboundDelivery> of(MemoryConnectorContext context, String type) {
        return context.stored.stream().filter(d -> d.messageType().equals(type)).toList();
    }

    @Test
    void aFileIsTakenOnceByItsChecksumAndItsBadTransactionIsReportedWithItsLines() throws Exception {
        MemoryConnectorContext context = folder("csv");
        PosFilesSettings settings = PosFilesSettings.of(context.connections.get(0));
        PosFileIntake intake = connector.intake(settings, context);
        Path file = write("store7-1126.csv", CSV);

        PosFileIntake.Taken taken = intake.take(file, "store7-1126.csv", Instant.EPOCH);

        assertThat(taken.status()).isEqualTo(PosFileIntake.Taken.Status.PROCESSED);
        assertThat(taken.report().fileId()).isEqualTo(PosFileIntake.sha256(file));
        assertThat(taken.report().transactions()).isEqualTo(4);
        assertThat(taken.report().accepted()).isEqualTo(3);
        assertThat(taken.report().issues()).singleElement().satisfies(issue -> {
            assertThat(issue.ordinal()).isEqualTo(2);
            assertThat(issue.key()).isEqualTo("STORE-7:R1:2026-11-26:2");
            assertThat(issue.position()).isEqualTo("line 3");
            assertThat(issue.reasons()).anySatisfy(r -> assertThat(r).contains("qty"));
        });
        assertThat(of(context, PosFileIntake.TRANSACTION)).hasSize(3);
        assertThat(of(context, PosFileIntake.FILE)).hasSize(1);
        assertThat(context.cursors).containsValue(PosFileIntake.DONE);
        assertThat(context.deadLetters).singleElement().satisfies(d -> {
            assertThat(d.consumer()).isEqualTo("pos-files:pos-it");
            assertThat(d.reason()).contains("store7-1126.csv line 3").contains("qty");
        });

        // the same bytes again, under another name: a duplicate file, nothing handed over
        Path again = write("store7-1126-resent.csv", CSV);
        PosFileIntake.Taken duplicate = intake.take(again, "store7-1126-resent.csv", Instant.ofEpochMilli(5));
        assertThat(duplicate.status()).isEqualTo(PosFileIntake.Taken.Status.DUPLICATE);
        assertThat(of(context, PosFileIntake.TRANSACTION)).hasSize(3);
        assertThat(of(context, PosFileIntake.FILE)).hasSize(2);
        assertThat(duplicate.report().status()).isEqualTo("duplicate");

        // every delivery maps to a schema-valid canonical event; the file's place travels with each transaction
        Connection connection = context.connections.get(0);
        List<CanonicalEvent> events = context.stored.stream().flatMap(d -> connector.mapInbound(d, connection, context).stream())
                .toList();
        assertThat(events).filteredOn(e -> e.type() == EventType.POS_TRANSACTION_RECORDED).hasSize(3)
                .allSatisfy(e -> assertThat(e.dataAs(RecordedPosTransaction.class).file().fileId()).isEqualTo(taken.report().fileId()));
        RecordedPosTransaction third = events.stream().filter(e -> e.type() == EventType.POS_TRANSACTION_RECORDED)
                .map(e -> e.dataAs(RecordedPosTransaction.class)).filter(r -> r.transaction().get("sequence").asLong() == 3).findFirst().orElseThrow();
        assertThat(third.file().ordinal()).isEqualTo(3);
        assertThat(third.transaction().at("/lines/0/unitPrice").asText()).as("prices as written").isEqualTo("5");
        assertThat(events.stream().filter(e -> e.type() == EventType.POS_TRANSACTION_RECORDED)
                .map(e -> e.dataAs(RecordedPosTransaction.class)).filter(r -> r.transaction().get("sequence").asLong() == 1)
                .findFirst().orElseThrow().transaction().at("/lines/0/unitPrice").asText()).isEqualTo("89.90");
        assertThat(third.file().position()).isEqualTo("line 4");
        assertThat(events.stream().filter(e -> e.type() == EventType.POS_FILE_PROCESSED).map(e -> e.dataAs(PosFileReport.class)
                .status())).containsExactly("processed", "duplicate");
        assertThat(connector.mapInbound(context.stored.get(0), connection, context).get(0).id())
                .as("event ids derive from the delivery: a replay publishes nothing twice")
                .isEqualTo(connector.mapInbound(context.stored.get(0), connection, context).get(0).id());
    }

    @Test
    void aFileRejectedAsAWholeHandsNothingOverEvenItsGoodTransactions() throws Exception {
        MemoryConnectorContext context = folder("poslog");
        PosFileIntake intake = connector.intake(PosFilesSettings.of(context.connections.get(0)), context);
        String truncated = "<?xml version=\"1.0\"?>\n" + POSLOG_ROOT + ""
                + LargePosLogTest.transaction(1) + LargePosLogTest.transaction(2) + "<Transaction><RetailStoreID>STORE-7";
        PosFileIntake.Taken taken = intake.take(write("cut.xml", truncated), "cut.xml", Instant.EPOCH);

        assertThat(taken.status()).isEqualTo(PosFileIntake.Taken.Status.REJECTED);
        assertThat(taken.report().fileRejection()).isNotBlank();
        assertThat(of(context, PosFileIntake.TRANSACTION)).isEmpty();
        assertThat(of(context, PosFileIntake.FILE)).singleElement().satisfies(d -> assertThat(d.dedupeKey()).endsWith(":rejected"));
        assertThat(context.cursors).as("a rejected file is not marked done: fixed settings read it again").isEmpty();
    }

    @Test
    void aCrashMidFileResumesAfterTheLastCommittedPageAndStoresNothingTwice() throws Exception {
        MemoryConnectorContext context = folder("poslog");
        PosFileIntake intake = connector.intake(PosFilesSettings.of(context.connections.get(0)), context);
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n" + POSLOG_ROOT + "");
        for (int i = 1; i <= 7; i++) {
            xml.append(LargePosLogTest.transaction(i));
        }
        Path file = write("big.xml", xml.append("</POSLog>\n").toString());
        context.failOnPage = 3; // pages of 2: the third commit dies
        assertThatThrownBy(() -> intake.take(file, "big.xml", Instant.EPOCH)).hasMessageContaining("died");
        assertThat(of(context, PosFileIntake.TRANSACTION)).hasSize(4);
        assertThat(context.cursors).containsValue("n:4");

        PosFileIntake.Taken again = intake.take(file, "big.xml", Instant.EPOCH);
        assertThat(again.status()).isEqualTo(PosFileIntake.Taken.Status.PROCESSED);
        assertThat(again.stored()).isEqualTo(3);
        assertThat(of(context, PosFileIntake.TRANSACTION)).hasSize(7)
                .extracting(InboundDelivery::dedupeKey).doesNotHaveDuplicates();
        assertThat(of(context, PosFileIntake.FILE)).hasSize(1);
    }

    @Test
    void theSameTransactionInAnotherFileIsADeliveryOfItsOwnSoThatFilesReportNamesItsOutcome() throws Exception {
        MemoryConnectorContext context = folder("csv");
        PosFileIntake intake = connector.intake(PosFilesSettings.of(context.connections.get(0)), context);
        intake.take(write("a.csv", CSV), "a.csv", Instant.EPOCH);
        String overlapping = CSV.lines().filter(l -> !l.contains(",4,1,RETURN")).reduce("", (a, b) -> a + b + "\n")
                + "STORE-7,R1,2026-11-26,5,1,SALE,SOCKS-3,,3,5,15,,USD,,,,,2026-11-26T10:19:10Z\n";
        PosFileIntake.Taken second = intake.take(write("b.csv", overlapping), "b.csv", Instant.EPOCH);
        assertThat(second.status()).isEqualTo(PosFileIntake.Taken.Status.PROCESSED);
        assertThat(second.stored()).isEqualTo(3);
        List<String> keys = of(context, PosFileIntake.TRANSACTION).stream().map(InboundDelivery::dedupeKey).toList();
        assertThat(keys).hasSize(6).doesNotHaveDuplicates();
        assertThat(keys).filteredOn(k -> k.startsWith("txn:STORE-7:R1:2026-11-26:1:")).hasSize(2)
                .extracting(k -> k.substring(0, k.lastIndexOf(':'))).as("same transaction key and content digest").containsOnly(
                        keys.get(0).substring(0, keys.get(0).lastIndexOf(':')));
    }
}
