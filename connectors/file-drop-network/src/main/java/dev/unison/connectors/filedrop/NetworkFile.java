package dev.unison.connectors.filedrop;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.identity.DestinationHashing;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.spi.Inbox;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

/**
 * Reads one dropped file of a network: CSV (RFC 4180 quoting within a line, a header row naming the
 * columns, one row per line: a field spanning lines is a bad row), gzip or not (RFC 1952 magic bytes). The header tells the kind: a {@link Kind#PERFORMANCE}
 * file (one campaign day per row) or an {@link Kind#EXPOSURES} log (one impression or click per
 * row). Every row is checked by the same code that maps it ({@code check}); a row that fails is
 * reported with its line and reason and the others are stored.
 *
 * <p>Once per file, once per row: the file's SHA-256 names a pulled stream of the connection
 * ({@code file:<checksum>}), whose cursor is the line up to which rows are committed, moved in the
 * same transaction as each page of rows ({@link Inbox#acceptPage}). A crash mid-file resumes after
 * the last committed page; the same file dropped again finds its stream done and stores nothing;
 * each row is also stored under a key of its own (a performance row: campaign, day and content; an
 * exposure: its id), so a corrected file repeating rows stores only the rows that changed.
 */
final class NetworkFile {

    /** What a file holds, told by its header. */
    enum Kind {
        PERFORMANCE("performance-row", List.of("campaign_id", "date", "impressions", "clicks", "spend", "attributed_orders",
                "attributed_units_in_store", "attributed_units_online", "attributed_sales_in_store", "attributed_sales_online"),
                List.of("currency", "new_to_brand_sales")),
        EXPOSURES("exposure-row", List.of("exposure_id", "campaign_id", "event", "event_time"),
                List.of("advertiser_id", "ad_id", "hashed_email", "hashed_phone", "device_id", "click_id"));

        final String messageType;
        final List<String> required;
        final List<String> optional;

        Kind(String messageType, List<String> required, List<String> optional) {
            this.messageType = messageType;
            this.required = required;
            this.optional = optional;
        }

        static Optional<Kind> ofMessageType(String type) {
            for (Kind k : values()) {
                if (k.messageType.equals(type)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    record Rejected(long line, String reason) {
    }

    /**
     * What became of a file: its rows, how many were stored, were already stored, were refused (the
     * first {@value #MAX_REJECTED_LISTED} listed by line). {@code readBefore}: the same file (checksum)
     * was read completely before, nothing was stored; {@code resumedAfterLine}: an earlier read
     * committed the rows up to that line before it stopped, and only the rest was stored now.
     */
    record Report(String file, String checksum, Kind kind, long rows, long accepted, long duplicates, long rejectedRows,
            List<Rejected> rejected, boolean readBefore, long resumedAfterLine) {
    }

    /** A file that cannot be read at all (no header, unknown or missing columns, not UTF-8, broken gzip). */
    static final class UnreadableFile extends IOException {
        UnreadableFile(String message) {
            super(message);
        }
    }

    private static final ObjectReader CSV_ROW = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY).build()
            .readerFor(String[].class);
    private static final int MAX_REJECTED_LISTED = 1000;

    private final String connectionId;
    private final String connector;
    private final Inbox inbox;
    private final int pageSize;
    private final Function<ObjectNode, String> check;
    private final Clock clock;

    /**
     * @param check maps a row as {@code mapInbound} will and answers why it cannot be, or null
     */
    NetworkFile(String connectionId, String connector, Inbox inbox, int pageSize, Function<ObjectNode, String> check, Clock clock) {
        this.connectionId = connectionId;
        this.connector = connector;
        this.inbox = inbox;
        this.pageSize = pageSize;
        this.check = check;
        this.clock = clock;
    }

    Report read(Path file) throws IOException {
        String checksum = sha256(file);
        String stream = "file:" + checksum.substring(0, 40);
        Optional<String> cursor = inbox.cursor(connectionId, stream);
        Progress done = Progress.parse(cursor);
        String name = file.getFileName().toString();
        try (BufferedReader reader = reader(file)) {
            String headerLine = reader.readLine();
            if (headerLine == null) {
                throw new UnreadableFile("the file is empty: it starts with a header row naming its columns");
            }
            if (headerLine.startsWith("\uFEFF")) {
                headerLine = headerLine.substring(1); // a byte-order mark spreadsheet exports write
            }
            String[] header = cells(headerLine).orElseThrow(() -> new UnreadableFile("line 1: the header row is not CSV"));
            Kind kind = kind(header);
            Map<String, Integer> columns = new LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) {
                columns.put(header[i].trim().toLowerCase(Locale.ROOT), i);
            }
            List<Rejected> rejected = new ArrayList<>();
            long rejectedCount = 0;
            long rows = 0;
            long accepted = 0;
            long duplicates = 0;
            List<InboundDelivery> page = new ArrayList<>();
            long line = 1;
            for (String text = reader.readLine(); text != null; text = reader.readLine()) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                rows++;
                Optional<String[]> cells = cells(text);
                String reason = cells.isEmpty() ? "not a CSV row (a quoted field must end on its line)"
                        : cells.get().length != header.length ? "has " + cells.get().length + " fields, the header " + header.length
                        : null;
                ObjectNode row = null;
                if (reason == null) {
                    row = CanonicalJson.mapper().createObjectNode();
                    for (Map.Entry<String, Integer> c : columns.entrySet()) {
                        String value = cells.get()[c.getValue()].trim();
                        if (!value.isEmpty()) {
                            row.put(c.getKey(), value);
                        }
                    }
                    reason = check.apply(row);
                }
                if (reason != null) {
                    rejectedCount++;
                    if (rejected.size() < MAX_REJECTED_LISTED) {
                        rejected.add(new Rejected(line, reason));
                    }
                    continue;
                }
                if (done.finished || line <= done.line) {
                    continue; // committed by an earlier read
                }
                page.add(delivery(kind, row, name, line));
                if (page.size() == pageSize) {
                    int fresh = commit(stream, cursor, page, new Progress(line, false));
                    cursor = Optional.of(new Progress(line, false).toString());
                    accepted += fresh;
                    duplicates += page.size() - fresh;
                    page.clear();
                }
            }
            if (!done.finished) {
                int fresh = commit(stream, cursor, page, new Progress(line, true));
                accepted += fresh;
                duplicates += page.size() - fresh;
            }
            return new Report(name, checksum, kind, rows, accepted, done.finished ? rows - rejectedCount : duplicates, rejectedCount,
                    List.copyOf(rejected), done.finished, done.finished ? 0 : done.line > 1 ? done.line : 0);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new UnreadableFile("the file is not UTF-8 text: " + e.getMessage());
        } catch (java.util.zip.ZipException e) {
            throw new UnreadableFile("the gzip stream is broken: " + e.getMessage());
        }
    }

