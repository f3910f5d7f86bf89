package dev.unison.inventory;

import dev.unison.platform.retention.RetentionRule;
import dev.unison.platform.retention.RetentionSweeper;
import java.time.Duration;
import java.util.List;

/** The inventory domain's rules for the platform's retention sweep: POS file reports ({@link PosFileReports}). */
public final class PosFileRetention {

    private PosFileRetention() {
    }

    /**
     * Reports of files last received longer ago than {@code keep} (setting {@code unison.retention.pos-files},
     * at least one day) and their transactions' lines recorded longer ago than that; the transactions
     * themselves stay (pos_transaction has its own retention).
     */
    public static List<RetentionRule> rules(Duration keep) {
        RetentionSweeper.Settings.requireAtLeast("unison.retention.pos-files", keep, Duration.ofDays(1));
        return List.of(
                new RetentionRule("pos_file_transaction", keep, "DELETE FROM pos_file_transaction WHERE (file_id, ordinal) IN "
                        + "(SELECT file_id, ordinal FROM pos_file_transaction WHERE recorded_at < ? LIMIT ?)", false),
                new RetentionRule("pos_file", keep, "DELETE FROM pos_file WHERE file_id IN "
                        + "(SELECT file_id FROM pos_file WHERE last_received_at < ? LIMIT ?)", false));
    }
}
