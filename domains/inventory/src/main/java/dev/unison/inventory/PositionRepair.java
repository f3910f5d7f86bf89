package dev.unison.inventory;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Repairs inventory positions from their movements and reservations, and channel availability rows
 * from the events they published, after an unclean stop of the embedded database
 * ({@link InventoryLedger#reconcile()}), before the hub takes traffic; says in the log what it repaired.
 */
public final class PositionRepair {

    private static final Logger LOG = LoggerFactory.getLogger(PositionRepair.class);

    private final InventoryLedger ledger;
    private final TransactionTemplate tx;

    public PositionRepair(InventoryLedger ledger, TransactionTemplate tx) {
        this.ledger = ledger;
        this.tx = tx;
    }

    /** Checks every position and availability row; returns what was repaired. */
    public InventoryLedger.Reconciliation run() {
        long started = System.nanoTime();
        InventoryLedger.Reconciliation repaired = tx.execute(status -> ledger.reconcile());
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (repaired.isEmpty()) {
            LOG.info("the previous run stopped uncleanly: every inventory position matches its movements and every channel's "
                    + "availability its events ({} ms)", millis);
        } else {
            // a WARN: the database lost a committed change in the crash, which the operator should know of
            LOG.warn("the previous run stopped uncleanly: {} inventory positions differed from their movements and {} channel "
                    + "availability rows from their events; repaired, availability published again where it changed ({} ms): "
                    + "{} {}", repaired.positions().size(), repaired.availability().size(), millis, first(repaired.positions()),
                    first(repaired.availability()));
        }
        return repaired;
    }

    private static String first(List<?> repairs) {
        return repairs.size() > 20 ? repairs.subList(0, 20) + " ..." : repairs.toString();
    }
}
