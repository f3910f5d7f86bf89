package dev.unison.connectors.posfiles;

import java.nio.charset.StandardCharsets;

/**
 * The transaction keys a file has had so far, as 64-bit fingerprints (FNV-1a) in an open-addressing
 * table: 16 bytes a transaction at most, not the transactions, so a file of a million transactions
 * still tells a transaction whose rows come back later in the file.
 */
final class KeyFingerprints {

    private long[] table = new long[1024];
    private int size;
    private boolean hasZero;

    /** Adds a key; false when it was there already. */
    boolean add(String key) {
        long h = fingerprint(key);
        if (h == 0) {
            boolean fresh = !hasZero;
            hasZero = true;
            return fresh;
        }
        if (size * 2 >= table.length) {
            grow();
        }
        return insert(table, h);
    }

    private boolean insert(long[] into, long h) {
        int mask = into.length - 1;
        int i = (int) (h ^ (h >>> 32)) & mask;
        while (into[i] != 0) {
            if (into[i] == h) {
                return false;
            }
            i = (i + 1) & mask;
        }
        into[i] = h;
        if (into == table) {
            size++;
        }
        return true;
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        size = 0;
        for (long h : old) {
            if (h != 0) {
                insert(table, h);
            }
        }
    }

    static long fingerprint(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
