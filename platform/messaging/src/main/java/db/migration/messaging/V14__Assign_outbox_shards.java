package db.migration.messaging;

import dev.unison.platform.outbox.RelayShards;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Gives the outbox rows still waiting to be published their shard (V13 added the column with 0):
 * otherwise an older event of a key could be published by one instance while a newer one of the
 * same key, in its real shard, is published by another. Java, because the shard is a CRC-32 that
 * H2 and PostgreSQL do not compute alike. Published rows keep 0: no relay reads them again.
 * (Flyway finds Java migrations in the {@code db.migration} package, beside the SQL ones.)
 */
public class V14__Assign_outbox_shards extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        try (Statement pending = context.getConnection().createStatement();
                ResultSet rows = pending.executeQuery("SELECT seq, partition_key FROM outbox_event WHERE published_at IS NULL");
                PreparedStatement assign = context.getConnection().prepareStatement(
                        "UPDATE outbox_event SET shard = ? WHERE seq = ?")) {
            int batched = 0;
            while (rows.next()) {
                assign.setInt(1, RelayShards.of(rows.getString(2)));
                assign.setLong(2, rows.getLong(1));
                assign.addBatch();
                if (++batched % 500 == 0) {
                    assign.executeBatch();
                }
            }
            assign.executeBatch();
        }
    }
}
