package dev.unison.platform.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.List;
import org.springframework.jdbc.core.PreparedStatementSetter;

/**
 * PostgreSQL only: many rows bound as one array per column and turned back into rows by
 * {@code unnest(...)} (PostgreSQL "Array Functions and Operators"), so a statement of a thousand
 * rows has a handful of parameters instead of thousands. A multi-row {@code VALUES} list costs
 * PostgreSQL a parse and analysis of every row at every execution and the driver a bind per
 * value; the statement text of an array statement is also the same for every batch size, so the
 * driver prepares it on the server once. Values are Strings, Longs, Integers, Booleans or date-times (sent
 * as ISO-8601 text, rounded to PostgreSQL's microseconds the way the driver rounds them).
 */
public final class ColumnArrays implements PreparedStatementSetter {

    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSXXX");

    private final List<String> types;
    private final List<Object[]> rows;

    private ColumnArrays(List<String> types, List<Object[]> rows) {
        this.types = types;
        this.rows = rows;
    }

    /**
     * @param types each column's PostgreSQL element type ({@code varchar}, {@code int8},
     *        {@code int4}, {@code bool}, {@code timestamptz})
     */
    public static ColumnArrays of(List<String> types, List<Object[]> rows) {
        return new ColumnArrays(List.copyOf(types), rows);
    }

    /** A single array parameter: {@code = ANY(?)} with the keys. */
    public static ColumnArrays single(String type, List<?> values) {
        return new ColumnArrays(List.of(type), values.stream().map(v -> new Object[] {v}).toList());
    }

    /** {@code unnest(CAST(? AS varchar[]), CAST(? AS int8[]), ...)} for these column types. */
    public static String unnest(List<String> types) {
        return "unnest(" + String.join(", ", types.stream().map(t -> "CAST(? AS " + t + "[])").toList()) + ")";
    }

    /**
     * {@code SELECT c1, ... FROM unnest(...) WITH ORDINALITY AS u(c1, ..., n) ORDER BY n}: the rows
     * in the order given. Plain {@code unnest} yields them in order in practice, but SQL does not
     * promise it, and an insert that must take its rows' locks in a known order (two writers of the
     * same new keys waiting for each other in one direction only) needs the promise.
     */
    public static String rowsInOrder(List<String> types) {
        List<String> columns = new java.util.ArrayList<>();
        for (int i = 1; i <= types.size(); i++) {
            columns.add("c" + i);
        }
        String names = String.join(", ", columns);
        return "SELECT " + names + " FROM " + unnest(types) + " WITH ORDINALITY AS u(" + names + ", ord) ORDER BY ord";
    }

    /** {@code (?, ?, ...)} placeholders for one row of n columns, for the multi-row VALUES other databases take. */
    public static String row(int columns) {
        return "(" + String.join(", ", Collections.nCopies(columns, "?")) + ")";
    }

    @Override
    public void setValues(PreparedStatement ps) throws SQLException {
        for (int c = 0; c < types.size(); c++) {
            String type = types.get(c);
            Object[] column = switch (type) {
                case "int8" -> new Long[rows.size()];
                case "int4" -> new Integer[rows.size()];
                case "bool" -> new Boolean[rows.size()];
                default -> new String[rows.size()];
            };
            for (int r = 0; r < rows.size(); r++) {
                Object v = rows.get(r)[c];
                column[r] = v instanceof OffsetDateTime t ? MICROS.format(t.plusNanos(500).truncatedTo(ChronoUnit.MICROS)) : v;
            }
            ps.setArray(c + 1, ps.getConnection().createArrayOf(type, column));
        }
    }
}
