package dev.unison.inventory.posfiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/** ARTS POSLog files for the POS file ITs: one sale line per transaction, as a till's journal export writes them. */
final class PosLogFiles {

    static final String BUSINESS_DAY = "2026-11-26";

    /** One till sale: {@code quantity} written as text so that a test can write a bad one. */
    record Sale(String store, String register, long sequence, String sku, String quantity, String unitPrice) {

        Instant occurredAt() {
            return Instant.parse(BUSINESS_DAY + "T12:00:00Z").plusSeconds(sequence % 36_000);
        }

        String key() {
            return store + ":" + register + ":" + BUSINESS_DAY + ":" + sequence;
        }

        /** The same sale as POST /api/v1/pos/transactions takes it. */
        String json() {
            return """
                    {"storeId": "%s", "registerId": "%s", "businessDay": "%s", "sequence": %d, "type": "sale",
                     "occurredAt": "%s", "currency": "USD", "lines": [{"sku": "%s", "quantity": %s, "unitPrice": "%s"}]}
                    """.formatted(store, register, BUSINESS_DAY, sequence, occurredAt(), sku, quantity, unitPrice);
        }

        String poslog() {
            String extended = quantity.matches("[0-9]+")
                    ? new java.math.BigDecimal(unitPrice).multiply(new java.math.BigDecimal(quantity)).toPlainString() : unitPrice;
            return """
                    <Transaction><RetailStoreID>%s</RetailStoreID><WorkstationID>%s</WorkstationID><SequenceNumber>%d</SequenceNumber>\
                    <BusinessDayDate>%s</BusinessDayDate><EndDateTime>%s</EndDateTime><CurrencyCode>USD</CurrencyCode>\
                    <RetailTransaction Version="2.1"><LineItem><SequenceNumber>1</SequenceNumber><Sale><ItemID>%s</ItemID>\
                    <RegularSalesUnitPrice>%s</RegularSalesUnitPrice><ExtendedAmount>%s</ExtendedAmount><Quantity>%s</Quantity></Sale>\
                    </LineItem><LineItem><SequenceNumber>2</SequenceNumber><Tender TenderType="Cash"><Amount>%s</Amount></Tender>\
                    </LineItem></RetailTransaction></Transaction>
                    """.formatted(store, register, sequence, BUSINESS_DAY, occurredAt(), sku, unitPrice, extended, quantity, extended);
        }
    }

    static final String HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<POSLog xmlns=\"http://www.nrf-arts.org/IXRetail/namespace/\">\n";

    static String poslog(List<Sale> sales) {
        StringBuilder xml = new StringBuilder(HEAD);
        sales.forEach(s -> xml.append(s.poslog()));
        return xml.append("</POSLog>\n").toString();
    }

    /** Writes a file into a folder as an uploader does: under a name the connector ignores, then renamed. */
    static Path drop(Path folder, String name, String content) throws IOException {
        Files.createDirectories(folder);
        Path part = folder.resolve(name + ".part");
        Files.writeString(part, content, StandardCharsets.UTF_8);
        return Files.move(part, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    static String sha256(String content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
    }

    private PosLogFiles() {
    }
}
