package dev.unison.canonical.pos;

import dev.unison.canonical.model.CanonicalRecord;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a POS batch file was, as its reader found it ({@code commerce.pos.file.processed.v1}): the
 * file-level facts only the reader knows (its checksum, counts, the transactions it rejected or
 * skipped with their positions and reasons, a file-level rejection). What became of each accepted
 * transaction (applied, duplicate, conflict) is decided where it is applied and reported there.
 * Keyed by the file's id, its SHA-256.
 *
 * @param status {@code processed} (its accepted transactions were handed over), {@code duplicate} (a
 *     file with the same checksum was processed before: nothing handed over), {@code rejected} (the
 *     file as a whole could not be read: nothing handed over)
 * @param issues the rejected and skipped transactions, the first {@link #MAX_ISSUES}
 */
public record PosFileReport(String fileId, String connectionId, String name, String format, String status, Instant receivedAt,
        Instant processedAt, long bytes, long transactions, long accepted, long rejected, long skipped, String fileRejection,
        List<Issue> issues) implements CanonicalRecord {

    /** Most rejected or skipped transactions one report lists (the counts are complete). */
    public static final int MAX_ISSUES = 1000;

    /**
     * A transaction not handed over: {@code outcome} {@code rejected} (with every reason) or
     * {@code skipped} (cancelled, training, not a sale or return); {@code key} as the file wrote it, if it could be read.
     */
    public record Issue(long ordinal, String key, String position, String outcome, List<String> reasons) {
        public Issue {
            reasons = List.copyOf(reasons);
        }
    }

    public PosFileReport {
        Objects.requireNonNull(fileId, "fileId");
        issues = issues == null ? List.of() : List.copyOf(issues);
    }

    @Override
    public String partitionKey() {
        return fileId;
    }
}
