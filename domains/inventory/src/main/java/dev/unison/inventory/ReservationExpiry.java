package dev.unison.inventory;

import dev.unison.platform.worker.BackgroundWorker;
import java.time.Duration;
import java.util.List;
import org.springframework.transaction.support.TransactionTemplate;

/** Releases cart reservations whose time is up, each in its own transaction (status {@code expired}). */
public class ReservationExpiry extends BackgroundWorker {

    private final InventoryLedger ledger;
    private final TransactionTemplate tx;

    public ReservationExpiry(InventoryLedger ledger, TransactionTemplate tx) {
        super("reservation-expiry", Duration.ofSeconds(1), Duration.ofSeconds(30));
        this.ledger = ledger;
        this.tx = tx;
    }

    @Override
    protected boolean runRound() {
        List<String> due = ledger.dueReservations(100);
        due.forEach(id -> tx.executeWithoutResult(status -> ledger.release(id, "expired")));
        return due.size() == 100;
    }
}
