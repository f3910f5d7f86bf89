package dev.unison.connectors.sfcc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.pull.Poller;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The orders stream: orders whose export status is {@code ready}, confirmed by setting it to
 * {@code exported} only once the hub has stored them ("Orders API": {@code GET .../orders?siteId=
 * &exportStatus=ready&sortBy=creation_date&sortOrder=asc&offset=&limit=}, oldest first, results {@code {limit, offset, total, data}}; {@code PUT
 * .../orders/{orderNo}/export-status?siteId=} with {@code {"status": "exported" | "failed"}}).
 *
 * <p>The protocol, and why it loses nothing: the stream's cursor is the list of orders of the last
 * committed page, still to be confirmed. The kit's {@link Poller} commits each page together with
 * its cursor in one transaction; the next fetch first sets the export status of the orders the
 * committed cursor names (exported; failed for those that cannot be mapped), and only then searches
 * for ready orders again. So:
 * <ul>
 * <li>a crash before a page's commit stores nothing and confirms nothing: the orders are still
 *     ready and are fetched again (no gap);</li>
 * <li>a crash after the commit, before (or while) confirming: the committed cursor still names them
 *     and the next fetch confirms them (setting a status twice is harmless) before it searches
 *     again; were they fetched again anyway (an operator set them back to ready), their dedupe key
 *     (order number and a digest of their state) makes them duplicates (no duplicate);</li>
 * <li>an order is never marked exported before the page holding it is committed, since only a
 *     committed cursor names it.</li>
 * </ul>
 * B2C Commerce's own export job expects exactly this of an export consumer: failed orders are
 * reviewed and set back to ready by hand, and the consumer must take the same order more than once
 * idempotently (B2C Commerce job step ExportOrders).
 *
 * <p>An order that cannot be mapped is still stored (the hub dead-letters it with its original body
 * and the reason when it maps it) and is set to {@code failed}, so that it is not fetched over and
 * over and shows for review in Business Manager. The cursor's column holds 2,000 characters, so a
 * page is cut short when its order numbers would not fit; the rest follow in the next fetch.
 */
final class ReadyOrders implements Poller.Source {

    static final String STREAM = "orders";
    static final String MESSAGE = "order";
    private static final int CURSOR_ROOM = 1900;
    /** Pages of orders SFCC refused to mark that one fetch looks past. */
    private static final int MAX_PAGES_PASSED_OVER = 10;
    private static final int MAX_UNCONFIRMABLE = 10_000;
    /** Orders whose export status SFCC refused to set, passed over in searches (in memory: a restart tries them again). */
    private final java.util.Set<String> unconfirmable = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final String connectionId;
    private final SfccSettings settings;
    private final SfccApi api;
    private final ConnectorContext context;
    private final Clock clock;

    ReadyOrders(String connectionId, SfccSettings settings, SfccApi api, ConnectorContext context, Clock clock) {
        this.connectionId = connectionId;
        this.settings = settings;
        this.api = api;
        this.context = context;
        this.clock = clock;
    }

