package dev.unison.connectors.posfiles;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Shared test setup: a declared store, a clock the day after the sales, outcomes collected. */
final class Fixtures {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T08:00:00Z"), ZoneOffset.UTC);
    static final Set<String> STORES = Set.of("STORE-7", "9");

    static PosFileOptions options() {
        return PosFileOptions.defaults(STORES::contains).withClock(CLOCK);
    }

    /** The outcomes a reader hands over, in order. */
    static final class Collected implements java.util.function.Consumer<PosFileOutcome> {
        final List<PosFileOutcome> all = new ArrayList<>();

        @Override
        public void accept(PosFileOutcome outcome) {
            all.add(outcome);
        }

        <T extends PosFileOutcome> List<T> of(Class<T> kind) {
            return all.stream().filter(kind::isInstance).map(kind::cast).toList();
        }
    }

    private Fixtures() {
    }
}
