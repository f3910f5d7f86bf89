package dev.unison.connectors.filedrop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.unison.canonical.model.AdExposure;
import dev.unison.canonical.model.AdSpend;
import dev.unison.canonical.model.ExposureKind;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.simulator.ManualClock;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.platform.testkit.MemoryConnectorContext;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dropped file read into the inbox: each row once, bad rows by line, a crash resumed, a file again changes nothing. */
class NetworkFileTest {

    static final String HASH = "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f";
    static final String PERFORMANCE = """
            campaign_id,date,impressions,clicks,spend,attributed_orders,attributed_units_in_store,attributed_units_online,attributed_sales_in_store,attributed_sales_online
            SPRING,2026-11-25,120000,2400,3571.43,310,300,102,10000.00,4285.70
            SPRING,2026-11-26,118000,2301,3571.43,290,280,90,9100.10,3900.00
            SPRING,2026-11-27,117000,2200,abc,280,270,80,9000.00,3800.00
            "SPRING",2026-11-28,"115,000",2100,3571.43,270,260,70,8900.00,3700.00
            SPRING,2026-11-29,116000,2150,3571.43,-1,260,70,8900.00,3700.00
            SPRING,2026-11-30,116000,2150,3571.43,275,260,70,8900.00,3700.00
            """;
    final ManualClock clock = new ManualClock(Instant.parse("2026-12-06T09:00:00Z"));
    MemoryConnectorContext context;
    Connection connection;
    FileDropNetworkConnector connector = new FileDropNetworkConnector(clock);

    @TempDir
    Path dir;

    @BeforeEach
    void context() {
        context = new MemoryConnectorContext(connector.descriptor(), """
                connections:
                  - id: kpm
                    connector: file-drop-network
                    settings:
                      directory: %s
                      network: kpm
                      advertiserId: adv-acme
                      clickWindowDays: 14
                      viewWindowDays: 0
                      pageSize: 2
                """.formatted(dir), Map.of(), clock);
        connection = context.connections.get(0);
    }

