package dev.unison.attribution;

import dev.unison.attribution.AdFileParser.Format;
import dev.unison.attribution.AdFileParser.Kind;
import dev.unison.attribution.AdFileParser.Rejected;
import dev.unison.attribution.AdFileParser.Row;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.model.AdExposure;
import dev.unison.canonical.model.AdSpend;
import dev.unison.canonical.model.Money;
import dev.unison.canonical.model.NetworkAttribution;
import dev.unison.connectors.kit.identity.DestinationHashing;
import dev.unison.platform.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Takes an exposure log or a spend report in as canonical events, exactly as if each row had been
 * submitted through {@code POST /api/v1/events}: rows go into the outbox in transactions of up to
 * 1,000, under ids derived from what identifies them (an exposure by network and exposure id; a
 * spend row by everything it says, so a restated day is new and a resent file is not), so a file
 * sent twice publishes nothing twice. Network connectors publish the same events.
 */
public class AdFileIntake {

    /** At most this many rejected rows are listed in a report; all are counted. */
    public static final int MAX_LISTED_REJECTIONS = 1000;
    private static final int CHUNK = 1000;

    /** What became of a file. */
    public record Report(String kind, long lines, long accepted, long duplicates, long rejected, List<Rejected> rejections) {
        public boolean rejectionsTruncated() {
            return rejected > rejections.size();
        }
    }

    /**
     * Who sent a file: a partner (its id) or a configured feed (owner null: the hub's own input).
     * {@code ownNetwork}: the only network the sender may report for (a partner's name), null for any.
     */
    public record Sender(String partnerId, URI source, String ownNetwork) {
        public static Sender partner(String partnerId, String ownNetwork) {
            return new Sender(partnerId, URI.create("/partners/" + partnerId), ownNetwork);
        }

        public static Sender feed(String name) {
            return new Sender(null, URI.create("/feeds/" + name), null);
        }
    }

    private final Outbox outbox;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final MeterRegistry meters;

    public AdFileIntake(Outbox outbox, TransactionTemplate tx, Clock clock, MeterRegistry meters) {
        this.outbox = outbox;
        this.tx = tx;
        this.clock = clock;
        this.meters = meters;
    }

    /** Reads a whole file; rows accepted before an unreadable part stay accepted (each chunk commits). */
    public Report ingest(Sender sender, Kind kind, Format format, InputStream in) {
        List<Outbox.Submitted> pending = new ArrayList<>(CHUNK);
        List<Rejected> listed = new ArrayList<>();
        long[] counts = new long[3]; // accepted, duplicates, rejected
        Instant now = clock.instant();
        long lines;
        try {
            lines = AdFileParser.parse(in, kind, format, new AdFileParser.Rows() {
            @Override
            public void accepted(Row row) {
                String network = row.record() instanceof AdExposure e ? e.network() : ((AdSpend) row.record()).network();
                if (sender.ownNetwork() != null && !sender.ownNetwork().equals(network)) {
                    rejected(new Rejected(row.line(), List.of("network: a partner reports exposures and spend of its own "
                            + "network only ('" + sender.ownNetwork() + "'), got '" + network + "'")));
                    return;
                }
                pending.add(submitted(sender, kind, row, now));
                if (pending.size() == CHUNK) {
                    flush(pending, counts);
                }
            }

            @Override
            public void rejected(Rejected rejected) {
                counts[2]++;
                if (listed.size() < MAX_LISTED_REJECTIONS) {
                    listed.add(rejected);
                }
            }
            });
        } catch (AdFileParser.UnreadableFileException unreadable) {
            // rows before the unreadable part were taken in chunks that committed: say so
            flush(pending, counts);
            throw counts[0] + counts[1] == 0 ? unreadable : new AdFileParser.UnreadableFileException(unreadable.getMessage()
                    + "; the rows before it were taken: " + counts[0] + " accepted, " + counts[1] + " duplicates (send the "
                    + "file again once repaired: what was taken counts as duplicates)");
        }
        flush(pending, counts);
        String name = kind.name().toLowerCase(java.util.Locale.ROOT);
        meters.counter("unison_attribution_file_rows_total", "kind", name, "outcome", "accepted").increment(counts[0]);
        meters.counter("unison_attribution_file_rows_total", "kind", name, "outcome", "duplicate").increment(counts[1]);
        meters.counter("unison_attribution_file_rows_total", "kind", name, "outcome", "rejected").increment(counts[2]);
        return new Report(name, lines, counts[0], counts[1], counts[2], List.copyOf(listed));
    }

    private void flush(List<Outbox.Submitted> pending, long[] counts) {
        if (pending.isEmpty()) {
            return;
        }
        List<Boolean> accepted;
        try {
            accepted = tx.execute(s -> outbox.appendSubmitted("events", pending));
        } catch (org.springframework.dao.DuplicateKeyException concurrentCopy) {
            // another instance (or request) appended some of these rows meanwhile: this time they read as duplicates
            accepted = tx.execute(s -> outbox.appendSubmitted("events", pending));
        }
        for (boolean a : accepted) {
            counts[a ? 0 : 1]++;
        }
        pending.clear();
    }

    private static Outbox.Submitted submitted(Sender sender, Kind kind, Row row, Instant now) {
        String id;
        Instant time;
        if (row.record() instanceof AdExposure e) {
            id = "exposure:" + e.network() + ":" + e.exposureId();
            time = e.exposedAt();
        } else {
            AdSpend s = (AdSpend) row.record();
            String says = String.join("|", s.network(), s.campaignId(), s.day().toString(), s.spend().currency(),
                    s.spend().amount().toPlainString(), Long.toString(s.impressions()), Long.toString(s.clicks()));
            NetworkAttribution n = s.networkAttributed();
            if (n != null) {
                // a day restated only in the network's figures is new too (a row without them keeps its old id)
                says += "|" + n.clickWindowDays() + "|" + n.viewWindowDays() + "|" + n.orders() + "|" + n.units() + "|"
                        + n.sales().amount().toPlainString() + "|" + plain(n.salesInStore()) + "|" + plain(n.salesOnline());
            }
            id = "spend:" + DestinationHashing.sha256Hex(says);
            time = now; // the report's time: a restated day replaces an older report of it
        }
        String prefix = sender.partnerId() == null ? sender.source().getPath().substring(1).replace('/', ':') : sender.partnerId();
        if (prefix.length() + 1 + id.length() > 128) {
            id = id.substring(0, id.indexOf(':')) + ":" + DestinationHashing.sha256Hex(id);
        }
        CanonicalEvent event = CanonicalEvent.ofRecord(prefix + ":" + id, kind.eventType(), sender.source(), row.record(), time);
        return new Outbox.Submitted(sender.partnerId(), sender.partnerId() == null ? null : id, event);
    }

    private static String plain(Money m) {
        return m == null ? "" : m.amount().toPlainString();
    }
}
