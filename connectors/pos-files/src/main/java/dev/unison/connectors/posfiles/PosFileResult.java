package dev.unison.connectors.posfiles;

import java.util.Optional;

/**
 * A file read to its end: its SHA-256 (lower-case hex of every byte of the file as given, gzip or
 * not, computed while parsing) and size, the count of each outcome handed to the consumer, and the
 * file-level rejection if any.
 *
 * <p>A file-level rejection (not XML, no header, broken in the middle, a wrong CSV trailer) can come
 * after outcomes were already handed over: a file is rejected as a whole, so a caller stages a
 * file's outcomes and applies them only when {@link #fileRejection()} is empty.
 */
public record PosFileResult(String sha256, long bytes, long transactions, long accepted, long rejected, long skipped,
        Optional<String> fileRejection) {

    public boolean fileRejected() {
        return fileRejection.isPresent();
    }
}
