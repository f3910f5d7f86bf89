package dev.unison.connectors.posfiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.unison.canonical.pos.PosTransaction;
import dev.unison.connectors.posfiles.PosFileOutcome.Accepted;
import dev.unison.connectors.posfiles.PosFileOutcome.Rejected;
import dev.unison.connectors.posfiles.PosFileOutcome.Skipped;
import dev.unison.connectors.posfiles.PosFilePosition.XmlElement;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.ZoneId;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * POSLogs shaped as NCR ACS 2.1 writes them (ARTS elements in the IXRetail default namespace, vendor
 * extensions under {@code acs:}, local times without an offset, a weighed item flagged
 * {@code acs:weightItem}, the loyalty card in {@code acs:LoyaltyMembership}).
 */
class PosLogReaderTest {

    static final String POSLOG = """
            <?xml version="1.0" encoding="UTF-8"?>
            <POSLog xmlns="http://www.nrf-arts.org/IXRetail/namespace/" xmlns:acs="http://www.ncr.com/rsd/acs/tlog/markup/poslog/2.1"
                    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
              <Transaction>
                <RetailStoreID>9</RetailStoreID><WorkstationID>34</WorkstationID><SequenceNumber>160</SequenceNumber>
                <BusinessDayDate>2026-11-26</BusinessDayDate><EndDateTime>2026-11-26T08:01:31</EndDateTime>
                <OperatorID OperatorName="FL 34">94</OperatorID><CurrencyCode>USD</CurrencyCode>
                <ControlTransaction Version="2.1"><ReasonCode>Valid SignOn</ReasonCode></ControlTransaction>
              </Transaction>
              <Transaction>
                <RetailStoreID>9</RetailStoreID><WorkstationID>34</WorkstationID><SequenceNumber>161</SequenceNumber>
                <BusinessDayDate>2026-11-26</BusinessDayDate><EndDateTime>2026-11-26T08:02:54</EndDateTime>
                <OperatorID OperatorName="FL 34">94</OperatorID><CurrencyCode>USD</CurrencyCode>
                <RetailTransaction Version="2.1">
                  <ReceiptDateTime>2026-11-26T08:02:54</ReceiptDateTime>
                  <LineItem EntryMethod="Keyed" acs:weightItem="true">
                    <SequenceNumber>1</SequenceNumber>
                    <Sale ItemType="Stock">
                      <POSIdentity POSIDType="GTIN"><POSItemID>00000000067591</POSItemID><Qualifier>6</Qualifier></POSIdentity>
                      <ItemID>00000000067591</ItemID>
                      <MerchandiseHierarchy Level="Department" acs:DepartmentDescription="Produce">6</MerchandiseHierarchy>
                      <Description>APPLE HONEYCRISP ORG</Description>
                      <RegularSalesUnitPrice>2.99</RegularSalesUnitPrice><ExtendedAmount>1.26</ExtendedAmount>
                      <Quantity UnitOfMeasureCode="LBR">0.42</Quantity>
                      <acs:OperatorSequence>2</acs:OperatorSequence>
                      <acs:Itemizers FoodStampable="true" Itemizer1="true">112</acs:Itemizers>
                    </Sale>
                  </LineItem>
                  <LineItem EntryMethod="Scanned">
                    <SequenceNumber>2</SequenceNumber>
                    <Sale ItemType="Stock">
                      <POSIdentity POSIDType="GTIN"><POSItemID>00012345678905</POSItemID></POSIdentity>
                      <ItemID>TRAIL-SHOE-42</ItemID><RegularSalesUnitPrice>89.90</RegularSalesUnitPrice>
                      <ExtendedAmount>89.90</ExtendedAmount><Quantity UnitOfMeasureCode="EA">1</Quantity>
                    </Sale>
                  </LineItem>
                  <LineItem VoidFlag="true">
                    <SequenceNumber>3</SequenceNumber>
                    <Sale><ItemID>SOCKS-3</ItemID><RegularSalesUnitPrice>5.00</RegularSalesUnitPrice><Quantity>1</Quantity></Sale>
                  </LineItem>
                  <LineItem EntryMethod="MSR">
                    <SequenceNumber>4</SequenceNumber>
                    <Tender TenderType="CreditDebit" TypeCode="Sale">
                      <Amount>91.16</Amount>
                      <Authorization HostAuthorized="true"><AuthorizationCode>734277</AuthorizationCode></Authorization>
                      <CreditDebit CardType="Debit"><acs:CardToken>tok_8c1e</acs:CardToken></CreditDebit>
                    </Tender>
                  </LineItem>
                  <LineItem EntryMethod="acs:Auto">
                    <SequenceNumber>5</SequenceNumber>
                    <acs:LoyaltyMembership><acs:LoyaltyID Type="Membership">0000000000000040000066677</acs:LoyaltyID></acs:LoyaltyMembership>
                  </LineItem>
                  <LineItem EntryMethod="acs:Auto">
                    <SequenceNumber>6</SequenceNumber>
                    <acs:CRMCustomVariable><acs:Type>New Custom Data</acs:Type><acs:ID>5</acs:ID><acs:Value>19</acs:Value></acs:CRMCustomVariable>
                  </LineItem>
                  <Total TotalType="TransactionGrandAmount">91.16</Total>
                  <acs:PerformanceMetrics><acs:RingTime>21</acs:RingTime><acs:TenderTime>25</acs:TenderTime></acs:PerformanceMetrics>
                </RetailTransaction>
              </Transaction>
              <Transaction CancelFlag="true">
                <RetailStoreID>9</RetailStoreID><WorkstationID>34</WorkstationID><SequenceNumber>162</SequenceNumber>
                <BusinessDayDate>2026-11-26</BusinessDayDate><EndDateTime>2026-11-26T08:04:00</EndDateTime><CurrencyCode>USD</CurrencyCode>
                <RetailTransaction Version="2.1">
                  <LineItem><SequenceNumber>1</SequenceNumber>
                    <Sale><ItemID>TRAIL-SHOE-42</ItemID><RegularSalesUnitPrice>89.90</RegularSalesUnitPrice><Quantity>1</Quantity></Sale>
                  </LineItem>
                </RetailTransaction>
              </Transaction>
              <Transaction>
                <RetailStoreID>9</RetailStoreID><WorkstationID>34</WorkstationID><SequenceNumber>163</SequenceNumber>
                <BusinessDayDate>2026-11-26</BusinessDayDate><EndDateTime>2026-11-26T08:05:00</EndDateTime><CurrencyCode>USD</CurrencyCode>
                <RetailTransaction Version="2.1">
                  <LineItem><SequenceNumber>1</SequenceNumber>
                    <Sale><Description>NO ITEM ID</Description><RegularSalesUnitPrice>3.00</RegularSalesUnitPrice><Quantity>1</Quantity></Sale>
                  </LineItem>
                  <LineItem><SequenceNumber>2</SequenceNumber>
                    <Sale><ItemID>SOCKS-3</ItemID><RegularSalesUnitPrice>5.00</RegularSalesUnitPrice><Quantity>-2</Quantity></Sale>
                  </LineItem>
                </RetailTransaction>
              </Transaction>
              <Transaction TrainingModeFlag="true">
                <RetailStoreID>9</RetailStoreID><WorkstationID>35</WorkstationID><SequenceNumber>1</SequenceNumber>
                <BusinessDayDate>2026-11-26</BusinessDayDate><EndDateTime>2026-11-26T08:06:00</EndDateTime><CurrencyCode>USD</CurrencyCode>
                <RetailTransaction Version="2.1">
                  <LineItem><SequenceNumber>1</SequenceNumber>
                    <Sale><ItemID>SOCKS-3</ItemID><RegularSalesUnitPrice>5.00</RegularSalesUnitPrice><Quantity>1</Quantity></Sale>
                  </LineItem>
                </RetailTransaction>
              </Transaction>
              <Transaction>
                <RetailStoreID>9</RetailStoreID><WorkstationID>34</WorkstationID><SequenceNumber>170</SequenceNumber>
                <BusinessDayDate>2026-11-26</BusinessDayDate><EndDateTime>2026-11-26T09:30:00-05:00</EndDateTime><CurrencyCode>USD</CurrencyCode>
                <RetailTransaction Version="2.1">
                  <LineItem><SequenceNumber>1</SequenceNumber>
                    <Return><ItemID>TRAIL-SHOE-42</ItemID><RegularSalesUnitPrice>89.90</RegularSalesUnitPrice>
                      <ExtendedAmount>89.90</ExtendedAmount><Quantity>1</Quantity></Return>
                  </LineItem>
                  <LoyaltyAccount><CustomerID>L-000123</CustomerID></LoyaltyAccount>
                </RetailTransaction>
              </Transaction>
            </POSLog>
            """;

