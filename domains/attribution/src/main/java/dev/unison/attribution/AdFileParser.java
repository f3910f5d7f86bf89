package dev.unison.attribution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.unison.canonical.event.CanonicalSchemas;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.AdExposure;
import dev.unison.canonical.model.AdSpend;
import dev.unison.canonical.model.CanonicalRecord;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Reads an exposure log or a spend report, as an ad server or a network export writes it: CSV
 * (RFC 4180, a header row naming the columns) or JSON lines (one canonical record per line), either
 * gzip-compressed or not (told by the gzip magic bytes, RFC 1952). Streams line by line, never the
 * whole file in memory. Every row becomes its canonical record after the record's JSON Schema
 * accepted it; a row that cannot is reported with its line number and every reason, and reading
 * goes on: a bad row never stops the good ones, and is never dropped silently.
 */
public final class AdFileParser {

    public enum Kind {
        EXPOSURES(EventType.AD_EXPOSURE_RECORDED, AdExposure.class, List.of("exposure_id", "network", "campaign_id", "kind",
                "exposed_at"), List.of("advertiser_id", "ad_id", "hashed_email", "hashed_phone", "click_id", "device_id")),
        SPEND(EventType.AD_SPEND_REPORTED, AdSpend.class, List.of("network", "campaign_id", "day", "spend", "currency",
                "impressions", "clicks"), NETWORK_COLUMNS);

        final EventType type;
        final Class<? extends CanonicalRecord> recordClass;
        /** CSV columns every file of this kind has. */
        public final List<String> requiredColumns;
        public final List<String> optionalColumns;

        Kind(EventType type, Class<? extends CanonicalRecord> recordClass, List<String> required, List<String> optional) {
            this.type = type;
            this.recordClass = recordClass;
            this.requiredColumns = required;
            this.optionalColumns = optional;
        }

        public EventType eventType() {
            return type;
        }

        public static Kind fromWireName(String value) {
            try {
                return valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("file kind must be exposures or spend, got '" + value + "'");
            }
        }
    }

    /**
     * The spend file's optional columns for the network's own attributed figures of the day
     * ({@code AdSpend.networkAttributed}); the sales are in the row's {@code currency}.
     */
    static final List<String> NETWORK_COLUMNS = List.of("network_click_window_days", "network_view_window_days",
            "network_orders", "network_units", "network_sales", "network_sales_in_store", "network_sales_online");
    /** Required of a row as soon as any of {@link #NETWORK_COLUMNS} has a value in it. */
    static final List<String> NETWORK_REQUIRED = List.of("network_click_window_days", "network_orders", "network_units",
            "network_sales");

    public enum Format {
        CSV, JSON_LINES
    }

    /** A row read: its line and its record. */
    public record Row(long line, CanonicalRecord record) {
    }

    /** A row refused: its line and why. */
    public record Rejected(long line, List<String> reasons) {
    }

    /** What a file's rows are handed to. */
    public interface Rows {
        void accepted(Row row);

        void rejected(Rejected rejected);
    }

    /** The whole file cannot be read (no header, missing columns, not text): nothing of it is taken. */
    public static class UnreadableFileException extends RuntimeException {
        public UnreadableFileException(String message) {
            super(message);
        }
    }

