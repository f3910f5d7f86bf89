package dev.unison.connectors.posfiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.canonical.pos.PosTransaction;
import dev.unison.connectors.posfiles.PosFileOutcome.Accepted;
import dev.unison.connectors.posfiles.PosFileOutcome.Rejected;
import dev.unison.connectors.posfiles.PosFilePosition.CsvLines;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosCsvReaderTest {

    static final String HEADER = "store_id,register_id,business_date,txn_seq,line_no,line_type,sku,gtin,qty,unit_price,ext_amount,"
            + "discount,currency,loyalty_id,tender_type,auth_code,card_token,event_ts\n";

    /** Two sales and a return; the first is the JSON API's example sale (PosTransactionParserTest.SALE). */
    static final String GOOD = HEADER + """
            STORE-7,R1,2026-11-26,1042,1,SALE,TRAIL-SHOE-42,00012345678905,2,89.90,179.80,0,USD,,,,,2026-11-26T10:15:10Z
            STORE-7,R1,2026-11-26,1042,2,SALE,SOCKS-3,,1,5,5,,USD,,,,,2026-11-26T10:15:20Z
            STORE-7,R1,2026-11-26,1042,3,LOYALTY,,,,,,,,L-000123,,,,2026-11-26T10:15:25Z
            STORE-7,R1,2026-11-26,1042,4,TENDER,,,,,184.80,,USD,,CREDIT,734277,tok_4f9a,2026-11-26T10:15:30Z
            STORE-7,R1,2026-11-26,1043,1,SALE,"CAP, WOOL",,1,19.99,19.99,2.00,USD,,,,,2026-11-26T10:20:00+01:00
            STORE-7,R1,2026-11-26,1043,2,TENDER,,,,,17.99,,USD,,CASH,,,2026-11-26T10:20:05+01:00
            STORE-7,R2,2026-11-26,7,1,RETURN,SOCKS-3,,2,5.00,10.00,,USD,,,,,2026-11-26T16:00:00Z
            STORE-7,R2,2026-11-26,7,2,TENDER,,,,,10.00,,USD,,CREDIT,,tok_99,2026-11-26T16:00:01Z
            """;

    final Fixtures.Collected out = new Fixtures.Collected();

    private PosFileResult read(String csv, PosFileOptions options) throws IOException {
        return new PosCsvReader(options).read(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), out);
    }

    private PosFileResult read(String csv) throws IOException {
        return read(csv, Fixtures.options());
    }

    @Test
    void aGoodFileIsOneTransactionPerGroupOfRowsWithItsLines() throws IOException {
        PosFileResult result = read(GOOD);

        assertThat(result.fileRejection()).isEmpty();
        assertThat(result.transactions()).isEqualTo(3);
        assertThat(result.accepted()).isEqualTo(3);
        assertThat(out.all).extracting(PosFileOutcome::position)
                .containsExactly(new CsvLines(2, 5), new CsvLines(6, 7), new CsvLines(8, 9));
        PosTransaction sale = ((Accepted) out.all.get(0)).transaction();
        assertThat(sale.key()).isEqualTo("STORE-7:R1:2026-11-26:1042");
        assertThat(sale.type()).isEqualTo(PosTransaction.Type.SALE);
        assertThat(sale.occurredAt()).as("the latest event_ts: the transaction's end").hasToString("2026-11-26T10:15:30Z");
        assertThat(sale.lines()).containsExactly(new PosTransaction.Line("TRAIL-SHOE-42", "00012345678905", 2, new BigDecimal("89.90")),
                new PosTransaction.Line("SOCKS-3", null, 1, new BigDecimal("5")));
        assertThat(sale.loyaltyId()).isEqualTo("L-000123");
        assertThat(sale.paymentToken()).isEqualTo("tok_4f9a");
        assertThat(sale.currency()).isEqualTo("USD");

        PosTransaction cap = ((Accepted) out.all.get(1)).transaction();
        assertThat(cap.lines()).extracting(PosTransaction.Line::sku).as("RFC 4180 quoting").containsExactly("CAP, WOOL");
        assertThat(cap.occurredAt()).hasToString("2026-11-26T09:20:05Z");

        PosTransaction ret = ((Accepted) out.all.get(2)).transaction();
        assertThat(ret.type()).isEqualTo(PosTransaction.Type.RETURN);
        assertThat(ret.lines()).containsExactly(new PosTransaction.Line("SOCKS-3", null, 2, new BigDecimal("5.00")));
        assertThat(ret.paymentToken()).isEqualTo("tok_99");
    }

    @Test
    void columnsInAnyOrderAndCaseAndOnlyTheRequiredOnes() throws IOException {
        String csv = """
                EVENT_TS,Currency,ext_amount,unit_price,qty,sku,line_type,line_no,txn_seq,business_date,register_id,store_id
                2026-11-26T10:00:00Z,USD,5,5,1,SOCKS-3,SALE,1,9,2026-11-26,R1,STORE-7
                """;
        assertThat(read(csv).accepted()).isEqualTo(1);
        assertThat(((Accepted) out.all.get(0)).transaction().key()).isEqualTo("STORE-7:R1:2026-11-26:9");
    }

    static final String WEIGHED = HEADER + """
            STORE-7,R1,2026-11-26,2001,1,SALE,BANANA-KG,,0.735,3.99,2.93,,USD,,,,,2026-11-26T11:00:00Z
            STORE-7,R1,2026-11-26,2001,2,SALE,SOCKS-3,,1,5,5,,USD,,,,,2026-11-26T11:00:01Z
            STORE-7,R1,2026-11-26,2001,3,TENDER,,,,,7.93,,USD,,CASH,,,2026-11-26T11:00:02Z
            """;

    @Test
    void aWeighedQuantityIsRejectedByDefaultNamingIt() throws IOException {
        read(WEIGHED);
        Rejected rejected = (Rejected) out.all.get(0);
        assertThat(rejected.position()).isEqualTo(new CsvLines(2, 4));
        assertThat(rejected.key()).isEqualTo("STORE-7:R1:2026-11-26:2001");
        assertThat(rejected.reasons()).singleElement().asString().startsWith("line 2 qty: 0.735 is not a whole number of units");
    }

    @Test
    void aWeighedQuantityCanBeOneUnitAtItsExtendedAmountWithTheWeightInTheNotes() throws IOException {
        read(WEIGHED, Fixtures.options().withFractionalQuantity(PosFileOptions.FractionalQuantity.ONE_UNIT_AT_EXTENDED_AMOUNT));
        Accepted accepted = (Accepted) out.all.get(0);
        assertThat(accepted.transaction().lines()).containsExactly(new PosTransaction.Line("BANANA-KG", null, 1, new BigDecimal("2.93")),
                new PosTransaction.Line("SOCKS-3", null, 1, new BigDecimal("5")));
        assertThat(accepted.transaction().toOrder().total().amount()).isEqualByComparingTo("7.93");
        assertThat(accepted.notes()).containsExactly("line 2 qty: 0.735 taken as 1 unit at its extended amount 2.93");
    }

    @Test
    void aBadTransactionInTheMiddleIsReportedWithItsLinesAndEveryReasonWhileTheOthersAreRead() throws IOException {
        String csv = HEADER + """
                STORE-7,R1,2026-11-26,1,1,SALE,SOCKS-3,,1,5,5,,USD,,,,,2026-11-26T10:00:00Z
                STORE-7,R1,2026-11-26,2,1,SALE,SOCKS-3,,two,5,5,,USD,,,,,2026-11-26T10:01:00Z
                STORE-7,R1,2026-11-26,2,2,SALE,,,1,5,5,,USD,,,,,2026-11-26T10:01:01Z
                STORE-7,R1,2026-11-26,2,3,VOID,,,,,,,USD,,,,,2026-11-26T10:01:02Z
                STORE-7,R1,2026-11-26,2,4,SALE,CAP,00012345678906,1,19.99,18.00,,USD,,,,,2026-11-26T10:01:03Z
                STORE-7,R1,2026-11-26,3,1,SALE,SOCKS-3,,1,5,5,,USD,,,,,2026-11-26T10:02:00Z
                """;
        PosFileResult result = read(csv);

        assertThat(result.fileRejection()).isEmpty();
        assertThat(result.accepted()).isEqualTo(2);
        assertThat(result.rejected()).isEqualTo(1);
        Rejected bad = (Rejected) out.all.get(1);
        assertThat(bad.position()).isEqualTo(new CsvLines(3, 6));
        assertThat(bad.key()).isEqualTo("STORE-7:R1:2026-11-26:2");
        assertThat(bad.reasons()).containsExactly(
                "line 3 qty: 'two' is not a decimal number",
                "line 4 sku: missing (every sold or returned item names its sku)",
                "line 5 line_type: 'VOID' is not SALE, RETURN, TENDER or LOYALTY",
                "line 6 ext_amount: 18.00 is not qty x unit_price (1 x 19.99 = 19.99, to the cent)");
        assertThat(out.of(Accepted.class)).extracting(a -> a.transaction().sequence()).containsExactly(1L, 3L);
    }

    @Test
    void whatOnlyTheApiParserKnowsIsNamedByTheFilesLineAndColumn() throws IOException {
        String csv = HEADER + """
                STORE-99,R1,2026-11-26,5,1,SALE,CAP,00012345678906,1,19.99,19.99,,USD,,,,,2026-11-26T10:00:00Z
                """;
        read(csv);
        assertThat(((Rejected) out.all.get(0)).reasons()).containsExactly(
                "line 2 store_id: unknown store 'STORE-99' (not a declared location)",
                "line 2 gtin: not a valid GTIN-8/12/13/14 (digits with a GS1 check digit): '00012345678906'");
    }

    @Test
    void keyFieldsDatesAndMixedTransactionsAreChecked() throws IOException {
        String csv = HEADER + """
                STORE 7,R1,26/11/2026,-4,1,SALE,SOCKS-3,,1,5,5,,usd,,,,,2026-11-26 10:00
                STORE-7,R1,2026-11-26,8,1,SALE,SOCKS-3,,1,5,5,,USD,,,,,2026-11-26T10:00:00Z
                STORE-7,R1,2026-11-26,8,2,RETURN,CAP,,1,5,5,,USD,,,,,2026-11-26T10:00:00Z
                STORE-7,R1,2026-11-26,9,1,TENDER,,,,,5,,USD,,CASH,,,2026-11-26T10:00:00Z
                """;
        read(csv);
        assertThat(((Rejected) out.all.get(0)).reasons()).containsExactly(
                "line 2 store_id: 'STORE 7' is not an id (a letter or digit, then letters, digits, '.', '_', '-'; at most 64)",
                "line 2 business_date: '26/11/2026' is not a date (YYYY-MM-DD)",
                "line 2 txn_seq: '-4' is not a transaction number (a whole number 0..2^53-1)",
                "line 2 currency: 'usd' is not an ISO 4217 code (three capital letters)",
                "line 2 event_ts: '2026-11-26 10:00' is not an ISO-8601 date-time with an offset (2026-11-26T10:15:30+01:00)");
        assertThat(((Rejected) out.all.get(0)).key()).as("as written, for people").isEqualTo("STORE 7:R1:26/11/2026:-4");
        assertThat(((Rejected) out.all.get(1)).reasons()).containsExactly(
                "both SALE and RETURN rows (an exchange): a POS transaction is a sale or a return; write the exchange as two transactions");
        assertThat(((Rejected) out.all.get(2)).reasons()).containsExactly(
                "no SALE or RETURN row (a transaction sells or takes back at least one item)");
    }

    @Test
    void aTransactionWhoseRowsAreNotConsecutiveIsRejectedWhereItComesBack() throws IOException {
        String csv = HEADER + """
                STORE-7,R1,2026-11-26,1,1,SALE,SOCKS-3,,1,5,5,,USD,,,,,2026-11-26T10:00:00Z
                STORE-7,R1,2026-11-26,2,1,SALE,SOCKS-3,,1,5,5,,USD,,,,,2026-11-26T10:00:00Z
                STORE-7,R1,2026-11-26,1,2,SALE,CAP,,1,5,5,,USD,,,,,2026-11-26T10:00:00Z
                """;
        read(csv);
        assertThat(out.all).hasSize(3);
        assertThat(((Rejected) out.all.get(2)).reasons()).containsExactly("line 4: rows of STORE-7:R1:2026-11-26:1 came earlier in "
                + "the file; a transaction's rows are consecutive (its lines would be split)");
    }

    @Test
    void aRowThatCannotBeReadRejectsTheTransactionsOnBothSidesNeverAcceptsThemWithoutIt() throws IOException {
        String csv = HEADER + """
                STORE-7,R1,2026-11-26,1,1,SALE,SOCKS-3,,1,5,5,,USD,,,,,2026-11-26T10:00:00Z
                STORE-7,R1,2026-11-26,1,2,SALE,"CAP,,1,5,5,,USD,,,,,2026-11-26T10:00:00Z
                STORE-7,R1,2026-11-26,2,1,SALE,SOCKS-3,,1,5,5,,USD,,,,,2026-11-26T10:00:00Z

                STORE-7,R1,2026-11-26,3,1,SALE,SOCKS-3,,1,5,5,,USD,,,,,2026-11-26T10:00:00Z
                STORE-7,R1,2026-11-26,3,2,SALE,SOCKS-3,,1,5,5,USD
                STORE-7,R1,2026-11-26,3,3,SALE,CAP,,1,5,5,,USD,,,,,2026-11-26T10:00:00Z
                STORE-7,R1,2026-11-26,4,1,SALE,SOCKS-3,,1,5,5,,USD,,,,,2026-11-26T10:00:00Z
                """;
        read(csv);
        assertThat(out.all).extracting(o -> o.getClass().getSimpleName() + " " + o.position().describe()).containsExactly(
                "Rejected lines 2-3", "Rejected line 4", "Rejected lines 6-8", "Accepted line 9");
        assertThat(((Rejected) out.all.get(1)).reasons()).containsExactly(
                "line 3: not a CSV row (a quoted field must end on its line); it may belong to this transaction");
        assertThat(((Rejected) out.all.get(2)).reasons()).containsExactly(
                "line 7: has 12 fields, the header 18; it may belong to this transaction");
    }

    @Test
    void aTrailerThatMatchesIsAControlAndOneThatDoesNotRejectsTheWholeFile() throws IOException {
        String ok = GOOD + ",,,3,,TRAILER,,,,,214.79,,,,,,,\n";
        PosFileResult result = read(ok);
        assertThat(result.fileRejection()).isEmpty();
        assertThat(result.accepted()).isEqualTo(3);

        out.all.clear();
        String truncated = HEADER + GOOD.lines().skip(1).limit(4).map(l -> l + "\n").reduce("", String::concat)
                + ",,,3,,TRAILER,,,,,214.79,,,,,,,\n";
        result = read(truncated);
        assertThat(result.fileRejection()).hasValue("line 6 (TRAILER): txn_seq says 3 transactions, the file has 1; ext_amount "
                + "says 214.79, the SALE and RETURN rows sum to 184.80: the file is not complete (a truncated upload?): rejected as a whole");

        out.all.clear();
        assertThat(read(ok + GOOD.lines().skip(1).findFirst().orElseThrow()).fileRejection())
                .hasValue("line 11: a row after the TRAILER row (line 10); the trailer is the last row");
        assertThat(read(GOOD, Fixtures.options().withRequireTrailer(true)).fileRejection()).get().asString()
                .startsWith("no TRAILER row: the file may be incomplete");
    }

    @Test
    void aFileThatIsNotAPosCsvIsRejectedAsAWhole() throws IOException {
        assertThat(read("").fileRejection()).hasValue("the file is empty: a POS CSV starts with a header row naming its columns");
        assertThat(read("store_id,register_id,qtty\n").fileRejection()).get().asString()
                .startsWith("line 1: missing column 'business_date'").contains("unknown column 'qtty'");
        assertThat(read("<?xml version=\"1.0\"?><POSLog/>\n").fileRejection()).get().asString().startsWith("line 1: ");
        byte[] latin1 = (HEADER + "STORE-7,R1,2026-11-26,1,1,SALE,CAFÉ,,1,5,5,,USD,,,,,2026-11-26T10:00:00Z\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        PosFileResult result = new PosCsvReader(Fixtures.options()).read(new ByteArrayInputStream(latin1), out);
        assertThat(result.fileRejection()).hasValue("line 2: the file is not UTF-8 text");
        assertThat(result.bytes()).as("still digested to its end").isEqualTo(latin1.length);
    }

    @Test
    void theChecksumIsTheSha256OfTheFilesBytesGzipOrNot(@TempDir Path dir) throws Exception {
        byte[] plain = ("\uFEFF" + GOOD).getBytes(StandardCharsets.UTF_8);
        Path file = Files.write(dir.resolve("pos.csv"), plain);
        PosFileResult result = new PosCsvReader(Fixtures.options()).read(file, out);
        assertThat(result.accepted()).as("a byte-order mark is allowed").isEqualTo(3);
        assertThat(result.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(plain)));
        assertThat(result.bytes()).isEqualTo(plain.length);

        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
            gz.write(plain);
        }
        out.all.clear();
        result = new PosCsvReader(Fixtures.options()).read(new ByteArrayInputStream(zipped.toByteArray()), out);
        assertThat(result.accepted()).isEqualTo(3);
        assertThat(result.sha256()).as("of the file as given")
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(zipped.toByteArray())));
    }
}