    final Fixtures.Collected out = new Fixtures.Collected();

    static PosFileOptions ncr() {
        return Fixtures.options().withLocalTimeZone(ZoneId.of("America/New_York"))
                .withFractionalQuantity(PosFileOptions.FractionalQuantity.ONE_UNIT_AT_EXTENDED_AMOUNT);
    }

    private PosFileResult read(String xml, PosFileOptions options) throws IOException {
        return new PosLogReader(options).read(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), out);
    }

    /** The 1-based line of the n-th (1-based) Transaction start tag of a document. */
    static int lineOfTransaction(String xml, int n) {
        List<String> lines = xml.lines().toList();
        int seen = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("<Transaction")) {
                if (++seen == n) {
                    return i + 1;
                }
            }
        }
        throw new AssertionError("no Transaction " + n);
    }

    @Test
    void eachTransactionBecomesAnOutcomeWithItsOrdinalAndLocation() throws IOException {
        PosFileResult result = read(POSLOG, ncr());

        assertThat(result.fileRejection()).isEmpty();
        assertThat(result.transactions()).isEqualTo(6);
        assertThat(out.all).extracting(o -> o.getClass().getSimpleName()).containsExactly("Skipped", "Accepted", "Skipped", "Rejected",
                "Skipped", "Accepted");
        for (int i = 0; i < 6; i++) {
            XmlElement at = (XmlElement) out.all.get(i).position();
            assertThat(at.ordinal()).isEqualTo(i + 1);
            assertThat(at.line()).isEqualTo(lineOfTransaction(POSLOG, i + 1));
            assertThat(at.column()).isPositive();
        }
        assertThat(result.accepted()).isEqualTo(2);
        assertThat(result.rejected()).isEqualTo(1);
        assertThat(result.skipped()).isEqualTo(3);
    }

    @Test
    void aSaleIsReadFromArtsElementsIgnoringVendorExtensionsAndVoidedLines() throws IOException {
        read(POSLOG, ncr());
        Accepted sale = (Accepted) out.all.get(1);
        PosTransaction tx = sale.transaction();
        assertThat(tx.key()).isEqualTo("9:34:2026-11-26:161");
        assertThat(tx.type()).isEqualTo(PosTransaction.Type.SALE);
        assertThat(tx.occurredAt()).as("a local time in the configured zone").hasToString("2026-11-26T13:02:54Z");
        assertThat(tx.currency()).isEqualTo("USD");
        assertThat(tx.lines()).containsExactly(
                new PosTransaction.Line("00000000067591", "00000000067591", 1, new BigDecimal("1.26")),
                new PosTransaction.Line("TRAIL-SHOE-42", "00012345678905", 1, new BigDecimal("89.90")));
        assertThat(tx.loyaltyId()).as("acs:LoyaltyMembership is not where ARTS puts it: not read by default").isNull();
        assertThat(tx.paymentToken()).as("no payment token path by default").isNull();
        int line = lineOfTransaction(POSLOG, 2);
        assertThat(sale.notes()).satisfiesExactly(
                weighed -> assertThat(weighed).matches("LineItem 1 SequenceNumber 1 \\(line " + (line + 6)
                        + ", column \\d+\\) Sale/Quantity: 0.42 LBR taken as 1 unit at its extended amount 1.26"),
                voided -> assertThat(voided).matches("LineItem 3 SequenceNumber 3 \\(line " + (line + 27)
                        + ", column \\d+\\): voided \\(VoidFlag\\), not applied"));
    }

    @Test
    void theLoyaltyIdAndPaymentTokenPathsAreConfigurable() throws IOException {
        PosLogPaths paths = PosLogPaths.defaults().withLoyaltyId("RetailTransaction/LineItem/LoyaltyMembership/LoyaltyID[@Type='Membership']",
                "RetailTransaction/LoyaltyAccount/CustomerID").withPaymentToken("RetailTransaction/LineItem/Tender/CreditDebit/CardToken");
        read(POSLOG, ncr().withPosLog(paths));
        PosTransaction sale = ((Accepted) out.all.get(1)).transaction();
        assertThat(sale.loyaltyId()).isEqualTo("0000000000000040000066677");
        assertThat(sale.paymentToken()).isEqualTo("tok_8c1e");
        assertThat(((Accepted) out.all.get(5)).transaction().loyaltyId()).as("the second path, where the first finds nothing")
                .isEqualTo("L-000123");

        assertThatThrownBy(() -> PosLogPaths.defaults().withGtin("Sale//ItemID")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("step '' is not a name");
    }

    @Test
    void cancelledTrainingAndControlTransactionsAreSkippedWithTheirReason() throws IOException {
        read(POSLOG, ncr());
        assertThat(out.of(Skipped.class)).extracting(s -> s.key() + " " + s.reason()).containsExactly(
                "9:34:2026-11-26:160 not a sale or return: no RetailTransaction (ControlTransaction)",
                "9:34:2026-11-26:162 cancelled (CancelFlag): not applied",
                "9:35:2026-11-26:1 training mode (TrainingModeFlag): not applied");
    }

    @Test
    void aBadTransactionNamesEveryBadElementWithItsPositionWhileTheOthersAreRead() throws IOException {
        read(POSLOG, ncr());
        Rejected bad = (Rejected) out.all.get(3);
        int line = lineOfTransaction(POSLOG, 4);
        assertThat(bad.key()).isEqualTo("9:34:2026-11-26:163");
        assertThat(bad.position()).isEqualTo(new XmlElement(4, line, ((XmlElement) bad.position()).column()));
        assertThat(bad.reasons()).hasSize(2);
        assertThat(bad.reasons().get(0)).matches("LineItem 1 SequenceNumber 1 \\(line " + (line + 4)
                + ", column \\d+\\) Sale/ItemID: missing \\(every sold or returned item names its sku\\)");
        assertThat(bad.reasons().get(1)).matches("LineItem 2 SequenceNumber 2 \\(line " + (line + 7)
                + ", column \\d+\\) Sale/Quantity: -2 is not a quantity .*");
        PosTransaction ret = ((Accepted) out.all.get(5)).transaction();
        assertThat(ret.type()).isEqualTo(PosTransaction.Type.RETURN);
        assertThat(ret.occurredAt()).hasToString("2026-11-26T14:30:00Z");
        assertThat(ret.loyaltyId()).as("the default ARTS loyalty path").isEqualTo("L-000123");
    }

    @Test
    void aWeighedItemIsRejectedByDefaultAndALocalTimeNeedsAZone() throws IOException {
        read(POSLOG, Fixtures.options());
        Rejected sale = (Rejected) out.all.get(1);
        assertThat(sale.reasons()).hasSize(2);
        assertThat(sale.reasons().get(0)).isEqualTo(
                "EndDateTime: '2026-11-26T08:02:54' has no UTC offset and no local time zone is configured for this POSLog");
        assertThat(sale.reasons().get(1)).contains("Sale/Quantity: 0.42 LBR is not a whole number of units");
    }

    @Test
    void aFileThatIsNotAPosLogIsRejectedAsAWhole() throws IOException {
        assertThat(read("store_id,register_id\n1,2\n", ncr()).fileRejection()).get().asString().contains("not well-formed XML");
        assertThat(read("", ncr()).fileRejection()).get().asString().contains("not well-formed XML");
        assertThat(read("<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"/>", ncr()).fileRejection())
                .hasValue("line 1: the root element is {urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice, not an ARTS "
                        + "POSLog ({http://www.nrf-arts.org/IXRetail/namespace/}POSLog)");
    }

    @Test
    void aTruncatedFileIsRejectedAfterTheTransactionsBeforeTheBreak() throws IOException {
        String truncated = POSLOG.substring(0, POSLOG.indexOf("<Transaction CancelFlag") + 60);
        PosFileResult result = read(truncated, ncr());
        assertThat(out.all).hasSize(2);
        assertThat(result.fileRejection()).get().asString().contains("not well-formed XML")
                .endsWith("after Transaction #2: the file is incomplete or corrupt");
        assertThat(result.bytes()).isEqualTo(truncated.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void noDoctypeNoEntitiesNoExternalFiles(@TempDir Path dir) throws IOException {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "S3CRET");
        String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE POSLog [<!ENTITY x SYSTEM \"" + secret.toUri() + "\">]>\n"
                + "<POSLog xmlns=\"http://www.nrf-arts.org/IXRetail/namespace/\"><Transaction><RetailStoreID>&x;</RetailStoreID>"
                + "</Transaction></POSLog>";
        PosFileResult result = read(xxe, ncr());
        assertThat(result.fileRejection()).hasValue("line 2: a DOCTYPE is not allowed in a POSLog (no DTDs, no entities)");
        assertThat(out.all).isEmpty();

        String bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\n"
                + "<POSLog xmlns=\"http://www.nrf-arts.org/IXRetail/namespace/\">&lol2;</POSLog>";
        assertThat(read(bomb, ncr()).fileRejection()).isPresent();
    }

    @Test
    void theChecksumIsTheSha256OfTheFilesBytes(@TempDir Path dir) throws Exception {
        byte[] bytes = (POSLOG + "\n<!-- trailing comment -->\n\n").getBytes(StandardCharsets.UTF_8);
        Path file = Files.write(dir.resolve("poslog.xml"), bytes);
        PosFileResult result = new PosLogReader(ncr()).read(file, out);
        assertThat(result.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        assertThat(result.bytes()).isEqualTo(bytes.length);
    }

    @Test
    void predefinedEntitiesAndCharacterReferencesAreText() throws IOException {
        String xml = POSLOG.replace("<ItemID>TRAIL-SHOE-42</ItemID><RegularSalesUnitPrice>89.90",
                "<ItemID>TRAIL&amp;SHOE&#45;42</ItemID><RegularSalesUnitPrice>89.90");
        read(xml, ncr());
        assertThat(((Accepted) out.all.get(1)).transaction().lines().get(1).sku()).isEqualTo("TRAIL&SHOE-42");
    }

    @Test
    void aPosLogWithoutNamespacesIsReadToo() throws IOException {
        String plain = POSLOG.replace(" xmlns=\"http://www.nrf-arts.org/IXRetail/namespace/\"", "");
        assertThat(read(plain, ncr()).accepted()).isEqualTo(2);
    }
}
