package dev.unison.platform.jdbc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads of many keys as {@code IN (?, ?, ...)} queries of at most {@value #SIZE} values each.
 * H2 checks every row an IN list finds against the whole list, one value after the other, so a
 * query for n keys costs n × rows: with 500 skus a group's position read took 16 ms, with 8 to 32
 * skus per query 3 to 4 ms (same rows, H2 2.4 in memory). PostgreSQL is indifferent to the split.
 */
public final class InLists {

    /** Most values in one {@code IN (...)} list. */
    public static final int SIZE = 16;

    private InLists() {
    }

    /** The items in consecutive chunks of at most {@link #SIZE}. */
    public static <T> List<List<T>> chunks(List<T> items) {
        List<List<T>> out = new ArrayList<>();
        for (int from = 0; from < items.size(); from += SIZE) {
            out.add(items.subList(from, Math.min(items.size(), from + SIZE)));
        }
        return out;
    }

    /** {@code ?, ?, ?} for n values. */
    public static String placeholders(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }
}
