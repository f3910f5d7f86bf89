package dev.unison.connectors.posfiles;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.ZipException;

/**
 * Reads the hub's POS CSV contract (docs/connectors/pos-files.md), streamed: one row per line item,
 * a header row naming the columns (any order, any case), the rows of a transaction consecutive. Each
 * transaction is handed to the consumer as soon as its last row is read, as an
 * {@link PosFileOutcome.Accepted} {@code PosTransaction} or a {@link PosFileOutcome.Rejected} with its
 * first and last line and every reason; a bad transaction never stops the others. Only the rows of
 * one transaction are held at a time.
 *
 * <p>Lines are read as connectors/file-drop-network reads its drop files: UTF-8 (a byte-order mark
 * allowed), gzip or not, each line one RFC 4180 row (Jackson CSV; quoting within the line), blank
 * lines ignored. A row that cannot be read (not CSV, wrong number of fields) may belong to the
 * transaction before it or after it: both are rejected, never accepted without it.
 *
 * <p>An optional last row {@code line_type=TRAILER} is a control: {@code txn_seq} = the number of
 * transactions, {@code ext_amount} = the sum of {@code ext_amount} over SALE and RETURN rows. When it
 * is there and does not match, the file is rejected as a whole (a truncated or spliced upload).
 */
public final class PosCsvReader {

    public static final List<String> REQUIRED_COLUMNS = List.of("store_id", "register_id", "business_date", "txn_seq", "line_no",
            "line_type", "sku", "qty", "unit_price", "ext_amount", "currency", "event_ts");
    public static final List<String> OPTIONAL_COLUMNS = List.of("gtin", "discount", "loyalty_id", "tender_type", "auth_code",
            "card_token");
    /** The line types of transaction rows; {@code TRAILER} is the control row. */
    public static final List<String> LINE_TYPES = List.of("SALE", "RETURN", "TENDER", "LOYALTY");
    public static final String TRAILER = "TRAILER";

    /** Rows of one transaction kept at most (500 items plus their tenders); beyond, the transaction is rejected. */
    static final int MAX_ROWS = 2000;