    private static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY).build();
    private static final ObjectReader CSV_ROW = CSV.readerFor(String[].class);
    private static final int MAX_LINE = 64 * 1024;

    private AdFileParser() {
    }

    /** Opens a file's bytes, gunzipping them when they start with the gzip magic bytes. */
    public static InputStream decompressed(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 64 * 1024);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(in, 64 * 1024) : in;
    }

    /** Reads every row; returns the number of lines read (the header included). */
    public static long parse(InputStream raw, Kind kind, Format format, Rows rows) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(decompressed(raw),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)), 64 * 1024)) {
            return format == Format.CSV ? csv(reader, kind, rows) : jsonLines(reader, kind, rows);
        } catch (CharacterCodingException notUtf8) {
            throw new UnreadableFileException("the file is not UTF-8 text (or a gzip of it)");
        } catch (java.util.zip.ZipException badGzip) {
            throw new UnreadableFileException("the file starts like gzip but is not a valid gzip stream: " + badGzip.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long jsonLines(BufferedReader reader, Kind kind, Rows rows) throws IOException {
        Lines lines = new Lines(reader, 0);
        for (String text; (text = lines.next(rows)) != null;) {
            long line = lines.number;
            JsonNode json;
            try {
                json = CanonicalJson.parse(text);
            } catch (IllegalArgumentException malformed) {
                rows.rejected(new Rejected(line, List.of("not a JSON value: " + malformed.getMessage())));
                continue;
            }
            if (json == null || !json.isObject()) {
                rows.rejected(new Rejected(line, List.of("each line must be one JSON object")));
                continue;
            }
            record(kind, line, (ObjectNode) json, rows);
        }
        return lines.number;
    }

    /**
     * The lines of a file that are not blank, numbered, each at most {@link #MAX_LINE} characters:
     * a longer one is reported as rejected and skipped without being held in memory whole.
     */
    private static final class Lines {
        private final BufferedReader reader;
        long number;

        Lines(BufferedReader reader, long before) {
            this.reader = reader;
            this.number = before;
        }

        String next(Rows rows) throws IOException {
            StringBuilder text = new StringBuilder();
            while (true) {
                text.setLength(0);
                boolean tooLong = false;
                int c;
                while ((c = reader.read()) != -1 && c != '\n') {
                    if (text.length() < MAX_LINE) {
                        text.append((char) c);
                    } else {
                        tooLong = true;
                    }
                }
                if (c == -1 && text.isEmpty() && !tooLong) {
                    return null;
                }
                number++;
                if (!text.isEmpty() && text.charAt(text.length() - 1) == '\r') {
                    text.setLength(text.length() - 1);
                }
                if (tooLong) {
                    rows.rejected(new Rejected(number, List.of("the line is longer than " + MAX_LINE + " characters")));
                } else if (!text.toString().isBlank()) {
                    return text.toString();
                }
                if (c == -1) {
                    return null;
                }
            }
        }
    }

    private static long csv(BufferedReader reader, Kind kind, Rows rows) throws IOException {
        String headerLine = boundedLine(reader);
        if (headerLine == null) {
            throw new UnreadableFileException("the file is empty: a CSV file starts with a header row naming its columns");
        }
        if (headerLine.startsWith("\uFEFF")) {
            headerLine = headerLine.substring(1); // a byte-order mark some spreadsheet exports write
        }
        String[] header;
        try {
            header = row(headerLine);
        } catch (IOException malformed) {
            throw new UnreadableFileException("line 1: the header row is not CSV: " + malformed.getMessage());
        }
        Map<String, Integer> columns = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        Set<String> known = new java.util.HashSet<>(kind.requiredColumns);
        known.addAll(kind.optionalColumns);
        for (int i = 0; i < header.length; i++) {
            String name = header[i].trim().toLowerCase(Locale.ROOT);
            if (!known.contains(name)) {
                problems.add("unknown column '" + header[i] + "'");
            } else if (columns.put(name, i) != null) {
                problems.add("column '" + name + "' appears twice");
            }
        }
        for (String required : kind.requiredColumns) {
            if (!columns.containsKey(required)) {
                problems.add("missing column '" + required + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new UnreadableFileException("line 1: " + String.join("; ", problems) + " (columns of a " + kind.name()
                    .toLowerCase(Locale.ROOT) + " file: " + String.join(", ", kind.requiredColumns)
                    + (kind.optionalColumns.isEmpty() ? "" : "; optional: " + String.join(", ", kind.optionalColumns)) + ")");
        }
        Lines lines = new Lines(reader, 1);
        for (String text; (text = lines.next(rows)) != null;) {
            long line = lines.number;
            String[] cells;
            try {
                cells = row(text);
            } catch (IOException malformed) {
                rows.rejected(new Rejected(line, List.of("not a CSV row (a quoted field must end on its line): "
                        + (malformed instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                                : malformed.getMessage()))));
                continue;
            }
            if (cells.length != header.length) {
                rows.rejected(new Rejected(line, List.of("has " + cells.length + " fields, the header " + header.length)));
                continue;
            }
            if (kind == Kind.SPEND) {
                List<String> missing = missingNetworkColumns(columns, cells);
                if (!missing.isEmpty()) {
                    rows.rejected(new Rejected(line, List.of("the network's figures are all or none: when a network_* column "
                            + "has a value, " + String.join(", ", NETWORK_REQUIRED) + " must have one; missing: "
                            + String.join(", ", missing))));
                    continue;
                }
            }
            record(kind, line, kind == Kind.EXPOSURES ? exposureJson(columns, cells) : spendJson(columns, cells), rows);
        }
        return lines.number;
    }

    /** The first line, at most {@link #MAX_LINE} characters (a longer header makes the file unreadable). */
    private static String boundedLine(BufferedReader reader) throws IOException {
        StringBuilder text = new StringBuilder();
        int c;
        while ((c = reader.read()) != -1 && c != '\n') {
            if (text.length() == MAX_LINE) {
                throw new UnreadableFileException("line 1: the header row is longer than " + MAX_LINE + " characters");
            }
            text.append((char) c);
        }
        if (c == -1 && text.isEmpty()) {
            return null;
        }
        return text.length() > 0 && text.charAt(text.length() - 1) == '\r' ? text.substring(0, text.length() - 1)
                : text.toString();
    }

    /** One CSV line's fields (RFC 4180: quoted fields, doubled quotes). */
    private static String[] row(String line) throws IOException {
        try (com.fasterxml.jackson.databind.MappingIterator<String[]> it = CSV_ROW.readValues(line)) {
            return it.hasNextValue() ? it.nextValue() : new String[0];
        }
    }

    private static String cell(Map<String, Integer> columns, String[] cells, String column) {
        Integer i = columns.get(column);
        if (i == null) {
            return null;
        }
        String v = cells[i].trim();
        return v.isEmpty() ? null : v;
    }

    private static ObjectNode exposureJson(Map<String, Integer> columns, String[] cells) {
        ObjectNode json = CanonicalJson.mapper().createObjectNode();
        put(json, "exposureId", cell(columns, cells, "exposure_id"));
        put(json, "network", cell(columns, cells, "network"));
        put(json, "advertiserId", cell(columns, cells, "advertiser_id"));
        put(json, "campaignId", cell(columns, cells, "campaign_id"));
        put(json, "adId", cell(columns, cells, "ad_id"));
        String kind = cell(columns, cells, "kind");
        put(json, "kind", kind == null ? null : kind.toLowerCase(Locale.ROOT));
        put(json, "exposedAt", cell(columns, cells, "exposed_at"));
        ArrayNode identifiers = json.putArray("identifiers");
        for (String type : List.of("hashed_email", "hashed_phone", "click_id", "device_id")) {
            String value = cell(columns, cells, type);
            if (value != null) {
                // a hex digest is the same digest in capitals; exports differ in the case they write
                identifiers.addObject().put("type", type).put("value", type.startsWith("hashed_") ? value.toLowerCase(Locale.ROOT) : value);
            }
        }
        return json;
    }

    private static ObjectNode spendJson(Map<String, Integer> columns, String[] cells) {
        ObjectNode json = CanonicalJson.mapper().createObjectNode();
        put(json, "network", cell(columns, cells, "network"));
        put(json, "campaignId", cell(columns, cells, "campaign_id"));
        put(json, "day", cell(columns, cells, "day"));
        ObjectNode spend = json.putObject("spend");
        put(spend, "amount", cell(columns, cells, "spend"));
        put(spend, "currency", cell(columns, cells, "currency"));
        putInteger(json, "impressions", cell(columns, cells, "impressions"));
        putInteger(json, "clicks", cell(columns, cells, "clicks"));
        if (NETWORK_COLUMNS.stream().anyMatch(c -> cell(columns, cells, c) != null)) {
            ObjectNode n = json.putObject("networkAttributed");
            putInteger(n, "clickWindowDays", cell(columns, cells, "network_click_window_days"));
            putInteger(n, "viewWindowDays", cell(columns, cells, "network_view_window_days"));
            putInteger(n, "orders", cell(columns, cells, "network_orders"));
            putInteger(n, "units", cell(columns, cells, "network_units"));
            putMoney(n, "sales", cell(columns, cells, "network_sales"), cell(columns, cells, "currency"));
            putMoney(n, "salesInStore", cell(columns, cells, "network_sales_in_store"), cell(columns, cells, "currency"));
            putMoney(n, "salesOnline", cell(columns, cells, "network_sales_online"), cell(columns, cells, "currency"));
        }
        return json;
    }

    /** The required network columns a row leaves empty although another network column has a value. */
    static List<String> missingNetworkColumns(Map<String, Integer> columns, String[] cells) {
        if (NETWORK_COLUMNS.stream().allMatch(c -> cell(columns, cells, c) == null)) {
            return List.of();
        }
        return NETWORK_REQUIRED.stream().filter(c -> cell(columns, cells, c) == null).toList();
    }

    private static void putInteger(ObjectNode json, String field, String v) {
        if (v != null && v.matches("[0-9]{1,18}")) {
            json.put(field, Long.parseLong(v));
        } else {
            put(json, field, v); // the schema names it: not an integer
        }
    }

    private static void putMoney(ObjectNode json, String field, String amount, String currency) {
        if (amount != null) {
            ObjectNode money = json.putObject(field);
            put(money, "amount", amount);
            put(money, "currency", currency);
        }
    }

    private static void put(ObjectNode json, String field, String value) {
        if (value != null) {
            json.put(field, value);
        }
    }

    private static void record(Kind kind, long line, ObjectNode json, Rows rows) {
        List<String> violations = CanonicalSchemas.validate(kind.type, json);
        if (!violations.isEmpty()) {
            rows.rejected(new Rejected(line, violations));
            return;
        }
        try {
            rows.accepted(new Row(line, CanonicalJson.mapper().treeToValue(json, kind.recordClass)));
        } catch (IOException | IllegalArgumentException invalid) {
            rows.rejected(new Rejected(line, List.of(invalid.getMessage())));
        }
    }
}
