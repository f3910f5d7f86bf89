package dev.unison.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.unison.attribution.AdFileParser.Format;
import dev.unison.attribution.AdFileParser.Kind;
import dev.unison.canonical.model.AdExposure;
import dev.unison.canonical.model.AdSpend;
import dev.unison.canonical.model.ExposureKind;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.NetworkAttribution;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class AdFileParserTest {

    static final String HASH = "9eceb13483d7f187ec014fd6d4854d1420cfc634328af85f51d0323ba8622e21";

    final List<AdFileParser.Row> rows = new ArrayList<>();
    final List<AdFileParser.Rejected> rejected = new ArrayList<>();

    long parse(byte[] bytes, Kind kind, Format format) {
        return AdFileParser.parse(new ByteArrayInputStream(bytes), kind, format, new AdFileParser.Rows() {
            @Override
            public void accepted(AdFileParser.Row row) {
                rows.add(row);
            }

            @Override
            public void rejected(AdFileParser.Rejected r) {
                rejected.add(r);
            }
        });
    }

    static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    @Test
    void aCsvExposureLogBecomesExposuresAndItsBadRowsAreNamedByLine() throws IOException {
        String csv = """
                exposure_id,network,advertiser_id,campaign_id,kind,exposed_at,hashed_email,click_id
                e-1,criteo-retail-media,acme,SPRING,click,2026-11-20T10:00:00Z,%s,clk-1
                e-2,criteo-retail-media,acme,SPRING,impression,2026-11-20T10:05:00Z,%s,
                e-3,criteo-retail-media,acme,SPRING,glance,2026-11-20T10:05:00Z,%s,

                e-4,criteo-retail-media,acme,SPRING,click,yesterday,,
                "e-5, quoted",criteo-retail-media,acme,"SPRING",click,2026-11-20T11:00:00Z,%s,
                e-6,criteo-retail-media,acme,SPRING,click
                """.formatted(HASH, HASH.toUpperCase(), HASH, HASH);
        long lines = parse(gzip(csv), Kind.EXPOSURES, Format.CSV);
        assertThat(lines).isEqualTo(8);
        assertThat(rows).extracting(AdFileParser.Row::line).containsExactly(2L, 3L, 7L);
        AdExposure first = (AdExposure) rows.get(0).record();
        assertThat(first.exposureId()).isEqualTo("e-1");
        assertThat(first.kind()).isEqualTo(ExposureKind.CLICK);
        assertThat(first.identifiers()).extracting(i -> i.type()).containsExactly(IdentifierType.HASHED_EMAIL, IdentifierType.CLICK_ID);
        assertThat(((AdExposure) rows.get(1).record()).identifiers().get(0).value()).as("hex lowercased").isEqualTo(HASH);
        assertThat(((AdExposure) rows.get(2).record()).exposureId()).isEqualTo("e-5, quoted");
        assertThat(rejected).extracting(AdFileParser.Rejected::line).containsExactly(4L, 6L, 8L);
        assertThat(rejected.get(0).reasons()).anySatisfy(r -> assertThat(r).contains("/kind"));
        assertThat(rejected.get(1).reasons()).anySatisfy(r -> assertThat(r).contains("/exposedAt"));
        assertThat(rejected.get(1).reasons()).anySatisfy(r -> assertThat(r).contains("/identifiers"));
        assertThat(rejected.get(2).reasons()).containsExactly("has 5 fields, the header 8");
    }

    @Test
    void aSpendReportInJsonLines() {
        String jsonl = """
                {"network":"kpm","campaignId":"C-1","day":"2026-11-20","spend":{"amount":"3571.43","currency":"USD"},"impressions":120000,"clicks":2400}
                {"network":"kpm","campaignId":"C-1","day":"2026-11-21","spend":{"amount":"12.5","currency":"XYZ"},"impressions":1,"clicks":0}
                not json
                [1, 2]
                """;
        parse(jsonl.getBytes(StandardCharsets.UTF_8), Kind.SPEND, Format.JSON_LINES);
        assertThat(rows).hasSize(1);
        assertThat(((AdSpend) rows.get(0).record()).spend().amount()).isEqualByComparingTo("3571.43");
        assertThat(rejected).extracting(AdFileParser.Rejected::line).containsExactly(2L, 3L, 4L);
    }

    @Test
    void aSpendCsvWithTextWhereANumberBelongsIsRejectedNamingTheField() {
        parse("""
                network,campaign_id,day,spend,currency,impressions,clicks
                kpm,C-1,2026-11-20,100.00,USD,1000,20
                kpm,C-1,2026-11-21,100.00,USD,lots,20
                """.getBytes(StandardCharsets.UTF_8), Kind.SPEND, Format.CSV);
        assertThat(rows).hasSize(1);
        assertThat(rejected.get(0).line()).isEqualTo(3);
        assertThat(rejected.get(0).reasons()).anySatisfy(r -> assertThat(r).contains("/impressions"));
    }

    @Test
    void aFileThatCannotBeReadAtAllSaysWhyAndYieldsNothing() {
        assertThatThrownBy(() -> parse("exposure_id,network,colour\n".getBytes(StandardCharsets.UTF_8), Kind.EXPOSURES, Format.CSV))
                .isInstanceOf(AdFileParser.UnreadableFileException.class)
                .hasMessageContaining("unknown column 'colour'").hasMessageContaining("missing column 'campaign_id'");
        assertThatThrownBy(() -> parse(new byte[0], Kind.SPEND, Format.CSV)).hasMessageContaining("empty");
        assertThatThrownBy(() -> parse(new byte[] {0x1f, (byte) 0x8b, 1, 2, 3}, Kind.SPEND, Format.CSV))
                .isInstanceOf(AdFileParser.UnreadableFileException.class).hasMessageContaining("gzip");
        assertThatThrownBy(() -> parse(new byte[] {'a', ',', (byte) 0xC3, (byte) 0x28, '\n'}, Kind.SPEND, Format.CSV))
                .isInstanceOf(AdFileParser.UnreadableFileException.class).hasMessageContaining("UTF-8");
        assertThat(rows).isEmpty();
    }

    @Test
    void aSpendCsvMayCarryTheNetworksOwnFiguresAllOrNone() {
        parse("""
                network,campaign_id,day,spend,currency,impressions,clicks,network_click_window_days,network_view_window_days,network_orders,network_units,network_sales,network_sales_in_store,network_sales_online
                kpm,C-1,2026-11-20,100.00,USD,1000,20,14,,12,15,480.50,,
                kpm,C-1,2026-11-21,100.00,USD,1000,20,30,1,10,11,400.00,300.00,100.00
                kpm,C-1,2026-11-22,100.00,USD,1000,20,,,,,,,
                kpm,C-1,2026-11-23,100.00,USD,1000,20,14,,,,250.00,,
                kpm,C-1,2026-11-24,100.00,USD,1000,20,,,,,,50.00,
                kpm,C-1,2026-11-25,100.00,USD,1000,20,120,,1,1,9.00,,
                kpm,C-1,2026-11-26,100.00,USD,1000,20,14,,many,1,9.00,,
                """.getBytes(StandardCharsets.UTF_8), Kind.SPEND, Format.CSV);
        assertThat(rows).extracting(AdFileParser.Row::line).containsExactly(2L, 3L, 4L);
        NetworkAttribution clicksOnly = ((AdSpend) rows.get(0).record()).networkAttributed();
        assertThat(clicksOnly.clickWindowDays()).isEqualTo(14);
        assertThat(clicksOnly.viewWindowDays()).isNull();
        assertThat(clicksOnly.orders()).isEqualTo(12);
        assertThat(clicksOnly.units()).isEqualTo(15);
        assertThat(clicksOnly.sales().amount()).isEqualByComparingTo("480.50");
        assertThat(clicksOnly.sales().currency()).as("the row's currency").isEqualTo("USD");
        assertThat(clicksOnly.salesInStore()).isNull();
        assertThat(clicksOnly.salesOnline()).isNull();
        NetworkAttribution split = ((AdSpend) rows.get(1).record()).networkAttributed();
        assertThat(split.viewWindowDays()).isEqualTo(1);
        assertThat(split.salesInStore().amount()).isEqualByComparingTo("300.00");
        assertThat(split.salesOnline().amount()).isEqualByComparingTo("100.00");
        assertThat(((AdSpend) rows.get(2).record()).networkAttributed()).as("no network column has a value").isNull();

        assertThat(rejected).extracting(AdFileParser.Rejected::line).containsExactly(5L, 6L, 7L, 8L);
        assertThat(rejected.get(0).reasons()).singleElement().asString().contains("all or none")
                .contains("missing: network_orders, network_units").doesNotContain("network_sales,");
        assertThat(rejected.get(1).reasons()).singleElement().asString()
                .contains("missing: network_click_window_days, network_orders, network_units, network_sales");
        assertThat(rejected.get(2).reasons()).anySatisfy(r -> assertThat(r).contains("/networkAttributed/clickWindowDays"));
        assertThat(rejected.get(3).reasons()).anySatisfy(r -> assertThat(r).contains("/networkAttributed/orders"));
    }

    @Test
    void aSpendFileWithoutTheNetworkColumnsIsReadAsBeforeAndAnUnknownNetworkColumnIsNamed() {
        parse("""
                network,campaign_id,day,spend,currency,impressions,clicks
                kpm,C-1,2026-11-20,100.00,USD,1000,20
                """.getBytes(StandardCharsets.UTF_8), Kind.SPEND, Format.CSV);
        assertThat(((AdSpend) rows.get(0).record()).networkAttributed()).isNull();
        assertThatThrownBy(() -> parse("network,campaign_id,day,spend,currency,impressions,clicks,network_roas\n"
                .getBytes(StandardCharsets.UTF_8), Kind.SPEND, Format.CSV))
                .hasMessageContaining("unknown column 'network_roas'").hasMessageContaining("optional: network_click_window_days");
    }

    @Test
    void aSpendReportInJsonLinesCarriesTheNetworksFiguresAsTheEventDoes() {
        parse("""
                {"network":"amazon-ads","campaignId":"C-1","day":"2026-11-20","spend":{"amount":"100.00","currency":"USD"},"impressions":1000,"clicks":20,"networkAttributed":{"clickWindowDays":14,"orders":3,"units":4,"sales":{"amount":"120.00","currency":"USD"}}}
                {"network":"amazon-ads","campaignId":"C-1","day":"2026-11-21","spend":{"amount":"100.00","currency":"USD"},"impressions":1000,"clicks":20,"networkAttributed":{"orders":3,"units":4,"sales":{"amount":"120.00","currency":"USD"}}}
                """.getBytes(StandardCharsets.UTF_8), Kind.SPEND, Format.JSON_LINES);
        assertThat(((AdSpend) rows.get(0).record()).networkAttributed().sales().amount()).isEqualByComparingTo("120.00");
        assertThat(rejected).extracting(AdFileParser.Rejected::line).containsExactly(2L);
        assertThat(rejected.get(0).reasons()).anySatisfy(r -> assertThat(r).contains("clickWindowDays"));
    }
}
