package dev.unison.hub.inventory;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Repairs inventory positions from their movements and reservations after an unclean stop of the
 * embedded database ({@link InventoryLedger#reconcilePositions()}), before the hub takes traffic,
 * and says in the log what it repaired.
 */
public final class PositionRepair {

    private static final Logger LOG = LoggerFactory.getLogger(PositionRepair.class);

    private final InventoryLedger ledger;
    private final TransactionTemplate tx;

    public PositionRepair(InventoryLedger ledger, TransactionTemplate tx) {
        this.ledger = ledger;
        this.tx = tx;
    }

    /** Checks every position; returns the repaired ones. */
    public List<InventoryLedger.Repair> run() {
        long started = System.nanoTime();
        List<InventoryLedger.Repair> repairs = tx.execute(status -> ledger.reconcilePositions());
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (repairs.isEmpty()) {
            LOG.info("the previous run stopped uncleanly: every inventory position matches its movements ({} ms)", millis);
        } else {
            // a WARN: the database lost a committed change in the crash, which the operator should know of
            LOG.warn("the previous run stopped uncleanly: {} inventory positions differed from their movements and were "
                    + "repaired, their availability published again ({} ms): {}", repairs.size(), millis,
                    repairs.size() > 20 ? repairs.subList(0, 20) + " ..." : repairs);
        }
        return repairs;
    }
}
