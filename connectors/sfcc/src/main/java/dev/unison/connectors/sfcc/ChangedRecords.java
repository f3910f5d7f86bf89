package dev.unison.connectors.sfcc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.pull.Poller;
import dev.unison.connectors.kit.spi.InboundDelivery;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.LinkedHashSet;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A stream of records by last modification, oldest first: order changes (status, payment,
 * shipping, cancellation) of orders already exported, and customers of a customer list.
 *
 * <p>The cursor is {@code <lastModified>|<ids>}: the search asks for records modified at or after
 * that instant (from the first, never by an offset that a record modified meanwhile would shift) and
 * leaves out the records at exactly that instant whose ids the cursor lists, so records sharing one
 * timestamp across a page boundary are neither skipped nor repeated. A record stored again anyway
 * (a restart) is a duplicate by its dedupe key.
 *
 * <ul>
 * <li>orders: {@code GET .../orders?siteId=&exportStatus=exported&lastModifiedDateFrom=&sortBy=last_modified_date
 *     &sortOrder=asc&offset=&limit=} (the names and values of commerce-sdk's {@code Orders.getOrders}); keyed like {@link ReadyOrders#orderKey}, so setting the export
 *     status (which modifies the order) yields a duplicate, not an update;</li>
 * <li>customers: {@code POST /customer/customers/v1/organizations/{org}/customer-lists/{listId}/customer-search}
 *     with {@code {"query": {"filteredQuery": {"query": {"matchAllQuery": {}}, "filter": {"rangeFilter":
 *     {"field": "lastModified", "from": t, "fromInclusive": true}}}}, "sorts": [...], "offset", "limit"}} (commerce-sdk's
 *     {@code SearchRequest}), each of {@code hits} a {@code {data: customer, relevance}}; keyed by customer number and last modification.</li>
 * </ul>
 */
final class ChangedRecords implements Poller.Source {

    enum Kind { ORDERS, CUSTOMERS }

    static final String ORDER_UPDATES = "order-updates";
    static final String ORDER_UPDATE = "order-update";
    static final String CUSTOMERS = "customers";
    static final String CUSTOMER = "customer";

    private final Kind kind;
    private final String connectionId;
    private final SfccSettings settings;
    private final SfccApi api;
    private final Clock clock;

    ChangedRecords(Kind kind, String connectionId, SfccSettings settings, SfccApi api, Clock clock) {
        this.kind = kind;
        this.connectionId = connectionId;
        this.settings = settings;
        this.api = api;
        this.clock = clock;
    }

    String stream() {
        return kind == Kind.ORDERS ? ORDER_UPDATES : CUSTOMERS;
    }

    @Override
    public Poller.Page fetch(Optional<String> cursor) throws Exception {
        // orders: from the stream's start (orders before it are the ready stream's); customers: all of them
        String start = kind == Kind.ORDERS ? clock.instant().toString() : Instant.EPOCH.toString();
        String[] at = cursor.orElse(start + "|").split("\\|", 2);
        Instant from = Instant.parse(at[0]);
        Set<String> seen = new LinkedHashSet<>();
        for (String id : at.length > 1 ? at[1].split(",") : new String[0]) {
            if (!id.isEmpty()) {
                seen.add(URLDecoder.decode(id, StandardCharsets.UTF_8));
            }
        }
        List<JsonNode> records = search(from, 0);
        if (records.size() >= settings.pageSize() && records.stream().allMatch(r -> seenAt(r, from, seen))) {
            // a whole page modified in the same millisecond, all stored already: page past them
            records = search(from, seen.size());
        }
        List<InboundDelivery> deliveries = new ArrayList<>();
        Instant last = from;
        Set<String> atLast = new LinkedHashSet<>(seen);
        for (JsonNode record : records) {
            if (seenAt(record, from, seen) || modified(record, from).isBefore(from)) {
                continue; // stored already; or older than asked for (should the API read the filter as a date only)
            }
            Instant modified = modified(record, from);
            if (modified.isAfter(last)) {
                last = modified;
                atLast.clear();
            }
            atLast.add(id(record));
            String key = kind == Kind.ORDERS ? ReadyOrders.orderKey(record)
                    : "customer:" + record.path("customerNo").asText() + ":" + record.path("lastModified").asText();
            deliveries.add(new InboundDelivery(connectionId, SfccConnector.NAME, kind == Kind.ORDERS ? ORDER_UPDATE : CUSTOMER, key,
                    Map.of(), CanonicalJson.mapper().writeValueAsBytes(record), clock.instant()));
        }
        StringBuilder next = new StringBuilder(last.toString()).append('|');
        for (String id : atLast) {
            String encoded = ReadyOrders.enc(id);
            if (next.length() + encoded.length() + 1 > CURSOR_ROOM) {
                break; // pathological: more records in one millisecond than the cursor holds; they come again as duplicates
            }
            next.append(encoded).append(',');
        }
        return new Poller.Page(deliveries, next.toString(), records.size() >= settings.pageSize() && !deliveries.isEmpty());
    }

    private static final int CURSOR_ROOM = 1900;

    private boolean seenAt(JsonNode record, Instant from, Set<String> seen) {
        return modified(record, from).equals(from) && seen.contains(id(record));
    }

    private String id(JsonNode record) {
        return record.path(kind == Kind.ORDERS ? "orderNo" : "customerNo").asText();
    }

    private static Instant modified(JsonNode record, Instant fallback) {
        return record.hasNonNull("lastModified") ? Instant.parse(record.get("lastModified").asText()) : fallback;
    }

    private List<JsonNode> search(Instant from, int offset) throws Exception {
        List<JsonNode> records = new ArrayList<>();
        if (kind == Kind.ORDERS) {
            JsonNode result = api.pull("order_search", "GET", URI.create(settings.api("checkout", "orders") + "/orders?siteId="
                    + ReadyOrders.enc(settings.siteId()) + "&exportStatus=exported&lastModifiedDateFrom=" + ReadyOrders.enc(from.toString())
                    + "&sortBy=last_modified_date&sortOrder=asc&offset=" + offset + "&limit=" + settings.pageSize()), null);
            result.path("data").forEach(records::add);
        } else {
            ObjectNode search = CanonicalJson.mapper().createObjectNode();
            ObjectNode filtered = search.putObject("query").putObject("filteredQuery");
            filtered.putObject("query").putObject("matchAllQuery");
            filtered.putObject("filter").putObject("rangeFilter").put("field", "lastModified").put("from", from.toString())
                    .put("fromInclusive", true);
            search.putArray("sorts").addObject().put("field", "lastModified").put("sortOrder", "asc");
            search.put("offset", offset).put("limit", settings.pageSize());
            JsonNode result = api.pull("customer_search", "POST", URI.create(settings.api("customer", "customers")
                    + "/customer-lists/" + ReadyOrders.enc(settings.customerListId().orElseThrow()) + "/customer-search"),
                    CanonicalJson.write(search));
            result.path("hits").forEach(hit -> records.add(hit.path("data"))); // hits are {data: customer, relevance}
        }
        return records;
    }
}
