package dev.unison.connectors.posfiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A POSLog of 100,000 transactions is read one Transaction at a time: each outcome is handed over
 * while the reader is at most a buffer's length past that Transaction's end tag, never the document
 * in memory (a heap limit cannot be set from inside a test; this bounds what the reader has pulled).
 */
class LargePosLogTest {

    static final int TRANSACTIONS = 100_000;
    /** Bytes the reader may have pulled past a Transaction's end when it hands that Transaction over (its buffers). */
    static final long LOOKAHEAD = 256 * 1024;

    static String transaction(int i) {
        return """
                <Transaction><RetailStoreID>STORE-7</RetailStoreID><WorkstationID>R%d</WorkstationID><SequenceNumber>%d</SequenceNumber>\
                <BusinessDayDate>2026-11-26</BusinessDayDate><EndDateTime>2026-11-26T10:%02d:%02dZ</EndDateTime><CurrencyCode>USD</CurrencyCode>\
                <RetailTransaction Version="2.1"><LineItem><SequenceNumber>1</SequenceNumber><Sale><ItemID>SKU-%d</ItemID>\
                <POSIdentity POSIDType="GTIN"><POSItemID>00012345678905</POSItemID></POSIdentity><RegularSalesUnitPrice>9.99</RegularSalesUnitPrice>\
                <ExtendedAmount>19.98</ExtendedAmount><Quantity UnitOfMeasureCode="EA">2</Quantity><acs:Itemizers>112</acs:Itemizers></Sale>\
                </LineItem><LineItem><SequenceNumber>2</SequenceNumber><Tender TenderType="Cash"><Amount>19.98</Amount></Tender></LineItem>\
                <LoyaltyAccount><CustomerID>L-%d</CustomerID></LoyaltyAccount></RetailTransaction></Transaction>
                """.formatted(i % 20, i, (i / 60) % 60, i % 60, i % 500, i);
    }

    @Test
    void aHundredThousandTransactionsAreStreamedOneAtATime(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("big-poslog.xml");
        long[] ends = new long[TRANSACTIONS + 1]; // byte offset after each Transaction
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            String head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<POSLog xmlns=\"http://www.nrf-arts.org/IXRetail/namespace/\" "
                    + "xmlns:acs=\"http://www.ncr.com/rsd/acs/tlog/markup/poslog/2.1\">\n";
            w.write(head);
            written.update(head.getBytes(StandardCharsets.UTF_8));
            long offset = head.length();
            for (int i = 1; i <= TRANSACTIONS; i++) {
                String tx = transaction(i);
                w.write(tx);
                written.update(tx.getBytes(StandardCharsets.UTF_8));
                offset += tx.length(); // ASCII
                ends[i] = offset;
            }
            w.write("</POSLog>\n");
            written.update("</POSLog>\n".getBytes(StandardCharsets.UTF_8));
        }

        long[] pulled = {0};
        long[] handedOver = {0};
        long[] worstLookahead = {0};
        long started = System.nanoTime();
        PosFileResult result;
        try (InputStream in = new FilterInputStream(Files.newInputStream(file)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                pulled[0] += Math.max(n, 0);
                return n;
            }
        }) {
            result = new PosLogReader(Fixtures.options()).read(in, outcome -> {
                int ordinal = (int) ((PosFilePosition.XmlElement) outcome.position()).ordinal();
                assertThat(outcome).isInstanceOf(PosFileOutcome.Accepted.class);
                worstLookahead[0] = Math.max(worstLookahead[0], pulled[0] - ends[ordinal]);
                handedOver[0]++;
            });
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(result.fileRejection()).isEmpty();
        assertThat(result.accepted()).isEqualTo(TRANSACTIONS);
        assertThat(handedOver[0]).isEqualTo(TRANSACTIONS);
        assertThat(worstLookahead[0]).as("bytes read past the Transaction handed over").isLessThanOrEqualTo(LOOKAHEAD);
        assertThat(result.bytes()).isEqualTo(Files.size(file)).isGreaterThan(50L * 1024 * 1024);
        assertThat(result.sha256()).isEqualTo(HexFormat.of().formatHex(written.digest()));
        assertThat(took).as("fast enough for a nightly file").isLessThan(Duration.ofSeconds(10));
    }
}