    private static final ObjectReader CSV_ROW = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY).build()
            .readerFor(String[].class);

    private final PosFileOptions options;

    public PosCsvReader(PosFileOptions options) {
        this.options = options;
    }

    public PosFileResult read(Path file, Consumer<PosFileOutcome> consumer) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, consumer);
        }
    }

    /**
     * Reads the stream to its end (it is not closed).
     *
     * @throws IOException only when the stream cannot be read; a file that is not a POS CSV is a
     *         {@link PosFileResult#fileRejection()}
     */
    public PosFileResult read(InputStream in, Consumer<PosFileOutcome> consumer) throws IOException {
        FileBytes bytes = new FileBytes(in);
        Run run = new Run(consumer);
        String rejection;
        try {
            rejection = run.read(new Utf8Lines(bytes.content()));
        } catch (CharacterCodingException e) {
            rejection = "line " + (run.line + 1) + ": the file is not UTF-8 text";
        } catch (ZipException | EOFException e) {
            rejection = "the gzip stream is broken after line " + run.line + ": " + e.getMessage();
        }
        bytes.drain();
        return new PosFileResult(bytes.sha256(), bytes.count(), run.transactions, run.accepted, run.rejected, 0,
                Optional.ofNullable(rejection));
    }

    private record Row(long line, String[] cells) {
    }

    /** The consecutive rows of one transaction (same store, register, business date, txn_seq as written). */
    private static final class Group {
        final String rawKey;
        final long firstLine;
        long lastLine;
        final List<Row> rows = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        long rowsDropped;

        Group(String rawKey, long firstLine) {
            this.rawKey = rawKey;
            this.firstLine = firstLine;
            this.lastLine = firstLine;
        }
    }

    /** One read of one file. */
    private final class Run {
        final Consumer<PosFileOutcome> consumer;
        final KeyFingerprints keys = new KeyFingerprints();
        Map<String, Integer> columns;
        long line;
        long transactions;
        long accepted;
        long rejected;
        Group group;
        /** A row that could not be read: the transaction after it is rejected too. */
        String poisonNext;
        BigDecimal itemSum = BigDecimal.ZERO;
        long unreadableAmounts;

        Run(Consumer<PosFileOutcome> consumer) {
            this.consumer = consumer;
        }

        /** The file-level rejection, or null. */
        String read(Utf8Lines reader) throws IOException {
            String header = reader.readLine();
            if (header == null) {
                return "the file is empty: a POS CSV starts with a header row naming its columns";
            }
            line = 1;
            if (header.startsWith("\uFEFF")) {
                header = header.substring(1);
            }
            Optional<String[]> names = cells(header);
            if (names.isEmpty()) {
                return "line 1: the header row is not CSV";
            }
            String problem = header(names.get());
            if (problem != null) {
                return "line 1: " + problem;
            }
            int width = names.get().length;
            Row trailer = null;
            for (String text = reader.readLine(); text != null; text = reader.readLine()) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                if (trailer != null) {
                    return "line " + line + ": a row after the TRAILER row (line " + trailer.line + "); the trailer is the last row";
                }
                Optional<String[]> cells = cells(text);
                String unreadable = cells.isEmpty() ? "not a CSV row (a quoted field must end on its line)"
                        : cells.get().length != width ? "has " + cells.get().length + " fields, the header " + width : null;
                if (unreadable != null) {
                    String reason = "line " + line + ": " + unreadable + "; it may belong to this transaction";
                    if (group != null) {
                        group.problems.add(reason);
                        group.lastLine = line;
                    }
                    poisonNext = reason;
                    continue;
                }
                Row row = new Row(line, cells.get());
                if (TRAILER.equalsIgnoreCase(cell(row, "line_type"))) {
                    flush();
                    trailer = row;
                    continue;
                }
                String rawKey = cell(row, "store_id") + "\u0000" + cell(row, "register_id") + "\u0000" + cell(row, "business_date")
                        + "\u0000" + cell(row, "txn_seq");
                if (group == null || !group.rawKey.equals(rawKey)) {
                    flush();
                    group = new Group(rawKey, line);
                    if (poisonNext != null) {
                        group.problems.add(poisonNext);
                        poisonNext = null;
                    }
                } else {
                    poisonNext = null;
                }
                group.lastLine = line;
                if (group.rows.size() < MAX_ROWS) {
                    group.rows.add(row);
                } else {
                    group.rowsDropped++;
                }
                String type = cell(row, "line_type");
                if (type != null && (type.equalsIgnoreCase("SALE") || type.equalsIgnoreCase("RETURN"))) {
                    BigDecimal amount = number(cell(row, "ext_amount"));
                    if (amount == null) {
                        unreadableAmounts++;
                    } else {
                        itemSum = itemSum.add(amount);
                    }
                }
            }
            flush();
            if (trailer != null) {
                return trailer(trailer);
            }
            if (options.requireTrailer()) {
                return "no TRAILER row: the file may be incomplete (a truncated upload); its last row is line " + line;
            }
            return null;
        }

        private String header(String[] names) {
            Set<String> seen = new LinkedHashSet<>();
            List<String> problems = new ArrayList<>();
            columns = new HashMap<>();
            for (int i = 0; i < names.length; i++) {
                String name = names[i].trim().toLowerCase(Locale.ROOT);
                if (!seen.add(name)) {
                    problems.add("column '" + names[i].trim() + "' appears twice");
                }
                columns.putIfAbsent(name, i);
            }
            for (String required : REQUIRED_COLUMNS) {
                if (!seen.contains(required)) {
                    problems.add("missing column '" + required + "'");
                }
            }
            for (String name : seen) {
                if (!REQUIRED_COLUMNS.contains(name) && !OPTIONAL_COLUMNS.contains(name)) {
                    problems.add("unknown column '" + name + "'");
                }
            }
            return problems.isEmpty() ? null
                    : String.join("; ", problems) + " (a POS CSV has " + String.join(", ", REQUIRED_COLUMNS) + "; optional: "
                            + String.join(", ", OPTIONAL_COLUMNS) + ")";
        }

        private String trailer(Row trailer) {
            String at = "line " + trailer.line + " (TRAILER)";
            Long count = null;
            try {
                count = Long.parseLong(cell(trailer, "txn_seq"));
            } catch (NumberFormatException e) {
                // named below
            }
            BigDecimal sum = number(cell(trailer, "ext_amount"));
            if (count == null || sum == null) {
                return at + ": txn_seq must be the number of transactions and ext_amount the sum of the SALE and RETURN rows' "
                        + "ext_amount; read '" + cell(trailer, "txn_seq") + "' and '" + cell(trailer, "ext_amount") + "'";
            }
            List<String> wrong = new ArrayList<>();
            if (count != transactions) {
                wrong.add("txn_seq says " + count + " transactions, the file has " + transactions);
            }
            if (sum.compareTo(itemSum) != 0) {
                wrong.add("ext_amount says " + sum.toPlainString() + ", the SALE and RETURN rows sum to " + itemSum.toPlainString()
                        + (unreadableAmounts > 0 ? " (" + unreadableAmounts + " rows with an unreadable ext_amount left out)" : ""));
            }
            return wrong.isEmpty() ? null
                    : at + ": " + String.join("; ", wrong) + ": the file is not complete (a truncated upload?): rejected as a whole";
        }

        private void flush() {
            if (group == null) {
                return;
            }
            Group g = group;
            group = null;
            transactions++;
            PosFileOutcome outcome = evaluate(g, keys);
            if (outcome instanceof PosFileOutcome.Accepted) {
                accepted++;
            } else {
                rejected++;
            }
            consumer.accept(outcome);
        }

        private String cell(Row row, String column) {
            return PosCsvReader.cell(columns, row, column);
        }

        private PosFileOutcome evaluate(Group g, KeyFingerprints seen) {
            return PosCsvReader.this.evaluate(g, columns, seen);
        }
    }

    private static String cell(Map<String, Integer> columns, Row row, String column) {
        Integer i = columns.get(column);
        if (i == null) {
            return null;
        }
        String value = row.cells()[i].trim();
        return value.isEmpty() ? null : value;
    }

    private static BigDecimal number(String text) {
        if (text == null) {
            return null;
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private record Item(long lineNo, long line, String sku, String gtin, ApiRules.Units units) {
    }

    private PosFileOutcome evaluate(Group g, Map<String, Integer> columns, KeyFingerprints seen) {
        PosFilePosition position = new PosFilePosition.CsvLines(g.firstLine, g.lastLine);
        List<String> problems = new ArrayList<>(g.problems);
        List<String> notes = new ArrayList<>();
        Row first = g.rows.get(0);
        String at = "line " + first.line();
        String storeId = ApiRules.id(cell(columns, first, "store_id"), at + " store_id", problems);
        String registerId = ApiRules.id(cell(columns, first, "register_id"), at + " register_id", problems);
        LocalDate day = ApiRules.businessDay(cell(columns, first, "business_date"), at + " business_date", options.clock(), problems);
        Long sequence = ApiRules.sequence(cell(columns, first, "txn_seq"), at + " txn_seq", problems);
        String key = storeId != null && registerId != null && day != null && sequence != null
                ? storeId + ":" + registerId + ":" + day + ":" + sequence
                : g.rawKey.replace('\u0000', ':');
        if (!seen.add(g.rawKey)) {
            problems.add(at + ": rows of " + key + " came earlier in the file; a transaction's rows are consecutive (its lines would be split)");
        }
        if (g.rowsDropped > 0) {
            problems.add("more than " + MAX_ROWS + " rows in one transaction");
        }

        Set<Long> lineNumbers = new HashSet<>();
        List<Item> items = new ArrayList<>();
        boolean sale = false;
        boolean ret = false;
        String currency = null;
        OffsetDateTime latest = null;
        String latestText = null;
        String loyaltyId = null;
        long loyaltyLine = 0;
        String token = null;
        long tokenLine = 0;
        for (Row row : g.rows) {
            String l = "line " + row.line();
            String lineNo = cell(columns, row, "line_no");
            Long no = null;
            try {
                no = lineNo == null ? null : Long.parseLong(lineNo);
            } catch (NumberFormatException e) {
                // named below
            }
            if (no == null || no < 1) {
                problems.add(l + " line_no: " + (lineNo == null ? "missing" : "'" + lineNo + "' is not a line number (1, 2, ...)"));
            } else if (!lineNumbers.add(no)) {
                problems.add(l + " line_no: " + no + " appears twice in the transaction");
            }
            String type = cell(columns, row, "line_type");
            String upper = type == null ? null : type.toUpperCase(Locale.ROOT);
            String rowCurrency = cell(columns, row, "currency");
            String eventTs = cell(columns, row, "event_ts");
            if ("SALE".equals(upper) || "RETURN".equals(upper)) {
                sale |= "SALE".equals(upper);
                ret |= "RETURN".equals(upper);
                String sku = ApiRules.sku(cell(columns, row, "sku"), l + " sku", problems);
                String gtin = ApiRules.gtin(cell(columns, row, "gtin"), l + " gtin", problems);
                String qtyText = cell(columns, row, "qty");
                String unitPrice = ApiRules.price(cell(columns, row, "unit_price"), l + " unit_price", problems);
                BigDecimal ext = ApiRules.decimal(cell(columns, row, "ext_amount"), l + " ext_amount", true, problems);
                BigDecimal discount = ApiRules.decimal(cell(columns, row, "discount"), l + " discount", false, problems);
                if (discount != null && discount.signum() < 0) {
                    problems.add(l + " discount: " + discount.toPlainString() + " is negative (a discount is written as a positive amount)");
                }
                if (ext != null && ext.signum() < 0) {
                    problems.add(l + " ext_amount: " + ext.toPlainString() + " is negative (a RETURN row's amounts are positive too)");
                    ext = null;
                }
                if (rowCurrency == null) {
                    problems.add(l + " currency: missing");
                }
                if (eventTs == null) {
                    problems.add(l + " event_ts: missing");
                }
                ApiRules.Units units = ApiRules.units(qtyText, l + " qty", unitPrice, ext, l + " ext_amount", null, options, problems,
                        notes);
                BigDecimal qty = number(qtyText);
                if (qty != null && unitPrice != null && ext != null && !ApiRules.extendsTo(qty, new BigDecimal(unitPrice), ext)) {
                    problems.add(l + " ext_amount: " + ext.toPlainString() + " is not qty x unit_price (" + qtyText + " x " + unitPrice
                            + " = " + qty.multiply(new BigDecimal(unitPrice)).toPlainString() + ", to the cent)");
                }
                if (no != null && sku != null && units != null) {
                    items.add(new Item(no, row.line(), sku, gtin, units));
                }
            } else if ("TENDER".equals(upper)) {
                if (cell(columns, row, "tender_type") == null) {
                    problems.add(l + " tender_type: missing (a TENDER row says how the transaction was paid)");
                }
                BigDecimal amount = ApiRules.decimal(cell(columns, row, "ext_amount"), l + " ext_amount", true, problems);
                if (amount != null && amount.signum() < 0) {
                    problems.add(l + " ext_amount: " + amount.toPlainString() + " is negative (a refund's tender is positive too)");
                }
            } else if ("LOYALTY".equals(upper)) {
                if (cell(columns, row, "loyalty_id") == null) {
                    problems.add(l + " loyalty_id: missing (a LOYALTY row names the customer's loyalty id)");
                }
            } else {
                problems.add(l + " line_type: " + (type == null ? "missing" : "'" + type + "' is not SALE, RETURN, TENDER or LOYALTY"));
            }
            if (rowCurrency != null) {
                if (ApiRules.currency(rowCurrency, l + " currency", problems) != null) {
                    if (currency == null) {
                        currency = rowCurrency;
                    } else if (!currency.equals(rowCurrency)) {
                        problems.add(l + " currency: " + rowCurrency + ", an earlier row " + currency + " (one currency a transaction)");
                    }
                }
            }
            if (eventTs != null) {
                OffsetDateTime ts = ApiRules.occurredAt(eventTs, l + " event_ts", options.clock(), problems);
                if (ts != null && (latest == null || ts.toInstant().isAfter(latest.toInstant()))) {
                    latest = ts;
                    latestText = eventTs;
                }
            }
            String rowLoyalty = ApiRules.optionalText(cell(columns, row, "loyalty_id"), l + " loyalty_id", 128, problems);
            if (rowLoyalty != null) {
                if (loyaltyId == null) {
                    loyaltyId = rowLoyalty;
                    loyaltyLine = row.line();
                } else if (!loyaltyId.equals(rowLoyalty)) {
                    problems.add(l + " loyalty_id: '" + rowLoyalty + "', line " + loyaltyLine + " '" + loyaltyId
                            + "' (one loyalty id a transaction)");
                }
            }
            String rowToken = ApiRules.optionalText(cell(columns, row, "card_token"), l + " card_token", 256, problems);
            if (rowToken != null) {
                if (token == null) {
                    token = rowToken;
                    tokenLine = row.line();
                } else if (!token.equals(rowToken)) {
                    notes.add(l + " card_token: a second card; the payment token is line " + tokenLine + "'s");
                }
            }
        }
        if (!sale && !ret) {
            problems.add("no SALE or RETURN row (a transaction sells or takes back at least one item)");
        }
        if (sale && ret) {
            problems.add("both SALE and RETURN rows (an exchange): a POS transaction is a sale or a return; write the exchange as two transactions");
        }
        if (items.size() > ApiRules.MAX_LINES) {
            problems.add(items.size() + " SALE/RETURN rows: at most " + ApiRules.MAX_LINES + " a transaction");
        }
        if (!problems.isEmpty()) {
            return new PosFileOutcome.Rejected(key, position, problems);
        }
        items.sort(Comparator.comparingLong(Item::lineNo));
        ObjectNode body = ApiRules.apiBody(storeId, registerId, day, sequence, ret, latestText, currency,
                items.stream().map(item -> new ApiRules.ApiLine(item.sku(), item.gtin(), item.units())).toList(), loyaltyId, token);
        Map<String, String> top = Map.of("storeId", "store_id", "registerId", "register_id", "businessDay", "business_date",
                "sequence", "txn_seq", "currency", "currency", "occurredAt", "event_ts", "loyaltyId", "loyalty_id", "paymentToken",
                "card_token");
        Map<String, String> lineColumns = Map.of("sku", "sku", "gtin", "gtin", "quantity", "qty", "unitPrice", "unit_price");
        return ApiRules.finish(body, key, position, notes, options, field -> at + " " + top.getOrDefault(field, field),
                (index, field) -> "line " + items.get(index).line() + " " + lineColumns.getOrDefault(field, field));
    }

    /** Lines of UTF-8 text (LF or CRLF), each decoded strictly on its own: a bad byte is named by its line. */
    private static final class Utf8Lines {
        private final InputStream in;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(256);
        private final java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

        Utf8Lines(InputStream in) {
            this.in = in;
        }

        String readLine() throws IOException {
            line.reset();
            int b = in.read();
            if (b < 0) {
                return null;
            }
            while (b >= 0 && b != '\n') {
                line.write(b);
                b = in.read();
            }
            byte[] bytes = line.toByteArray();
            int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
            return decoder.decode(java.nio.ByteBuffer.wrap(bytes, 0, length)).toString();
        }
    }

    /** One line as CSV cells, or empty when it is not CSV (as connectors/file-drop-network reads a line). */
    private static Optional<String[]> cells(String line) {
        try (MappingIterator<String[]> it = CSV_ROW.readValues(line)) {
            return Optional.of(it.hasNextValue() ? it.nextValue() : new String[0]);
        } catch (IOException | RuntimeException malformed) {
            return Optional.empty();
        }
    }
}
