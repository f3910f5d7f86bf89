package dev.unison.connectors.posfiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.pos.PosTransaction;
import dev.unison.canonical.pos.PosTransactionParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** One sale sent three ways, by CSV, by POSLog and to the JSON API, is one and the same transaction. */
class SameTransactionTest {

    /** The JSON API's example sale (PosTransactionParserTest.SALE). */
    static final String JSON = """
            {"storeId": "STORE-7", "registerId": "R1", "businessDay": "2026-11-26", "sequence": 1042,
             "type": "sale", "occurredAt": "2026-11-26T10:15:30Z", "currency": "USD",
             "lines": [{"sku": "TRAIL-SHOE-42", "gtin": "00012345678905", "quantity": 2, "unitPrice": "89.90"},
                       {"sku": "SOCKS-3", "quantity": 1, "unitPrice": "5"}],
             "loyaltyId": "L-000123", "paymentToken": "tok_4f9a"}
            """;

    static final String CSV = PosCsvReaderTest.HEADER + """
            STORE-7,R1,2026-11-26,1042,2,SALE,SOCKS-3,,1,5,5,,USD,,,,,2026-11-26T10:15:20Z
            STORE-7,R1,2026-11-26,1042,1,SALE,TRAIL-SHOE-42,00012345678905,2.000,89.90,179.80,0,USD,,,,,2026-11-26T10:15:10Z
            STORE-7,R1,2026-11-26,1042,3,LOYALTY,,,,,,,,L-000123,,,,2026-11-26T10:15:25Z
            STORE-7,R1,2026-11-26,1042,4,TENDER,,,,,184.80,,USD,,CREDIT,734277,tok_4f9a,2026-11-26T10:15:30Z
            """;

    /** The same sale as a store in Berlin's POS writes it: local time, vendor extensions, the card token where the vendor puts it. */
    static final String POSLOG = """
            <?xml version="1.0" encoding="UTF-8"?>
            <poslog:POSLog xmlns:poslog="http://www.nrf-arts.org/IXRetail/namespace/" xmlns:v="urn:example:pos-vendor:1">
              <poslog:Transaction>
                <poslog:RetailStoreID>STORE-7</poslog:RetailStoreID>
                <poslog:WorkstationID>R1</poslog:WorkstationID>
                <poslog:SequenceNumber>1042</poslog:SequenceNumber>
                <poslog:BusinessDayDate>2026-11-26</poslog:BusinessDayDate>
                <poslog:EndDateTime>2026-11-26T11:15:30</poslog:EndDateTime>
                <poslog:CurrencyCode>USD</poslog:CurrencyCode>
                <v:TillSession>88</v:TillSession>
                <poslog:RetailTransaction>
                  <poslog:LineItem>
                    <poslog:Sale>
                      <poslog:ItemID>TRAIL-SHOE-42</poslog:ItemID>
                      <poslog:POSIdentity POSIDType="GTIN"><poslog:POSItemID>00012345678905</poslog:POSItemID></poslog:POSIdentity>
                      <poslog:RegularSalesUnitPrice>89.90</poslog:RegularSalesUnitPrice>
                      <poslog:ExtendedAmount>179.80</poslog:ExtendedAmount>
                      <poslog:Quantity UnitOfMeasureCode="EA">2</poslog:Quantity>
                    </poslog:Sale>
                    <poslog:SequenceNumber>1</poslog:SequenceNumber>
                  </poslog:LineItem>
                  <poslog:LineItem>
                    <poslog:Sale><poslog:ItemID>SOCKS-3</poslog:ItemID><poslog:RegularSalesUnitPrice>5</poslog:RegularSalesUnitPrice>
                      <poslog:Quantity>1</poslog:Quantity></poslog:Sale>
                    <poslog:SequenceNumber>2</poslog:SequenceNumber>
                  </poslog:LineItem>
                  <poslog:LineItem>
                    <poslog:Tender TenderType="CreditDebit"><poslog:Amount>184.80</poslog:Amount>
                      <poslog:CreditDebit CardType="Credit"><v:Token>tok_4f9a</v:Token></poslog:CreditDebit></poslog:Tender>
                    <poslog:SequenceNumber>3</poslog:SequenceNumber>
                  </poslog:LineItem>
                  <poslog:LoyaltyAccount><poslog:CustomerID>L-000123</poslog:CustomerID></poslog:LoyaltyAccount>
                </poslog:RetailTransaction>
              </poslog:Transaction>
            </poslog:POSLog>
            """;

    @Test
    void csvPosLogAndTheJsonApiMakeEqualTransactions() throws IOException {
        PosTransaction api = PosTransactionParser.parse(CanonicalJson.parse(JSON), Fixtures.STORES::contains);

        Fixtures.Collected csv = new Fixtures.Collected();
        new PosCsvReader(Fixtures.options()).read(new ByteArrayInputStream(CSV.getBytes(StandardCharsets.UTF_8)), csv);
        Fixtures.Collected xml = new Fixtures.Collected();
        PosFileOptions berlin = Fixtures.options().withLocalTimeZone(ZoneId.of("Europe/Berlin"))
                .withPosLog(PosLogPaths.defaults().withPaymentToken("RetailTransaction/LineItem/Tender/CreditDebit/Token"));
        new PosLogReader(berlin).read(new ByteArrayInputStream(POSLOG.getBytes(StandardCharsets.UTF_8)), xml);

        PosTransaction fromCsv = ((PosFileOutcome.Accepted) csv.all.get(0)).transaction();
        PosTransaction fromPosLog = ((PosFileOutcome.Accepted) xml.all.get(0)).transaction();
        assertThat(fromCsv).isEqualTo(api);
        assertThat(fromPosLog).isEqualTo(api);
        assertThat(fromCsv.key()).isEqualTo(fromPosLog.key()).isEqualTo(api.key()).isEqualTo("STORE-7:R1:2026-11-26:1042");
        assertThat(fromCsv.toOrder()).isEqualTo(api.toOrder());
        assertThat(fromPosLog.toOrder()).isEqualTo(api.toOrder());
    }
}
