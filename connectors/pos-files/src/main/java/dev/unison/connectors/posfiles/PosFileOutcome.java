package dev.unison.connectors.posfiles;

import dev.unison.canonical.pos.PosTransaction;
import java.util.List;
import java.util.Objects;

/** What became of one transaction of a file, handed to the caller as soon as it is read. */
public sealed interface PosFileOutcome permits PosFileOutcome.Accepted, PosFileOutcome.Rejected, PosFileOutcome.Skipped {

    PosFilePosition position();

    /**
     * A valid transaction: the same {@link PosTransaction} the JSON API makes of the same sale.
     * {@code notes}: what was read but not carried (a voided line item, a weighed quantity mapped to
     * one priced unit, a second card token), empty mostly.
     */
    record Accepted(PosTransaction transaction, PosFilePosition position, List<String> notes) implements PosFileOutcome {
        public Accepted {
            Objects.requireNonNull(transaction, "transaction");
            Objects.requireNonNull(position, "position");
            notes = List.copyOf(notes);
        }
    }

    /**
     * A transaction that cannot be accepted, with every reason, each naming its field and where it is
     * ({@code line 14 qty: ...}, {@code LineItem 2 (line 31, column 9) Sale/ItemID: ...}). {@code key}: the
     * transaction's key ({@link PosTransaction#key()} form) when its key fields are valid, else what the
     * file says (for people), or null when nothing could be read.
     */
    record Rejected(String key, PosFilePosition position, List<String> reasons) implements PosFileOutcome {
        public Rejected {
            Objects.requireNonNull(position, "position");
            reasons = List.copyOf(reasons);
        }
    }

    /**
     * A transaction deliberately not applied: cancelled, training mode, not a sale or return (a
     * sign-on, a no-sale), every line voided. {@code key} as for {@link Rejected}.
     */
    record Skipped(String key, PosFilePosition position, String reason) implements PosFileOutcome {
        public Skipped {
            Objects.requireNonNull(position, "position");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
