package dev.unison.hub.upgrade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Every row of a database's tables as JSON, in an order that satisfies their foreign keys, and
 * back: what a release's database held, written down once and loaded into H2 or PostgreSQL alike
 * (values are bound by their JDBC type, never spelled as SQL literals of one dialect).
 * Flyway's own history is left out: the loading test recreates it by migrating to the release.
 */
final class DatabaseSnapshot {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HISTORY = "flyway_schema_history";

    private DatabaseSnapshot() {
    }

    static ObjectNode dump(DataSource db) throws SQLException {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode tables = out.putArray("tables");
        try (Connection c = db.getConnection()) {
            for (String table : tablesInForeignKeyOrder(c)) {
                ObjectNode t = tables.addObject().put("name", table);
                ArrayNode columns = t.putArray("columns");
                ArrayNode rows = t.putArray("rows");
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                    ResultSetMetaData meta = rs.getMetaData();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        columns.addObject().put("name", meta.getColumnName(i).toLowerCase(Locale.ROOT)).put("type", meta.getColumnType(i))
                                .put("identity", meta.isAutoIncrement(i));
                    }
                    while (rs.next()) {
                        ArrayNode row = rows.addArray();
                        for (int i = 1; i <= meta.getColumnCount(); i++) {
                            row.add(text(rs, i, meta.getColumnType(i)));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Replaces every table's rows with the snapshot's and moves identity columns past the loaded values. */
    static void load(DataSource db, JsonNode snapshot) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            // the release's rows replace what its migrations seeded (lock rows, shards), children first
            List<String> tables = new ArrayList<>();
            snapshot.get("tables").forEach(t -> tables.add(t.get("name").asText()));
            for (int i = tables.size() - 1; i >= 0; i--) {
                try (Statement s = c.createStatement()) {
                    s.execute("DELETE FROM " + tables.get(i));
                }
            }
            for (JsonNode t : snapshot.get("tables")) {
                String table = t.get("name").asText();
                List<String> names = new ArrayList<>();
                t.get("columns").forEach(col -> names.add(col.get("name").asText()));
                String sql = "INSERT INTO " + table + " (" + String.join(", ", names) + ") VALUES ("
                        + String.join(", ", java.util.Collections.nCopies(names.size(), "?")) + ")";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (JsonNode row : t.get("rows")) {
                        for (int i = 0; i < names.size(); i++) {
                            bind(ps, i + 1, t.get("columns").get(i).get("type").asInt(), row.get(i));
                        }
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                for (JsonNode col : t.get("columns")) {
                    if (col.get("identity").asBoolean()) {
                        restartIdentity(c, table, col.get("name").asText());
                    }
                }
            }
            c.commit();
        }
    }

    private static void restartIdentity(Connection c, String table, String column) throws SQLException {
        long next;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(" + column + "), 0) + 1 FROM " + table)) {
            rs.next();
            next = rs.getLong(1);
        }
        try (Statement s = c.createStatement()) {
            // an identity column's sequence, in the same words on both databases (SQL:2003 identity columns)
            s.execute("ALTER TABLE " + table + " ALTER COLUMN " + column + " RESTART WITH " + next);
        }
    }

    private static List<String> tablesInForeignKeyOrder(Connection c) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        String schema = c.getSchema();
        Map<String, Set<String>> parents = new LinkedHashMap<>();
        try (ResultSet rs = meta.getTables(null, schema, "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
                if (!name.equals(HISTORY)) {
                    parents.put(name, new LinkedHashSet<>());
                }
            }
        }
        for (String table : parents.keySet()) {
            try (ResultSet rs = meta.getImportedKeys(null, schema, table)) {
                while (rs.next()) {
                    String parent = rs.getString("PKTABLE_NAME").toLowerCase(Locale.ROOT);
                    if (!parent.equals(table)) {
                        parents.get(table).add(parent);
                    }
                }
            }
        }
        List<String> ordered = new ArrayList<>();
        while (ordered.size() < parents.size()) {
            boolean progress = false;
            for (var e : new java.util.TreeMap<>(parents).entrySet()) {
                if (!ordered.contains(e.getKey()) && ordered.containsAll(e.getValue())) {
                    ordered.add(e.getKey());
                    progress = true;
                }
            }
            if (!progress) {
                throw new IllegalStateException("foreign keys form a cycle among " + parents);
            }
        }
        return ordered;
    }

    private static JsonNode text(ResultSet rs, int i, int type) throws SQLException {
        Object value = switch (type) {
            case Types.TIMESTAMP_WITH_TIMEZONE -> rs.getObject(i, OffsetDateTime.class);
            case Types.TIMESTAMP -> rs.getObject(i, LocalDateTime.class);
            case Types.DATE -> rs.getObject(i, LocalDate.class);
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> {
                byte[] bytes = rs.getBytes(i);
                yield bytes == null ? null : Base64.getEncoder().encodeToString(bytes);
            }
            case Types.BOOLEAN, Types.BIT -> rs.getObject(i) == null ? null : rs.getBoolean(i);
            default -> rs.getString(i);
        };
        if (value == null) {
            return JSON.nullNode();
        }
        return value instanceof Boolean b ? JSON.getNodeFactory().booleanNode(b) : JSON.getNodeFactory().textNode(value.toString());
    }

    private static void bind(PreparedStatement ps, int at, int type, JsonNode value) throws SQLException {
        if (value == null || value.isNull()) {
            ps.setNull(at, type);
            return;
        }
        String v = value.asText();
        switch (type) {
            case Types.TIMESTAMP_WITH_TIMEZONE -> ps.setObject(at, OffsetDateTime.parse(v));
            case Types.TIMESTAMP -> ps.setObject(at, LocalDateTime.parse(v));
            case Types.DATE -> ps.setObject(at, LocalDate.parse(v));
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> ps.setBytes(at, Base64.getDecoder().decode(v));
            case Types.BOOLEAN, Types.BIT -> ps.setBoolean(at, value.asBoolean());
            case Types.BIGINT -> ps.setLong(at, Long.parseLong(v));
            case Types.INTEGER, Types.SMALLINT, Types.TINYINT -> ps.setInt(at, Integer.parseInt(v));
            case Types.NUMERIC, Types.DECIMAL -> ps.setBigDecimal(at, new BigDecimal(v));
            default -> ps.setString(at, v);
        }
    }
}