    /** Stores a page with the file's new position, in one transaction; answers how many rows were new. */
    private int commit(String stream, Optional<String> cursor, List<InboundDelivery> page, Progress next) throws IOException {
        Optional<Integer> fresh = inbox.acceptPage(connectionId, stream, cursor, next.toString(), page);
        if (fresh.isEmpty()) {
            // another instance reads the same file (a shared folder): it owns the stream now
            throw new IOException("the file's position moved under this reader (another instance reads it); left to that one");
        }
        return fresh.get();
    }

    private InboundDelivery delivery(Kind kind, ObjectNode row, String file, long line) {
        String key = kind == Kind.EXPOSURES ? "exposure/" + row.get("exposure_id").asText()
                : "performance/" + row.get("campaign_id").asText() + "/" + row.get("date").asText() + "/"
                        + DestinationHashing.sha256Hex(row.toString()).substring(0, 16);
        return new InboundDelivery(connectionId, connector, kind.messageType, key, Map.of("file", file, "line", Long.toString(line)),
                row.toString().getBytes(StandardCharsets.UTF_8), clock.instant());
    }

    private static Kind kind(String[] header) throws UnreadableFile {
        Set<String> names = new java.util.LinkedHashSet<>();
        for (String h : header) {
            if (!names.add(h.trim().toLowerCase(Locale.ROOT))) {
                throw new UnreadableFile("line 1: column '" + h.trim() + "' appears twice");
            }
        }
        Kind kind = names.contains("spend") ? Kind.PERFORMANCE : names.contains("exposure_id") ? Kind.EXPOSURES : null;
        if (kind == null) {
            throw new UnreadableFile("line 1: neither a performance file (a 'spend' column) nor an exposure log (an "
                    + "'exposure_id' column); columns: " + String.join(", ", names));
        }
        List<String> problems = new ArrayList<>();
        for (String required : kind.required) {
            if (!names.contains(required)) {
                problems.add("missing column '" + required + "'");
            }
        }
        for (String name : names) {
            if (!kind.required.contains(name) && !kind.optional.contains(name)) {
                problems.add("unknown column '" + name + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new UnreadableFile("line 1: " + String.join("; ", problems) + " (a " + kind.name().toLowerCase(Locale.ROOT)
                    + " file has " + String.join(", ", kind.required) + "; optional: " + String.join(", ", kind.optional) + ")");
        }
        return kind;
    }

    /** One line as CSV cells (the mapper reads each line as one row of strings), or empty when it is not CSV. */
    private static Optional<String[]> cells(String line) {
        try (com.fasterxml.jackson.databind.MappingIterator<String[]> it = CSV_ROW.readValues(line)) {
            return Optional.of(it.hasNextValue() ? it.nextValue() : new String[0]);
        } catch (IOException | RuntimeException malformed) {
            return Optional.empty();
        }
    }

    private static BufferedReader reader(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file));
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        InputStream raw = b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(in) : in;
        return new BufferedReader(new InputStreamReader(raw, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)));
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cursor of a file's stream: the last committed line, and whether the file is done. */
    private record Progress(long line, boolean finished) {
        static Progress parse(Optional<String> cursor) {
            if (cursor.isEmpty()) {
                return new Progress(1, false);
            }
            Map<String, String> parts = new LinkedHashMap<>();
            for (String part : cursor.get().split(";")) {
                String[] kv = part.split("=", 2);
                parts.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
            return new Progress(Long.parseLong(parts.getOrDefault("line", "1")), "true".equals(parts.get("done")));
        }

        @Override
        public String toString() {
            return "line=" + line + ";done=" + finished;
        }
    }
}
