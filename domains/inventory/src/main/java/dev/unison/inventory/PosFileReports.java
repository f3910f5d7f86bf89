package dev.unison.inventory;

import dev.unison.canonical.pos.PosFileReport;
import dev.unison.canonical.pos.RecordedPosTransaction;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The report of each POS batch file ({@code GET /api/v1/pos/files}): the file-level facts its reader
 * sent ({@code commerce.pos.file.processed.v1}) and, per transaction, what became of it when it was
 * applied here (tables {@code pos_file}, {@code pos_file_transaction}, migration V24). The two arrive
 * on the bus in any order; a file's counts are complete once nothing is {@code pending}.
 */
public class PosFileReports {

    /** Outcomes of a transaction in a file's report. */
    public static final String ACCEPTED = "accepted";
    public static final String DUPLICATE = "duplicate";
    public static final String CONFLICT = "conflict";
    public static final String REJECTED = "rejected";
    public static final String SKIPPED = "skipped";

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public PosFileReports(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Records the reader's facts of a file; a duplicate receipt counts on the file's row. In the caller's transaction. */
    public void recordFile(PosFileReport file) {
        OffsetDateTime received = utc(file.receivedAt());
        if ("duplicate".equals(file.status())) {
            int updated = jdbc.update("UPDATE pos_file SET duplicate_receipts = duplicate_receipts + 1, last_received_at = ? "
                    + "WHERE file_id = ?", received, file.fileId());
            if (updated > 0) {
                return;
            }
        } else {
            int updated = jdbc.update("UPDATE pos_file SET connection_id = ?, name = ?, format = ?, status = ?, received_at = ?, "
                            + "processed_at = ?, bytes = ?, transactions = ?, handed_over = ?, rejected = ?, skipped = ?, "
                            + "file_rejection = ?, last_received_at = ? WHERE file_id = ?",
                    file.connectionId(), file.name(), file.format(), file.status(), received, utc(file.processedAt()), file.bytes(),
                    file.transactions(), file.accepted(), file.rejected(), file.skipped(), file.fileRejection(), received,
                    file.fileId());
            if (updated == 0) {
                insertFile(file, received, 0);
            }
        }
        if ("duplicate".equals(file.status())) {
            // processed before this table knew it: the receipt is still reported
            insertFile(file, received, 1);
            return;
        }
        OffsetDateTime now = utc(clock.instant());
        List<Object[]> rows = new ArrayList<>();
        for (PosFileReport.Issue issue : file.issues()) {
            rows.add(new Object[] {file.fileId(), issue.ordinal(), issue.key(), issue.position(), "file", issue.outcome(),
                    String.join("\n", issue.reasons()), now});
        }
        if (!rows.isEmpty()) {
            jdbc.batchUpdate("INSERT INTO pos_file_transaction (file_id, ordinal, txn_key, position, stage, outcome, reasons, "
                    + "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", rows);
        }
    }

    private void insertFile(PosFileReport file, OffsetDateTime received, int duplicates) {
        jdbc.update("INSERT INTO pos_file (file_id, connection_id, name, format, status, received_at, processed_at, bytes, "
                        + "transactions, handed_over, rejected, skipped, file_rejection, duplicate_receipts, last_received_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                file.fileId(), file.connectionId(), file.name(), file.format(), duplicates > 0 ? "processed" : file.status(),
                received, utc(file.processedAt()), file.bytes(), file.transactions(), file.accepted(), file.rejected(),
                file.skipped(), file.fileRejection(), duplicates, received);
    }

    /** Records what became of a file's transaction when it was applied. In the caller's transaction. */
    public void recordOutcome(RecordedPosTransaction.FileRef file, String key, String outcome, List<String> reasons) {
        jdbc.update("INSERT INTO pos_file_transaction (file_id, ordinal, txn_key, position, stage, outcome, reasons, recorded_at) "
                        + "VALUES (?, ?, ?, ?, 'apply', ?, ?, ?) ON CONFLICT DO NOTHING", file.fileId(), file.ordinal(), key,
                file.position(), outcome, reasons.isEmpty() ? null : String.join("\n", reasons), utc(clock.instant()));
    }

    /** The most recently received files, newest first, with their counts. */
    public List<Map<String, Object>> recent(int limit) {
        List<Map<String, Object>> files = jdbc.query("SELECT * FROM pos_file ORDER BY last_received_at DESC, file_id LIMIT ?",
                (rs, i) -> fileView(rs), limit);
        files.forEach(this::addCounts);
        return files;
    }

    /**
     * One file with its counts and its transactions' outcomes in file order, from after {@code after}
     * (an ordinal), at most {@code limit}, only {@code outcome} when given.
     */
    public Optional<Map<String, Object>> file(String fileId, long after, int limit, String outcome) {
        List<Map<String, Object>> found = jdbc.query("SELECT * FROM pos_file WHERE file_id = ?", (rs, i) -> fileView(rs), fileId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> file = found.get(0);
        addCounts(file);
        List<Map<String, Object>> transactions = jdbc.query("SELECT ordinal, txn_key, position, outcome, reasons FROM "
                        + "pos_file_transaction WHERE file_id = ? AND ordinal > ? AND (CAST(? AS VARCHAR(16)) IS NULL OR outcome = ?) "
                        + "ORDER BY ordinal LIMIT ?",
                (rs, i) -> {
                    Map<String, Object> t = new LinkedHashMap<>();
                    t.put("ordinal", rs.getLong("ordinal"));
                    if (rs.getString("txn_key") != null) {
                        t.put("key", rs.getString("txn_key"));
                    }
                    t.put("position", rs.getString("position"));
                    t.put("outcome", rs.getString("outcome"));
                    String reasons = rs.getString("reasons");
                    t.put("reasons", reasons == null ? List.of() : List.of(reasons.split("\n")));
                    return t;
                }, fileId, after, outcome, outcome, limit + 1);
        boolean more = transactions.size() > limit;
        file.put("transactions", more ? transactions.subList(0, limit) : transactions);
        if (more) {
            file.put("nextAfter", transactions.get(limit - 1).get("ordinal"));
        }
        return Optional.of(file);
    }

    private static Map<String, Object> fileView(ResultSet rs) throws SQLException {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("fileId", rs.getString("file_id"));
        f.put("connectionId", rs.getString("connection_id"));
        f.put("name", rs.getString("name"));
        f.put("format", rs.getString("format"));
        f.put("status", rs.getString("status"));
        f.put("sha256", rs.getString("file_id"));
        f.put("bytes", rs.getLong("bytes"));
        f.put("receivedAt", instant(rs.getTimestamp("received_at")));
        f.put("processedAt", instant(rs.getTimestamp("processed_at")));
        f.put("lastReceivedAt", instant(rs.getTimestamp("last_received_at")));
        f.put("duplicateReceipts", rs.getInt("duplicate_receipts"));
        if (rs.getString("file_rejection") != null) {
            f.put("fileRejection", rs.getString("file_rejection"));
        }
        // kept for the counts, removed before answering
        f.put("_handedOver", rs.getLong("handed_over"));
        f.put("_rejected", rs.getLong("rejected"));
        f.put("_skipped", rs.getLong("skipped"));
        f.put("_transactions", rs.getLong("transactions"));
        return f;
    }

    private void addCounts(Map<String, Object> file) {
        Map<String, Long> applied = new LinkedHashMap<>();
        jdbc.query("SELECT outcome, count(*) FROM pos_file_transaction WHERE file_id = ? AND stage = 'apply' GROUP BY outcome",
                rs -> {
                    applied.put(rs.getString(1), rs.getLong(2));
                }, file.get("fileId"));
        long handedOver = (Long) file.remove("_handedOver");
        long readerRejected = (Long) file.remove("_rejected");
        long skipped = (Long) file.remove("_skipped");
        long transactions = (Long) file.remove("_transactions");
        long done = applied.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("transactions", transactions);
        counts.put(ACCEPTED, applied.getOrDefault(ACCEPTED, 0L));
        counts.put(DUPLICATE, applied.getOrDefault(DUPLICATE, 0L));
        counts.put(CONFLICT, applied.getOrDefault(CONFLICT, 0L));
        counts.put(REJECTED, readerRejected + applied.getOrDefault(REJECTED, 0L));
        counts.put(SKIPPED, skipped);
        counts.put("pending", Math.max(0, handedOver - done));
        file.put("counts", counts);
    }

    private static String instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant().toString();
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
