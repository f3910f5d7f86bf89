package dev.unison.platform.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import org.springframework.jdbc.core.PreparedStatementSetter;

/**
 * Binds a statement's arguments straight by their Java type (strings, numbers, booleans,
 * date-times; a null as an untyped NULL). Spring's generic binding of an {@code Object[]} looks
 * at every argument for its special value types before and after the statement; for the identity
 * backfill's multi-row statements, with thousands of arguments each, that was 45% of the samples
 * of its reads and writes (JFR; docs/benchmarks.md "Identity backfill through the hub").
 */
public final class TypedArguments implements PreparedStatementSetter {

    private final List<?> values;

    private TypedArguments(List<?> values) {
        this.values = values;
    }

    public static TypedArguments of(List<?> values) {
        return new TypedArguments(values);
    }

    @Override
    public void setValues(PreparedStatement ps) throws SQLException {
        setValuesFrom(ps, 1);
    }

    /** Binds the values to the parameters from {@code first} on (after others bound by the caller). */
    public void setValuesFrom(PreparedStatement ps, int first) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            int at = i + first;
            if (v == null) {
                ps.setNull(at, Types.NULL);
            } else if (v instanceof String s) {
                ps.setString(at, s);
            } else if (v instanceof Long l) {
                ps.setLong(at, l);
            } else if (v instanceof Integer n) {
                ps.setInt(at, n);
            } else if (v instanceof Boolean b) {
                ps.setBoolean(at, b);
            } else {
                ps.setObject(at, v); // OffsetDateTime and the like: JDBC 4.2 types both drivers bind natively
            }
        }
    }
}
