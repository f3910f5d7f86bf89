package dev.unison.connectors.sfcc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.connectors.kit.auth.CredentialsRefused;
import dev.unison.connectors.kit.pull.TryLater;
import dev.unison.connectors.kit.spi.ConnectorContext;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Confirms behind: sets the export status of the ready orders the hub has stored ({@code exported},
 * or {@code failed} for one that cannot be mapped), oldest first, at the export-status endpoint's own
 * pace ("B2C Commerce API: Rate limits": {@code PUT .../export-status} 4,000 per 60 s, a budget apart
 * from the order search's). Storing ({@link ReadyOrders}) runs ahead of it, so a backlog reaches the
 * hub at the search's pace and not at the (slower) confirmation's.
 *
 * <p>Why confirming loses nothing: an order is confirmed only when the hub's inbox answers that it
 * holds the order's exact dedupe key ({@link dev.unison.connectors.kit.spi.Inbox#stored}), i.e.
 * after the transaction storing it committed; what is confirmed is looked up afresh in SFCC (the
 * front of the ready list) each round, so nothing of this lives only in memory that a crash could
 * lose: after a restart the stored, still-ready orders are found again and confirmed (setting a status
 * twice is harmless). The first ready order a round finds not stored (it became ready late in front of
 * stored ones, or storing passed it by) is where storing starts again at the latest
 * ({@link #storingMustStartBy()}).
 */
final class ExportConfirmations {

    private static final Logger LOG = LoggerFactory.getLogger(ExportConfirmations.class);
    /** Pages of orders SFCC refused to mark that one round looks past. */
    private static final int MAX_PAGES_PASSED_OVER = 10;
    private static final int MAX_UNCONFIRMABLE = 10_000;
    /** The lease kind of the instance that confirms a connection's orders. */
    static final String LEASE_KIND = "sfcc-export-status";
    /** Renewed every round; a round confirms at most a page (200 at 60/s: under 4 s). */
    private static final java.time.Duration LEASE = java.time.Duration.ofSeconds(30);

    private final String connectionId;
    private final SfccSettings settings;
    private final SfccApi search;
    private final SfccApi exportStatus;
    private final ConnectorContext context;
    /** Orders whose export status SFCC refused to set: passed over (in memory: a restart tries them again). */
    private final Set<String> unconfirmable = ConcurrentHashMap.newKeySet();
    /** Orders confirmed by this process, each taking one order off the front of the ready list. */
    private final AtomicLong confirmed = new AtomicLong();
    /** The list position of the first ready order the last round found not stored, and {@link #confirmed} then; null: none. */
    private final java.util.concurrent.atomic.AtomicReference<long[]> firstNotStored = new java.util.concurrent.atomic.AtomicReference<>();

    ExportConfirmations(String connectionId, SfccSettings settings, SfccApi search, SfccApi exportStatus, ConnectorContext context) {
        this.connectionId = connectionId;
        this.settings = settings;
        this.search = search;
        this.exportStatus = exportStatus;
        this.context = context;
    }

    /** How many orders this process has confirmed: each left the ready list, so storing subtracts them from its offsets. */
    long confirmedCount() {
        return confirmed.get();
    }

    boolean unconfirmable(String orderNo) {
        return unconfirmable.contains(orderNo);
    }

    /**
     * Where storing must start its next search at the latest: the position, now, of the first ready
     * order the last round found the hub not holding (one that became ready late in front of stored
     * ones, or one storing passed by); empty when the front held nothing missing. Taken once: storing
     * searches from there, and the next round looks again (until then the same finding would send
     * storing back over the same stored pages fetch after fetch).
     */
    OptionalLong storingMustStartBy() {
        long[] seen = firstNotStored.getAndSet(null);
        // each order confirmed since took one order off the front: the position moves back (perhaps too far: safe)
        return seen == null ? OptionalLong.empty() : OptionalLong.of(Math.max(0, seen[0] - (confirmed.get() - seen[1])));
    }

    /**
     * One round: the front of the ready list, the stored ones of it confirmed in order. Returns how
     * many were confirmed (not counting refused ones); stops early (keeping the rest for the next round) when SFCC asks to wait.
     */
    int round() throws CredentialsRefused, InterruptedException {
        // one instance of all hubs confirms a connection's orders (the kit's lease, shown in GET /api/v1/connections):
        // two would search the same front and set every status twice, at twice the rate SFCC allows
        if (!context.outboundQueue().tryLease(connectionId, LEASE_KIND, context.instanceId(), LEASE)) {
            return 0;
        }
        Map<String, String> toConfirm;
        try {
            toConfirm = front();
        } catch (TryLater later) {
            return 0;
        } catch (IOException refused) {
            LOG.warn("SFCC connection {}: the ready-orders search was refused: {}", connectionId, refused.getMessage());
            return 0;
        }
        int done = 0;
        for (Map.Entry<String, String> order : toConfirm.entrySet()) {
            try {
                if (confirm(order.getKey(), order.getValue())) {
                    done++;
                }
            } catch (TryLater later) {
                break; // the budget or SFCC says wait: the rest are found again next round
            }
        }
        return done;
    }

    /** The stored orders at the front of the ready list, oldest first, each with the status to set. */
    private Map<String, String> front() throws CredentialsRefused, TryLater, IOException, InterruptedException {
        Map<String, String> stored = new LinkedHashMap<>();
        long[] missingAt = null;
        long confirmedAtScan = confirmed.get();
        for (int offset = 0, pages = 0; pages < MAX_PAGES_PASSED_OVER; offset += settings.pageSize(), pages++) {
            JsonNode result = search.pull("order_search", "GET", ReadyOrders.searchUri(settings, offset), null);
            Map<String, JsonNode> candidates = new LinkedHashMap<>(); // by dedupe key, in list order
            Map<String, Integer> positions = new LinkedHashMap<>();
            int position = offset;
            for (JsonNode order : result.path("data")) {
                String orderNo = SfccMapper.text(order, "orderNo");
                if (orderNo != null && !unconfirmable.contains(orderNo)) {
                    String key = ReadyOrders.orderKey(order);
                    candidates.put(key, order);
                    positions.put(key, position);
                }
                position++;
            }
            int returned = position - offset;
            Set<String> held = context.inbox().stored(connectionId, candidates.keySet());
            for (Map.Entry<String, JsonNode> candidate : candidates.entrySet()) {
                if (held.contains(candidate.getKey())) {
                    stored.put(SfccMapper.text(candidate.getValue(), "orderNo"),
                            ReadyOrders.mappable(candidate.getValue(), settings, connectionId) ? "exported" : "failed");
                } else if (missingAt == null) {
                    // storing has not reached it yet, or passed it by
                    missingAt = new long[] {positions.get(candidate.getKey()), confirmedAtScan};
                }
            }
            // a page of nothing but refused orders hides the ones behind it: look past it
            if (!candidates.isEmpty() || returned < settings.pageSize()) {
                break;
            }
        }
        firstNotStored.set(missingAt);
        return stored;
    }

    /** Sets one order's export status; false when SFCC refused it (dead-lettered, passed over from now on). */
    private boolean confirm(String orderNo, String status) throws CredentialsRefused, TryLater, InterruptedException {
        URI uri = URI.create(settings.api("checkout", "orders") + "/orders/" + ReadyOrders.enc(orderNo) + "/export-status?siteId="
                + ReadyOrders.enc(settings.siteId()));
        try {
            exportStatus.pull("export_status", "PUT", uri, "{\"status\":\"" + status + "\"}");
            context.metrics().count(connectionId, "poll." + ReadyOrders.STREAM, status);
            confirmed.incrementAndGet(); // it left the ready list: storing's offsets move back by one
            return true;
        } catch (IOException refused) {
            // the order is gone or cannot take the status (4xx): nothing to retry, the hub has it stored;
            // it stays ready in SFCC, so it is passed over from now on and an operator sees why
            context.metrics().count(connectionId, "poll." + ReadyOrders.STREAM, "confirm_refused");
            if (unconfirmable.size() < MAX_UNCONFIRMABLE) {
                unconfirmable.add(orderNo);
            }
            context.deadLetters().record("sfcc:" + connectionId + ":export-status", orderNo, "sfcc.export-status",
                    "SFCC refused export status " + status + " for order " + orderNo + " (it stays ready in SFCC and is "
                            + "passed over by this hub until it restarts): " + refused.getMessage(), "");
            return false;
        }
    }
}
