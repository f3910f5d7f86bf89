package dev.unison.connectors.posfiles;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.pos.PosTransaction;
import dev.unison.canonical.pos.PosTransactionParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any valid sale or return, written as CSV (columns in any order) and as POSLog, is the transaction the JSON API makes of it. */
class SameTransactionPropertyTest {

    record Line(String sku, int quantity, String unitPrice) {
    }

    record Sale(String register, long sequence, boolean isReturn, List<Line> lines, String loyaltyId, long seed) {
    }

    @Provide
    Arbitrary<Sale> sales() {
        Arbitrary<Line> line = Combinators.combine(Arbitraries.strings().withCharRange('A', 'Z').numeric().ofMinLength(1).ofMaxLength(12),
                Arbitraries.integers().between(1, 99), Arbitraries.integers().between(0, 99999), Arbitraries.integers().between(0, 2))
                .as((sku, qty, cents, scale) -> new Line(sku, qty, scale == 0 ? Integer.toString(cents / 100)
                        : scale == 1 ? String.format("%d.%d", cents / 100, cents % 10) : String.format("%d.%02d", cents / 100, cents % 100)));
        return Combinators.combine(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8),
                Arbitraries.longs().between(0, 9007199254740991L), Arbitraries.of(true, false), line.list().ofMinSize(1).ofMaxSize(6),
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(20).injectNull(0.3), Arbitraries.longs())
                .as(Sale::new);
    }

    @Property(tries = 200)
    void csvPosLogAndJsonAgree(@ForAll("sales") Sale sale) throws IOException {
        ObjectNode json = CanonicalJson.mapper().createObjectNode().put("storeId", "STORE-7").put("registerId", sale.register())
                .put("businessDay", "2026-11-26").put("sequence", sale.sequence()).put("type", sale.isReturn() ? "return" : "sale")
                .put("occurredAt", "2026-11-26T10:15:30Z").put("currency", "EUR");
        ArrayNode lines = json.putArray("lines");
        sale.lines().forEach(l -> lines.addObject().put("sku", l.sku()).put("quantity", l.quantity()).put("unitPrice", l.unitPrice()));
        if (sale.loyaltyId() != null) {
            json.put("loyaltyId", sale.loyaltyId());
        }
        PosTransaction api = PosTransactionParser.parse(json, Fixtures.STORES::contains);

        assertThat(only(new PosCsvReader(Fixtures.options()), csv(sale))).isEqualTo(api);
        assertThat(only(new PosLogReader(Fixtures.options()), posLog(sale))).isEqualTo(api);
    }

    private static PosTransaction only(Object reader, String text) throws IOException {
        Fixtures.Collected out = new Fixtures.Collected();
        var in = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        PosFileResult result = reader instanceof PosCsvReader csv ? csv.read(in, out) : ((PosLogReader) reader).read(in, out);
        assertThat(result.fileRejection()).isEmpty();
        assertThat(out.all).hasSize(1);
        assertThat(out.all.get(0)).isInstanceOf(PosFileOutcome.Accepted.class);
        return ((PosFileOutcome.Accepted) out.all.get(0)).transaction();
    }

    /** The sale as CSV: the columns shuffled (by the sale's seed), item rows in line_no order shuffled too, a tender row. */
    static String csv(Sale sale) {
        List<String> columns = new ArrayList<>(PosCsvReader.REQUIRED_COLUMNS);
        columns.add("loyalty_id");
        columns.add("tender_type");
        Collections.shuffle(columns, new java.util.Random(sale.seed()));
        List<java.util.Map<String, String>> rows = new ArrayList<>();
        for (int i = 0; i < sale.lines().size(); i++) {
            Line l = sale.lines().get(i);
            rows.add(row(sale, i + 1, sale.isReturn() ? "RETURN" : "SALE", l.sku(), Integer.toString(l.quantity()), l.unitPrice(),
                    new java.math.BigDecimal(l.unitPrice()).multiply(java.math.BigDecimal.valueOf(l.quantity())).toPlainString(), null));
        }
        Collections.shuffle(rows, new java.util.Random(sale.seed() + 1));
        rows.add(row(sale, sale.lines().size() + 1, "TENDER", null, null, null, "1.00", "CASH"));
        StringBuilder out = new StringBuilder(String.join(",", columns)).append('\n');
        for (var row : rows) {
            out.append(String.join(",", columns.stream().map(c -> row.getOrDefault(c, "")).toList())).append('\n');
        }
        return out.toString();
    }

    private static java.util.Map<String, String> row(Sale sale, int lineNo, String type, String sku, String qty, String price, String ext,
            String tender) {
        java.util.Map<String, String> row = new java.util.HashMap<>();
        row.put("store_id", "STORE-7");
        row.put("register_id", sale.register());
        row.put("business_date", "2026-11-26");
        row.put("txn_seq", Long.toString(sale.sequence()));
        row.put("line_no", Integer.toString(lineNo));
        row.put("line_type", type);
        row.put("currency", "EUR");
        row.put("event_ts", lineNo == 1 ? "2026-11-26T11:15:30+01:00" : "2026-11-26T10:15:00Z");
        if (sku != null) {
            row.put("sku", sku);
            row.put("qty", qty);
            row.put("unit_price", price);
        }
        row.put("ext_amount", ext);
        if (tender != null) {
            row.put("tender_type", tender);
        }
        if (sale.loyaltyId() != null && tender != null) {
            row.put("loyalty_id", sale.loyaltyId());
        }
        return row;
    }

    static String posLog(Sale sale) {
        StringBuilder items = new StringBuilder();
        String kind = sale.isReturn() ? "Return" : "Sale";
        for (Line l : sale.lines()) {
            items.append("<LineItem><").append(kind).append(" ItemType=\"Stock\"><ItemID>").append(l.sku()).append("</ItemID>")
                    .append("<RegularSalesUnitPrice>").append(l.unitPrice()).append("</RegularSalesUnitPrice><Quantity>").append(l.quantity())
                    .append("</Quantity><x:Ext>ignored</x:Ext></").append(kind).append("></LineItem>\n");
        }
        return """
                <?xml version="1.0"?>
                <POSLog xmlns="http://www.nrf-arts.org/IXRetail/namespace/" xmlns:x="urn:example:vendor">
                <Transaction><RetailStoreID>STORE-7</RetailStoreID><WorkstationID>%s</WorkstationID><SequenceNumber>%d</SequenceNumber>
                <BusinessDayDate>2026-11-26</BusinessDayDate><EndDateTime>2026-11-26T10:15:30.000Z</EndDateTime><CurrencyCode>EUR</CurrencyCode>
                <RetailTransaction>%s%s</RetailTransaction></Transaction></POSLog>
                """.formatted(sale.register(), sale.sequence(), items,
                sale.loyaltyId() == null ? "" : "<LoyaltyAccount><CustomerID>" + sale.loyaltyId() + "</CustomerID></LoyaltyAccount>");
    }
}
