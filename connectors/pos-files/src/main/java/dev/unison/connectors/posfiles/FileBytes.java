package dev.unison.connectors.posfiles;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * A file's bytes as read: SHA-256 and count over every byte that passes (the file as given, gzip or
 * not), so the checksum is made by the same pass that parses; {@link #content()} is the text stream,
 * gunzipped when the file starts with the gzip magic bytes (RFC 1952).
 */
final class FileBytes extends FilterInputStream {

    private final MessageDigest digest;
    private long count;
    private InputStream content;

    FileBytes(InputStream in) {
        super(in);
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has SHA-256", e);
        }
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            digest.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            digest.update(buffer, offset, n);
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // skipped bytes must still be digested
        byte[] buffer = new byte[(int) Math.min(8192, Math.max(n, 1))];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** The text stream: the bytes, or their gunzipped content. */
    InputStream content() throws IOException {
        if (content == null) {
            BufferedInputStream buffered = new BufferedInputStream(this, 65536);
            buffered.mark(2);
            int b1 = buffered.read();
            int b2 = buffered.read();
            buffered.reset();
            content = b1 == 0x1f && b2 == 0x8b ? new BufferedInputStream(new GZIPInputStream(buffered, 65536), 65536) : buffered;
        }
        return content;
    }

    /** Reads (and digests) whatever the parser left unread, so the checksum covers the whole file. */
    void drain() throws IOException {
        transferTo(OutputStream.nullOutputStream());
    }

    String sha256() {
        return HexFormat.of().formatHex(digest.digest());
    }

    long count() {
        return count;
    }

    @Override
    public void close() {
        // the caller's stream is the caller's to close
    }
}
