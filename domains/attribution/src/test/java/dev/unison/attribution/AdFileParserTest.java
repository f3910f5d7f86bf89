package dev.unison.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.unison.attribution.AdFileParser.Format;
import dev.unison.attribution.AdFileParser.Kind;
import dev.unison.canonical.model.AdExposure;
import dev.unison.canonical.model.AdSpend;
import dev.unison.canonical.model.ExposureKind;
import dev.unison.canonical.model.IdentifierType;
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
}
