package db.migration.messaging;

import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * H2 only: identity sequences hand out 1,000 values per flush instead of 32. H2 persists a
 * sequence by committing a system session, and with {@code WRITE_DELAY=0} every commit writes the
 * store's dirty pages (profiled in docs/benchmarks.md: every 32nd outbox row cost a store write,
 * a quarter of all store writes at 300 POS sales/s). H2's cache is shared by all sessions, so
 * values still follow insertion order; after a crash the unused rest is skipped (a gap, never a
 * reuse). PostgreSQL keeps its default: its cache is per session, which would let a later insert
 * take a smaller {@code outbox_event.seq} and break per-key publish order.
 */
public class V8__h2_sequence_cache extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        if (!context.getConnection().getMetaData().getDatabaseProductName().startsWith("H2")) {
            return;
        }
        try (Statement statement = context.getConnection().createStatement()) {
            statement.execute("ALTER TABLE outbox_event ALTER COLUMN seq SET CACHE 1000");
            statement.execute("ALTER TABLE inbox ALTER COLUMN id SET CACHE 1000");
        }
    }
}
