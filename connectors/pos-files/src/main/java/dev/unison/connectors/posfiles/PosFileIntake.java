package dev.unison.connectors.posfiles;

import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.pos.PosFileReport;
import dev.unison.canonical.pos.PosTransaction;
import dev.unison.canonical.pos.RecordedPosTransaction;
import dev.unison.connectors.kit.spi.DeadLetterSink;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.spi.Inbox;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Takes one POS file into the inbox: each file once, each transaction once, nothing of a file that
 * cannot be read as a whole.
 *
 * <ol>
 * <li>The file's SHA-256 names a pulled stream of the connection ({@code file:<first 40 hex digits>}).
 * A stream marked {@code done} means the same bytes were taken before: the file is a
 * {@link Taken.Status#DUPLICATE}, reported as such, nothing handed over.</li>
 * <li>A first pass reads the whole file and keeps only counts and the rejected or skipped
 * transactions: a file-level rejection (truncated POSLog, a wrong CSV trailer) can come after good
 * transactions, so nothing is stored before the file is known to be whole. A rejected file is
 * reported ({@link Taken.Status#REJECTED}) and nothing else stored.</li>
 * <li>A second pass stores each accepted transaction as one delivery ({@value #TRANSACTION}: its
 * canonical JSON, file name, checksum, ordinal and position as headers), {@code pageSize} a commit, each
 * page with the ordinal it reaches as the stream's cursor ({@link Inbox#acceptPage}: both or neither).
 * The last page carries the file's report ({@value #FILE}) and marks the stream {@code done}. A crash
 * mid-file leaves the file where it was; read again, it resumes after the last committed page, and
 * each delivery's dedupe key (the transaction's key, a digest of its content, the file's checksum)
 * stores nothing twice.</li>
 * </ol>
 * Each transaction is applied once by its key where it is applied (the inventory domain), however it
 * arrives: this file, another that overlaps it, or the POS API.
 */
final class PosFileIntake {

    static final String TRANSACTION = "pos-transaction";
    static final String FILE = "pos-file";
    static final String DONE = "done";
    /** Headers of a transaction's delivery. */
    static final String H_FILE = "file";
    static final String H_SHA256 = "sha256";
    static final String H_ORDINAL = "ordinal";
    static final String H_POSITION = "position";

    /** What became of a file. */
    record Taken(Status status, PosFileReport report, int stored) {
        enum Status { PROCESSED, DUPLICATE, REJECTED }
    }

    /** Reads a file, handing each outcome over: a {@link PosCsvReader} or {@link PosLogReader}. */
    @FunctionalInterface
    interface Reader {
        PosFileResult read(Path file, java.util.function.Consumer<PosFileOutcome> consumer) throws IOException;
    }

    /** The file changed between the two passes (a writer still at it): left for the next poll. */
    static final class FileChanged extends IOException {
        FileChanged(String message) {
            super(message);
        }
    }

    private final String connectionId;
    private final String connector;
    private final PosFilesSettings.Format format;
    private final Inbox inbox;
    private final DeadLetterSink deadLetters;
    private final Reader reader;
    private final int pageSize;
    private final Clock clock;

    PosFileIntake(String connectionId, String connector, PosFilesSettings.Format format, Inbox inbox, DeadLetterSink deadLetters,
            Reader reader, int pageSize, Clock clock) {
        this.connectionId = connectionId;
        this.connector = connector;
        this.format = format;
        this.inbox = inbox;
        this.deadLetters = deadLetters;
        this.reader = reader;
        this.pageSize = pageSize;
        this.clock = clock;
    }

    /** The consumer name of this connection's dead letters (rejected transactions, rejected files). */
    String deadLetterConsumer() {
        return connector + ":" + connectionId;
    }

    static String stream(String sha256) {
        return "file:" + sha256.substring(0, 40);
    }

    /**
     * Takes a file.
     *
     * @param name the file's name as received (its path relative to the folder or server directory)
     * @param modifiedAt the file's last modification as its source tells it: with the name, what tells
     *     one receipt of a duplicate file from another
     */
    Taken take(Path file, String name, Instant modifiedAt) throws IOException {
        Instant receivedAt = clock.instant();
        String sha256 = sha256(file);
        long bytes = Files.size(file);
        String stream = stream(sha256);
        Optional<String> cursor = inbox.cursor(connectionId, stream);
        if (cursor.filter(DONE::equals).isPresent()) {
            PosFileReport report = new PosFileReport(sha256, connectionId, name, format.wireName, "duplicate", receivedAt,
                    clock.instant(), bytes, 0, 0, 0, 0, null, List.of());
            inbox.accept(fileDelivery(report, "file:" + sha256 + ":again:" + name + ":" + modifiedAt.toEpochMilli()));
            return new Taken(Taken.Status.DUPLICATE, report, 0);
        }

        // pass 1: is the file whole? what is wrong in it?
        List<PosFileReport.Issue> issues = new ArrayList<>();
        long[] ordinal = {0};
        PosFileResult first = reader.read(file, outcome -> {
            long n = ++ordinal[0];
            if (outcome instanceof PosFileOutcome.Rejected r && issues.size() < PosFileReport.MAX_ISSUES) {
                issues.add(new PosFileReport.Issue(n, r.key(), r.position().describe(), "rejected", r.reasons()));
            } else if (outcome instanceof PosFileOutcome.Skipped s && issues.size() < PosFileReport.MAX_ISSUES) {
                issues.add(new PosFileReport.Issue(n, s.key(), s.position().describe(), "skipped", List.of(s.reason())));
            }
        });
        if (!first.sha256().equals(sha256)) {
            throw new FileChanged(name + " changed while it was read (its checksum moved); read again at the next poll");
        }
        if (first.fileRejected()) {
            String reason = first.fileRejection().orElseThrow();
            PosFileReport report = new PosFileReport(sha256, connectionId, name, format.wireName, "rejected", receivedAt,
                    clock.instant(), bytes, first.transactions(), 0, first.rejected(), first.skipped(),
                    reason.length() > 4000 ? reason.substring(0, 4000) : reason, issues);
            if (inbox.accept(fileDelivery(report, "file:" + sha256 + ":rejected")) == Inbox.Result.ACCEPTED) {
                deadLetters.record(deadLetterConsumer(), name, FILE, "the file was rejected as a whole, nothing of it applied: "
                        + reason, CanonicalJson.write(Map.of("file", name, "sha256", sha256)));
            }
            return new Taken(Taken.Status.REJECTED, report, 0);
        }

        // pass 2: store the accepted transactions, a page a commit, resuming after the last committed page
        long resumeAfter = cursor.map(PosFileIntake::ordinalOf).orElse(0L);
        List<InboundDelivery> page = new ArrayList<>();
        long[] n = {0};
        int[] stored = {0};
        Optional<String>[] at = new Optional[] {cursor};
        Exception[] failed = {null};
        PosFileResult second = reader.read(file, outcome -> {
            long ordinalNow = ++n[0];
            if (failed[0] != null || ordinalNow <= resumeAfter || !(outcome instanceof PosFileOutcome.Accepted accepted)) {
                return;
            }
            page.add(transactionDelivery(accepted, name, sha256, ordinalNow, receivedAt));
            if (page.size() >= pageSize) {
                try {
                    stored[0] += commit(stream, at, "n:" + ordinalNow, page);
                } catch (IOException | RuntimeException e) {
                    failed[0] = e; // kept: the reader is not to decide what a failed commit means
                }
                page.clear();
            }
        });
        if (failed[0] instanceof IOException io) {
            throw io;
        }
        if (failed[0] instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (!second.sha256().equals(sha256) || second.fileRejected() || second.transactions() != first.transactions()) {
            throw new FileChanged(name + " changed between its two readings; read again at the next poll");
        }
        PosFileReport report = new PosFileReport(sha256, connectionId, name, format.wireName, "processed", receivedAt, clock.instant(),
                bytes, first.transactions(), first.accepted(), first.rejected(), first.skipped(), null, issues);
        // the rejected ones as dead letters of this connection, once: with the read that completes the file
        for (PosFileReport.Issue issue : issues) {
            if (issue.outcome().equals("rejected")) {
                deadLetters.record(deadLetterConsumer(), issue.key() == null ? name + "#" + issue.ordinal() : issue.key(),
                        TRANSACTION, name + " " + issue.position() + ": " + String.join("; ", issue.reasons()),
                        CanonicalJson.write(Map.of("file", name, "sha256", sha256, "ordinal", issue.ordinal(),
                                "position", issue.position())));
            }
        }
        page.add(fileDelivery(report, "file:" + sha256));
        stored[0] += Math.max(0, commit(stream, at, DONE, page) - 1);
        return new Taken(Taken.Status.PROCESSED, report, stored[0]);
    }

    private int commit(String stream, Optional<String>[] at, String next, List<InboundDelivery> page) throws IOException {
        Optional<Integer> fresh = inbox.acceptPage(connectionId, stream, at[0], next, List.copyOf(page));
        if (fresh.isEmpty()) {
            throw new IOException("the file's position moved under this reader (another instance reads the same file); left to it");
        }
        at[0] = Optional.of(next);
        return fresh.get();
    }

    private static long ordinalOf(String cursor) {
        return cursor.startsWith("n:") ? Long.parseLong(cursor.substring(2)) : 0;
    }

    private InboundDelivery transactionDelivery(PosFileOutcome.Accepted accepted, String name, String sha256, long ordinal,
            Instant receivedAt) {
        PosTransaction transaction = accepted.transaction();
        // the POS API's request shape: prices as written, and the API's parser makes the same transaction of it
        String json = CanonicalJson.write(RecordedPosTransaction.apiJson(transaction));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(H_FILE, name);
        headers.put(H_SHA256, sha256);
        headers.put(H_ORDINAL, Long.toString(ordinal));
        headers.put(H_POSITION, accepted.position().describe());
        return new InboundDelivery(connectionId, connector, TRANSACTION, transactionKey(transaction, json, sha256), headers,
                json.getBytes(StandardCharsets.UTF_8), receivedAt);
    }

    /**
     * A transaction's dedupe key in the inbox: its key, a digest of its content and the file's. Within
     * a file (read again after a crash) it is stored once; in another file (one overlapping this one) it
     * is a delivery of its own, so that file's report says what became of it (a duplicate, applied once).
     */
    static String transactionKey(PosTransaction transaction, String json, String sha256) {
        return "txn:" + transaction.key() + ":" + sha256Hex(json.getBytes(StandardCharsets.UTF_8)).substring(0, 16) + ":"
                + sha256.substring(0, 16);
    }

    private InboundDelivery fileDelivery(PosFileReport report, String dedupeKey) {
        return new InboundDelivery(connectionId, connector, FILE, dedupeKey, Map.of(H_FILE, report.name(), H_SHA256, report.fileId()),
                CanonicalJson.write(report).getBytes(StandardCharsets.UTF_8), report.receivedAt());
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest = digest();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                digest.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
