package dev.unison.platform.storage;

import java.util.Comparator;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Rows and stored bytes of every table of the hub's schema: the live data, which the size of the
 * database file is measured against.
 *
 * <p>On H2 the bytes are {@code DISK_SPACE_USED(table)} (H2 SQL grammar, "Functions (System)": the
 * pages of the table and its indexes, which it reads to count them, so this costs a pass over the
 * data) and the rows an exact {@code COUNT(*)}. On PostgreSQL they are
 * {@code pg_total_relation_size} (table, indexes and TOAST, dead tuples included until vacuum) and the
 * statistics collector's {@code n_live_tup} estimate ("Database Object Size Functions" and
 * "pg_stat_all_tables" in the PostgreSQL manual), which cost nothing.
 */
public final class TableSizes {

    /** One table's rows and bytes. */
    public record Table(String name, long rows, long bytes) {
    }

    private final JdbcTemplate jdbc;

    public TableSizes(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Every table of the current schema, largest first. */
    public List<Table> measure() {
        String product = jdbc.execute((java.sql.Connection c) -> c.getMetaData().getDatabaseProductName());
        List<Table> tables = "H2".equals(product) ? h2() : postgres();
        return tables.stream().sorted(Comparator.comparingLong(Table::bytes).reversed().thenComparing(Table::name)).toList();
    }

    private List<Table> h2() {
        List<String> names = jdbc.queryForList("SELECT table_name FROM information_schema.tables WHERE table_schema = CURRENT_SCHEMA "
                + "AND table_type = 'BASE TABLE'", String.class);
        return names.stream().map(name -> {
            // names come from the catalogue, quoted as identifiers: never from a caller
            String quoted = "\"" + name.replace("\"", "\"\"") + "\"";
            Long rows = jdbc.queryForObject("SELECT COUNT(*) FROM " + quoted, Long.class);
            Long bytes = jdbc.queryForObject("SELECT DISK_SPACE_USED(?)", Long.class, quoted);
            return new Table(name, rows == null ? 0 : rows, bytes == null ? 0 : bytes);
        }).toList();
    }

    private List<Table> postgres() {
        return jdbc.query("SELECT relname, n_live_tup, pg_total_relation_size(relid) AS bytes FROM pg_stat_user_tables "
                + "WHERE schemaname = current_schema()",
                (rs, i) -> new Table(rs.getString(1), rs.getLong(2), rs.getLong(3)));
    }
}
