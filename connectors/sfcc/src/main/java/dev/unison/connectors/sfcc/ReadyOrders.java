package dev.unison.connectors.sfcc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.pull.Poller;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The orders stream, storing ahead: orders whose export status is {@code ready} ("Orders API":
 * {@code GET .../orders?siteId=&exportStatus=ready&sortBy=creation_date&sortOrder=asc&offset=&limit=},
 * oldest first, results {@code {limit, offset, total, data}}), each delivered to the hub unless the
 * hub already holds it; {@link ExportConfirmations} sets their export status behind, at its own pace.
 *
 * <p>The ready list keeps every stored order until it is confirmed, so storing pages past the
 * stored ones: it remembers where its last committed page ended and how many orders had been
 * confirmed then (each confirmation takes one order off the front, moving everything behind it back
 * by one), and starts the next search there, a few orders early. Why this loses nothing and
 * repeats nothing:
 * <ul>
 * <li>each order found is delivered unless the inbox holds its exact dedupe key (order number and a
 *     digest of its state), and the kit stores a page and its cursor in one transaction: a crash
 *     before the commit stores nothing, and the next fetch starts where the committed cursor says;
 *     an order delivered twice is stored once;</li>
 * <li>offsets are only a shortcut: an order they pass by (one that became ready late, in front of
 *     stored ones; a status changed by someone else) is still ready and reaches the front of the list,
 *     where the confirmations find it not stored and storing's next search starts no later than it
 *     ({@link ExportConfirmations#storingMustStartBy()}); a new process starts from the front;</li>
 * <li>an order is never confirmed before the transaction storing it committed, since only what the
 *     inbox holds is confirmed.</li>
 * </ul>
 * B2C Commerce's own export job expects exactly this of an export consumer: failed orders are
 * reviewed and set back to ready by hand, and the consumer must take the same order more than once
 * idempotently (B2C Commerce job step ExportOrders).
 *
 * <p>An order that cannot be mapped is still stored (the hub dead-letters it with its original body
 * and the reason when it maps it) and is set to {@code failed}, so that it is not fetched over and
 * over and shows for review in Business Manager.
 */
final class ReadyOrders implements Poller.Source {

    static final String STREAM = "orders";
    static final String MESSAGE = "order";
    /** How far before the remembered position a search starts: absorbs a confirmation in flight during a search. */
    private static final int OVERLAP = 5;
    /** Pages of stored (or refused) orders one fetch pages past before it returns and lets the poller come back. */
    private static final int MAX_PAGES_PASSED_OVER = 50;
    /** This process: a cursor written by another one (before a restart) says nothing about this one's confirmations. */
    private static final String PROCESS = Long.toString(ProcessHandle.current().pid(), 36) + "-"
            + Long.toString(System.nanoTime() & 0xffffffL, 36);

    private final String connectionId;
    private final SfccSettings settings;
    private final SfccApi api;
    private final ExportConfirmations confirmations;
    private final ConnectorContext context;
    private final Clock clock;
    private final String process;

    ReadyOrders(String connectionId, SfccSettings settings, SfccApi api, ExportConfirmations confirmations, ConnectorContext context,
            Clock clock) {
        this(connectionId, settings, api, confirmations, context, clock, PROCESS + "-" + System.identityHashCode(confirmations));
    }

    ReadyOrders(String connectionId, SfccSettings settings, SfccApi api, ExportConfirmations confirmations, ConnectorContext context,
            Clock clock, String process) {
        this.connectionId = connectionId;
        this.settings = settings;
        this.api = api;
        this.confirmations = confirmations;
        this.context = context;
        this.clock = clock;
        this.process = process;
    }

    @Override
    public Poller.Page fetch(Optional<String> cursor) throws Exception {
        Position from = Position.parse(cursor.orElse(""));
        int offset = 0;
        if (process.equals(from.process())) {
            long confirmedSince = confirmations.confirmedCount() - from.confirmed();
            offset = (int) Math.max(0, from.end() - confirmedSince - OVERLAP);
        }
        OptionalLong missing = confirmations.storingMustStartBy();
        if (missing.isPresent() && missing.getAsLong() < offset) {
            // a ready order the hub lacks sits in front of where storing stands (it became ready late, or was passed by)
            context.metrics().count(connectionId, "poll." + STREAM, "searched_again_from_behind");
            offset = (int) missing.getAsLong();
        }
        List<InboundDelivery> deliveries = new ArrayList<>();
        boolean end = false;
        for (int pages = 0; pages < MAX_PAGES_PASSED_OVER; pages++) {
            long confirmedBefore = confirmations.confirmedCount();
            JsonNode result = api.pull("order_search", "GET", searchUri(settings, offset), null);
            Map<String, JsonNode> byKey = new LinkedHashMap<>();
            int returned = 0;
            for (JsonNode order : result.path("data")) {
                returned++;
                String orderNo = SfccMapper.text(order, "orderNo");
                if (orderNo != null && !confirmations.unconfirmable(orderNo)) { // without a number it cannot be an order
                    byKey.put(orderKey(order), order);
                }
            }
            Set<String> held = context.inbox().stored(connectionId, byKey.keySet());
            for (Map.Entry<String, JsonNode> order : byKey.entrySet()) {
                if (!held.contains(order.getKey())) {
                    if (!mappable(order.getValue(), settings, connectionId)) {
                        context.metrics().count(connectionId, "poll." + STREAM, "unmappable");
                    }
                    deliveries.add(new InboundDelivery(connectionId, SfccConnector.NAME, MESSAGE, order.getKey(), Map.of(),
                            CanonicalJson.mapper().writeValueAsBytes(order.getValue()), clock.instant()));
                }
            }
            // where this page ends in the list as it is now: confirmations since the search began moved it back
            offset = (int) Math.max(0, offset + returned - (confirmations.confirmedCount() - confirmedBefore));
            if (returned < settings.pageSize()) {
                end = true;
                break;
            }
            if (!deliveries.isEmpty()) {
                break; // one page of new orders per commit
            }
        }
        // another fetch follows at once while the list goes on behind this page
        return new Poller.Page(deliveries, new Position(process, offset, confirmations.confirmedCount()).format(), !end);
    }

    /** The search of ready orders, oldest first, one page from {@code offset}. */
    static URI searchUri(SfccSettings settings, int offset) {
        return URI.create(settings.api("checkout", "orders") + "/orders?siteId=" + enc(settings.siteId())
                + "&exportStatus=ready&sortBy=creation_date&sortOrder=asc&offset=" + offset + "&limit=" + settings.pageSize());
    }

    /** Whether an order maps to a canonical order (else it is stored for the dead letter, and set to failed). */
    static boolean mappable(JsonNode order, SfccSettings settings, String connectionId) {
        try {
            SfccMapper.order(order, settings, connectionId);
            return true;
        } catch (RuntimeException unmappable) {
            return false;
        }
    }

    /**
     * Where storing stands: the process that wrote it, the offset after its last page in the ready
     * list as it was then, and how many orders that process had confirmed then.
     * {@code v2;<process>;<end>;<confirmed>}; anything else (a v1 cursor of an older hub naming
     * orders to confirm) starts from the front, and the confirmations find those orders stored.
     */
    record Position(String process, long end, long confirmed) {
        String format() {
            return "v2;" + process + ";" + end + ";" + confirmed;
        }

        static Position parse(String cursor) {
            String[] parts = cursor.split(";");
            if (parts.length == 4 && parts[0].equals("v2")) {
                try {
                    return new Position(parts[1], Long.parseLong(parts[2]), Long.parseLong(parts[3]));
                } catch (NumberFormatException garbled) {
                    // from the front
                }
            }
            return new Position("", 0, 0);
        }
    }

    /** The dedupe key of an order's state: its number and a digest of what the canonical order shows. */
    static String orderKey(JsonNode order) {
        return "order:" + SfccMapper.text(order, "orderNo") + ":" + SfccMapper.stateDigest(order);
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