    private NetworkFile reader() {
        return connector.reader(connection, context);
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private List<AdSpend> spend() {
        return context.stored.stream().flatMap(d -> connector.mapInbound(d, connection, context).stream())
                .map(e -> e.dataAs(AdSpend.class)).toList();
    }

    @Test
    void aFileWithBadRowsReportsThemByLineAndLoadsTheRest() throws IOException {
        NetworkFile.Report report = reader().read(write("kpm-2026-11.csv", PERFORMANCE));

        assertThat(report.kind()).isEqualTo(NetworkFile.Kind.PERFORMANCE);
        assertThat(report.rows()).isEqualTo(6);
        assertThat(report.accepted()).isEqualTo(3);
        assertThat(report.rejectedRows()).isEqualTo(3);
        assertThat(report.rejected()).extracting(NetworkFile.Rejected::line).containsExactly(4L, 5L, 6L);
        assertThat(report.rejected().get(0).reason()).contains("spend").contains("abc");
        assertThat(report.rejected().get(1).reason()).contains("impressions").contains("115,000");
        assertThat(report.rejected().get(2).reason()).contains("attributed_orders").contains("negative");

        AdSpend first = spend().get(0);
        assertThat(first.network()).isEqualTo("kpm");
        assertThat(first.spend().amount()).isEqualByComparingTo("3571.43");
        assertThat(first.networkAttributed().sales().amount()).isEqualByComparingTo("14285.70");
        assertThat(first.networkAttributed().salesInStore().amount()).isEqualByComparingTo("10000.00");
        assertThat(first.networkAttributed().salesOnline().amount()).isEqualByComparingTo("4285.70");
        assertThat(first.networkAttributed().units()).isEqualTo(402);
        assertThat(first.networkAttributed().clickWindowDays()).isEqualTo(14);
        assertThat(first.networkAttributed().viewWindowDays()).as("0: clicks only").isNull();
        assertThat(context.stored).extracting(d -> d.headers().get("line")).containsExactly("2", "3", "7");
    }

    @Test
    void theSameFileDroppedTwiceAppliesNothingTwice() throws IOException {
        reader().read(write("a.csv", PERFORMANCE));
        NetworkFile.Report again = reader().read(write("a-resent.csv", PERFORMANCE));

        assertThat(again.readBefore()).isTrue();
        assertThat(again.accepted()).isZero();
        assertThat(again.duplicates()).isEqualTo(3);
        assertThat(context.stored).hasSize(3);
        // a corrected file repeating two rows and restating one: only the restated row is new
        String corrected = PERFORMANCE.replace("9100.10", "9150.10").replace("SPRING,2026-11-27,117000,2200,abc", "SPRING,2026-11-27,117000,2200,3571.43");
        NetworkFile.Report third = reader().read(write("a-corrected.csv", corrected));
        assertThat(third.readBefore()).isFalse();
        assertThat(third.accepted()).isEqualTo(2); // the restated 26th and the now valid 27th
        assertThat(third.duplicates()).isEqualTo(2);
    }

    @Test
    void aCrashMidFileResumesAfterTheLastCommittedPageAndStoresEveryRowOnce() throws IOException {
        StringBuilder log = new StringBuilder("exposure_id,campaign_id,event,event_time,hashed_email\n");
        for (int i = 0; i < 9; i++) {
            log.append("x-").append(i).append(",SPRING,").append(i % 2 == 0 ? "click" : "impression").append(",2026-11-25T1")
                    .append(i).append(":00:00Z,").append(HASH).append('\n');
        }
        Path file = write("exposures.csv", log.toString());
        context.failOnPage = 3; // pages of two rows: the third commit never happens
        assertThatThrownBy(() -> reader().read(file)).hasMessageContaining("died");
        assertThat(context.stored).hasSize(4);

        NetworkFile.Report resumed = reader().read(file);
        assertThat(resumed.resumedAfterLine()).isEqualTo(5);
        assertThat(resumed.accepted()).isEqualTo(5);
        assertThat(context.stored).hasSize(9);
        assertThat(context.stored.stream().map(InboundDelivery::dedupeKey).distinct()).hasSize(9);

        AdExposure exposure = connector.mapInbound(context.stored.get(0), connection, context).get(0).dataAs(AdExposure.class);
        assertThat(exposure.kind()).isEqualTo(ExposureKind.CLICK);
        assertThat(exposure.advertiserId()).isEqualTo("adv-acme");
        assertThat(exposure.identifiers()).singleElement().satisfies(id -> {
            assertThat(id.type()).isEqualTo(IdentifierType.HASHED_EMAIL);
            assertThat(id.value()).isEqualTo(HASH);
        });
    }

    @Test
    void aGzipFileIsReadAndAnExposureNamingNoShopperIsRefused() throws IOException {
        Path file = dir.resolve("log.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(("exposure_id,campaign_id,event,event_time,hashed_email,device_id\n"
                    + "x-1,SPRING,click,2026-11-25T10:00:00Z," + HASH + ",\n"
                    + "x-2,SPRING,click,2026-11-25T10:00:00Z,,\n"
                    + "x-3,SPRING,swipe,2026-11-25T10:00:00Z,," + "dev-9\n"
                    + "x-4,SPRING,view,yesterday,,dev-9\n").getBytes(StandardCharsets.UTF_8));
        }
        NetworkFile.Report report = reader().read(file);
        assertThat(report.accepted()).isEqualTo(1);
        assertThat(report.rejected()).extracting(NetworkFile.Rejected::reason).satisfiesExactly(
                r -> assertThat(r).contains("names no shopper"),
                r -> assertThat(r).contains("swipe"),
                r -> assertThat(r).contains("event_time"));
    }

    @Test
    void aFileThatCannotBeReadAtAllIsRefusedWhole() throws IOException {
        assertThatThrownBy(() -> reader().read(write("x.csv", "campaign_id,date,spend\nA,2026-11-25,1\n")))
                .isInstanceOf(NetworkFile.UnreadableFile.class).hasMessageContaining("missing column 'impressions'");
        assertThatThrownBy(() -> reader().read(write("y.csv", "foo,bar\n1,2\n")))
                .isInstanceOf(NetworkFile.UnreadableFile.class).hasMessageContaining("neither a performance file");
        assertThatThrownBy(() -> reader().read(write("z.csv", "")))
                .isInstanceOf(NetworkFile.UnreadableFile.class).hasMessageContaining("empty");
        Path latin1 = dir.resolve("l.csv");
        Files.write(latin1, "exposure_id,campaign_id,event,event_time,device_id\nx,Caf\u00e9,click,2026-11-25T10:00:00Z,d\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> reader().read(latin1)).isInstanceOf(NetworkFile.UnreadableFile.class).hasMessageContaining("UTF-8");
        assertThat(context.stored).isEmpty();
    }
}