    @Override
    public Poller.Page fetch(Optional<String> cursor) throws Exception {
        Map<String, String> pending = parse(cursor.orElse(""));
        for (Map.Entry<String, String> order : pending.entrySet()) {
            confirm(order.getKey(), order.getValue());
        }
        String orders = settings.api("checkout", "orders") + "/orders";
        List<InboundDelivery> deliveries = new ArrayList<>();
        Map<String, String> next = new LinkedHashMap<>();
        boolean fresh = false;
        int room = CURSOR_ROOM;
        // orders SFCC refused to mark (they stay ready, oldest first) are passed over: a page full of them
        // is followed by the next page, so they never hide newer orders from the stream
        for (int offset = 0, pages = 0; pages < MAX_PAGES_PASSED_OVER; offset += settings.pageSize(), pages++) {
            JsonNode result = api.pull("order_search", "GET", URI.create(orders + "?siteId=" + enc(settings.siteId())
                    + "&exportStatus=ready&sortBy=creation_date&sortOrder=asc&offset=" + offset + "&limit=" + settings.pageSize()),
                    null);
            int returned = 0;
            int passedOver = 0;
            for (JsonNode order : result.path("data")) {
                returned++;
                String orderNo = SfccMapper.text(order, "orderNo");
                if (orderNo == null) {
                    continue; // nothing to confirm it by; cannot be an order
                }
                if (unconfirmable.contains(orderNo)) {
                    passedOver++;
                    continue;
                }
                String status = "exported";
                try {
                    SfccMapper.order(order, settings, connectionId);
                } catch (RuntimeException unmappable) {
                    status = "failed";
                    context.metrics().count(connectionId, "poll." + STREAM, "unmappable");
                }
                room -= enc(orderNo).length() + 3;
                if (room < 0) {
                    break; // the cursor is full: the rest stay ready and come with the next fetch
                }
                next.put(orderNo, status);
                fresh |= !pending.containsKey(orderNo);
                deliveries.add(new InboundDelivery(connectionId, SfccConnector.NAME, MESSAGE, orderKey(order),
                        Map.of(), CanonicalJson.mapper().writeValueAsBytes(order), clock.instant()));
            }
            if (!deliveries.isEmpty() || returned < settings.pageSize() || passedOver < returned) {
                break;
            }
        }
        // another fetch follows at once only when this page brought an order the last one did not name:
        // a search that still lists orders just confirmed waits for the next round
        return new Poller.Page(deliveries, format(next), fresh);
    }

    /** The dedupe key of an order's state: its number and a digest of what the canonical order shows. */
    static String orderKey(JsonNode order) {
        return "order:" + SfccMapper.text(order, "orderNo") + ":" + SfccMapper.stateDigest(order);
    }

    private void confirm(String orderNo, String status) throws Exception {
        URI uri = URI.create(settings.api("checkout", "orders") + "/orders/" + enc(orderNo) + "/export-status?siteId="
                + enc(settings.siteId()));
        try {
            api.pull("export_status", "PUT", uri, "{\"status\":\"" + status + "\"}");
            context.metrics().count(connectionId, "poll." + STREAM, status);
        } catch (java.io.IOException refused) {
            // the order is gone or cannot take the status (4xx): nothing to retry, the hub has it stored;
            // it stays ready in SFCC, so it is passed over from now on and an operator sees why
            context.metrics().count(connectionId, "poll." + STREAM, "confirm_refused");
            if (unconfirmable.size() < MAX_UNCONFIRMABLE) {
                unconfirmable.add(orderNo);
            }
            context.deadLetters().record("sfcc:" + connectionId + ":export-status", orderNo, "sfcc.export-status",
                    "SFCC refused export status " + status + " for order " + orderNo + " (it stays ready in SFCC and is "
                            + "passed over by this hub until it restarts): " + refused.getMessage(), "");
        }
    }

    /** {@code e=<orderNo>,f=<orderNo>,...}: the page's orders, e to be set exported, f failed. */
    static String format(Map<String, String> orders) {
        StringBuilder out = new StringBuilder("v1");
        orders.forEach((orderNo, status) -> out.append(out.length() == 2 ? ";" : ",")
                .append(status.equals("exported") ? "e=" : "f=").append(enc(orderNo)));
        return out.toString();
    }

    static Map<String, String> parse(String cursor) {
        Map<String, String> orders = new LinkedHashMap<>();
        int semi = cursor.indexOf(';');
        if (semi < 0) {
            return orders;
        }
        for (String entry : cursor.substring(semi + 1).split(",")) {
            if (entry.length() > 2) {
                orders.put(URLDecoder.decode(entry.substring(2), StandardCharsets.UTF_8),
                        entry.startsWith("f=") ? "failed" : "exported");
            }
        }
        return orders;
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
