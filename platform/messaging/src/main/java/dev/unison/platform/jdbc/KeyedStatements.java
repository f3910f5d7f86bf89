package dev.unison.platform.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

/**
 * Statements over many keys, written once for both databases: on PostgreSQL one statement with
 * the keys as one array ({@code column = ANY(?)}, {@link ColumnArrays}), prepared once whatever the
 * number of keys; elsewhere (H2) {@code IN} lists of {@link InLists#SIZE} keys, the size H2 handles
 * best. {@code selectWhere} ends with the key column, {@code tail} follows the condition.
 */
public final class KeyedStatements {

    private static final ConcurrentHashMap<DataSource, Boolean> POSTGRES = new ConcurrentHashMap<>();

    private final JdbcTemplate jdbc;
    private final boolean postgres;

    private KeyedStatements(JdbcTemplate jdbc, boolean postgres) {
        this.jdbc = jdbc;
        this.postgres = postgres;
    }

    /** For this template's database (asked once per data source). */
    public static KeyedStatements of(JdbcTemplate jdbc) {
        DataSource ds = jdbc.getDataSource();
        boolean pg = ds != null && POSTGRES.computeIfAbsent(ds, d -> Boolean.TRUE.equals(jdbc.execute(
                (java.sql.Connection c) -> c.getMetaData().getDatabaseProductName().startsWith("PostgreSQL"))));
        return new KeyedStatements(jdbc, pg);
    }

    public boolean postgres() {
        return postgres;
    }

    /**
     * Rows whose key column is one of {@code keys}. {@code type} is the keys' PostgreSQL element
     * type ({@code varchar}, {@code int8}).
     */
    public void query(String selectWhere, String tail, String type, List<?> keys, RowCallbackHandler rows) {
        query(selectWhere, tail, List.of(), type, keys, rows);
    }

    /** As {@link #query(String, String, String, List, RowCallbackHandler)}, the tail with parameters of its own. */
    public void query(String selectWhere, String tail, List<?> tailArguments, String type, List<?> keys, RowCallbackHandler rows) {
        if (keys.isEmpty()) {
            return;
        }
        if (postgres) {
            ColumnArrays array = ColumnArrays.single(type, keys);
            TypedArguments rest = TypedArguments.of(tailArguments);
            jdbc.query(selectWhere + " = ANY(?)" + tail, ps -> {
                array.setValues(ps);
                rest.setValuesFrom(ps, 2);
            }, rows);
            return;
        }
        for (List<?> chunk : InLists.chunks(keys)) {
            List<Object> arguments = new ArrayList<>(chunk);
            arguments.addAll(tailArguments);
            jdbc.query(selectWhere + " IN (" + InLists.placeholders(chunk.size()) + ")" + tail, TypedArguments.of(arguments),
                    rows);
        }
    }

    /** An update or delete of the rows whose key column ({@code updateWhere} ends with it) is one of {@code keys}. */
    public int update(String updateWhere, String type, List<?> keys) {
        if (keys.isEmpty()) {
            return 0;
        }
        if (postgres) {
            return jdbc.update(updateWhere + " = ANY(?)", ColumnArrays.single(type, keys));
        }
        int n = 0;
        for (List<?> chunk : InLists.chunks(keys)) {
            n += jdbc.update(updateWhere + " IN (" + InLists.placeholders(chunk.size()) + ")", TypedArguments.of(chunk));
        }
        return n;
    }
}
