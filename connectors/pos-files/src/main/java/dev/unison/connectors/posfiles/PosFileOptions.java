package dev.unison.connectors.posfiles;

import dev.unison.canonical.identity.IdentifierNormalizer;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * How POS files are read.
 *
 * @param storeKnown whether a store id is a declared location (as for the JSON API: an unknown store is refused)
 * @param identifiers the normalizer the JSON API uses (phone and email; files carry neither today)
 * @param clock the clock of the API's date windows (business day at most two days, the transaction's
 *        time at most one day ahead)
 * @param fractionalQuantity what a quantity that is not whole (a weighed item: 0.735 kg) becomes;
 *        {@link dev.unison.canonical.pos.PosTransaction} carries whole units only
 * @param localTimeZone the zone of POSLog times written without an offset ({@code 2017-10-01T02:02:54},
 *        as NCR ACS writes them), or null: such a time is then a reason to reject the transaction
 * @param requireTrailer whether a CSV file without its TRAILER row is rejected as incomplete
 * @param posLog where vendor-dependent values are in a POSLog Transaction
 */
public record PosFileOptions(Predicate<String> storeKnown, IdentifierNormalizer identifiers, Clock clock,
        FractionalQuantity fractionalQuantity, ZoneId localTimeZone, boolean requireTrailer, PosLogPaths posLog) {

    /**
     * {@link dev.unison.canonical.pos.PosTransaction.Line#quantity()} is a whole number of units: what
     * a fractional quantity becomes.
     */
    public enum FractionalQuantity {
        /** The transaction is rejected, the quantity named (the default: nothing is read as what it is not). */
        REJECT,
        /**
         * The line becomes 1 unit priced at its extended amount (0.735 kg at 3.99 = 1 unit at 2.93): the
         * transaction's value, sku, loyalty and payment are right, a stock decrement counts one unit.
         * The measured quantity is in the outcome's notes.
         */
        ONE_UNIT_AT_EXTENDED_AMOUNT
    }

    public PosFileOptions {
        Objects.requireNonNull(storeKnown, "storeKnown");
        Objects.requireNonNull(identifiers, "identifiers");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(fractionalQuantity, "fractionalQuantity");
        Objects.requireNonNull(posLog, "posLog");
    }

    /** Fractional quantities rejected, no local zone, trailer optional, {@link PosLogPaths#defaults()}, region US. */
    public static PosFileOptions defaults(Predicate<String> storeKnown) {
        return new PosFileOptions(storeKnown, new IdentifierNormalizer("US"), Clock.systemUTC(), FractionalQuantity.REJECT, null,
                false, PosLogPaths.defaults());
    }

    public PosFileOptions withClock(Clock value) {
        return new PosFileOptions(storeKnown, identifiers, value, fractionalQuantity, localTimeZone, requireTrailer, posLog);
    }

    public PosFileOptions withFractionalQuantity(FractionalQuantity value) {
        return new PosFileOptions(storeKnown, identifiers, clock, value, localTimeZone, requireTrailer, posLog);
    }

    public PosFileOptions withLocalTimeZone(ZoneId value) {
        return new PosFileOptions(storeKnown, identifiers, clock, fractionalQuantity, value, requireTrailer, posLog);
    }

    public PosFileOptions withRequireTrailer(boolean value) {
        return new PosFileOptions(storeKnown, identifiers, clock, fractionalQuantity, localTimeZone, value, posLog);
    }

    public PosFileOptions withPosLog(PosLogPaths value) {
        return new PosFileOptions(storeKnown, identifiers, clock, fractionalQuantity, localTimeZone, requireTrailer, value);
    }

    public PosFileOptions withIdentifiers(IdentifierNormalizer value) {
        return new PosFileOptions(storeKnown, value, clock, fractionalQuantity, localTimeZone, requireTrailer, posLog);
    }
}
