package dev.unison.inventory;

import dev.unison.platform.retention.RetentionRule;
import dev.unison.platform.retention.RetentionSweeper;
import java.time.Duration;

/** The inventory domain's rule for the platform's retention sweep: finished reservations. */
public final class ReservationRetention {

    private ReservationRetention() {
    }

    /**
     * Released, expired or consumed (by a sale) reservations whose expiry is older than {@code keep} (setting
     * {@code unison.retention.reservations}, at least one hour); held ones are never deleted.
     */
    public static RetentionRule rule(Duration keep) {
        RetentionSweeper.Settings.requireAtLeast("unison.retention.reservations", keep, Duration.ofHours(1));
        return new RetentionRule("inventory_reservation", keep, "DELETE FROM inventory_reservation WHERE reservation_key IN "
                + "(SELECT reservation_key FROM inventory_reservation WHERE status IN ('released', 'expired', 'consumed') "
                + "AND expires_at < ? LIMIT ?)", false);
    }
}
