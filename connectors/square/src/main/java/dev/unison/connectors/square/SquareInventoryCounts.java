package dev.unison.connectors.square;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.mapping.MappingException;
import dev.unison.canonical.model.StockCount;
import dev.unison.connectors.kit.spi.ConnectorContext;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code inventory.count.updated}: {@code data.object.inventory_counts[{catalog_object_id,
 * catalog_object_type, state, location_id, quantity, calculated_at}]} (Square Developer docs,
 * "Inventory API webhooks"; Square API Reference, "InventoryCount"). Each count is an absolute
 * quantity of one item variation in one state at one location, as of {@code calculated_at}, not a
 * change; {@code quantity} is a decimal string ("2.5" for an item sold by weight). A state change
 * sends two counts (the quantity leaving one state and arriving in the other).
 *
 * <p>Each IN_STOCK count of an item variation at a mapped location is resolved to the hub's sku and
 * location; the newest per sku and location is recorded (refs, kind {@value #LAST_COUNT}:
 * {@code "<quantity> <calculated_at>"}, exact decimal) and becomes a
 * {@code commerce.inventory.counted.v1}, which the inventory domain applies as a count (as of
 * {@code calculated_at}, newer movements still counted on top; each count once by its id). The hub's stock is in whole
 * units: a negative count (Square lets stock go below zero) is a count of 0, and a fractional count (an
 * item sold by weight) is dead-lettered with the reason instead of
 * being rounded. Everything else is counted in the connection's metrics by why it was left out.
 */
final class SquareInventoryCounts {

    /** Ref kind: {@code <hub location>/<sku>} -> {@code "<quantity> <calculated_at>"}, Square's newest count. */
    static final String LAST_COUNT = "square_last_count";
    static final String IN_STOCK = "IN_STOCK";
    static final String ITEM_VARIATION = "ITEM_VARIATION";

    /** One count as Square sent it, quantity exact. */
    record Count(String catalogObjectId, String catalogObjectType, String state, String squareLocationId,
            BigDecimal quantity, Instant calculatedAt) {
    }

    /** What became of one count: {@code recorded}, {@code superseded} or why it was left out. */
    record Outcome(Count count, String outcome, Optional<String> sku, Optional<String> hubLocation) {
    }

    private SquareInventoryCounts() {
    }

    /** The counts of a notification; a count that cannot be read fails the delivery (dead-lettered with its payload). */
    static List<Count> parse(JsonNode envelope) {
        JsonNode counts = envelope.path("data").path("object").path("inventory_counts");
        if (!counts.isArray()) {
            throw new MappingException("inventory.count.updated without data.object.inventory_counts");
        }
        List<Count> parsed = new ArrayList<>();
        for (JsonNode c : counts) {
            String id = SquareInboundMapper.text(c, "catalog_object_id");
            String quantity = SquareInboundMapper.text(c, "quantity");
            BigDecimal exact;
            try {
                exact = new BigDecimal(quantity);
            } catch (NumberFormatException | NullPointerException e) {
                throw new MappingException("inventory count of " + id + ": quantity '" + quantity + "' is not a decimal string");
            }
            Instant calculatedAt = SquareInboundMapper.instant(SquareInboundMapper.text(c, "calculated_at"), null);
            if (id == null || calculatedAt == null) {
                throw new MappingException("inventory count without catalog_object_id or an RFC 3339 calculated_at: " + c);
            }
            parsed.add(new Count(id, c.path("catalog_object_type").asText(""), c.path("state").asText(""),
                    SquareInboundMapper.text(c, "location_id"), exact, calculatedAt));
        }
        return parsed;
    }

    /**
     * The canonical count of a recorded outcome, in whole units (a negative one as 0); a fractional
     * quantity is dead-lettered ({@code square:<connection>:inventory-count}) with the reason, and gives none.
     */
    static Optional<StockCount> stockCount(Outcome outcome, Connection connection, ConnectorContext context) {
        if (!"recorded".equals(outcome.outcome())) {
            return Optional.empty();
        }
        Count count = outcome.count();
        String sku = outcome.sku().orElseThrow();
        String location = outcome.hubLocation().orElseThrow();
        BigDecimal quantity = count.quantity();
        if (quantity.stripTrailingZeros().scale() > 0) {
            context.metrics().count(connection.id(), "inventory_count", "not_whole_units");
            context.deadLetters().record("square:" + connection.id() + ":inventory-count", location + "/" + sku,
                    "square.inventory.count", "Square counted " + quantity.toPlainString() + " of " + sku + " at " + location
                            + ": the hub keeps stock in whole units, so a fractional count is not applied", count.toString());
            return Optional.empty();
        }
        long units = quantity.longValueExact();
        if (units < 0) {
            // Square lets stock go below zero (sold before it was received): nothing is on hand, which is a count of 0;
            // leaving the hub's older, higher count would sell units that are not there
            context.metrics().count(connection.id(), "inventory_count", "negative_as_zero");
            units = 0;
        }
        return Optional.of(new StockCount("square:" + connection.id() + ":" + location + ":" + sku + ":" + count.calculatedAt(),
                sku, location, units, count.calculatedAt()));
    }

    static List<Outcome> record(List<Count> counts, Connection connection, ConnectorContext context,
            Function<Connection, SquareApi> api) {
        SquareSettings settings = SquareSettings.of(connection);
        List<Outcome> outcomes = new ArrayList<>();
        for (Count count : counts) {
            Outcome outcome = recordOne(count, settings, connection, context, api);
            context.metrics().count(connection.id(), "inventory_count", outcome.outcome());
            outcomes.add(outcome);
        }
        return outcomes;
    }

    private static Outcome recordOne(Count count, SquareSettings settings, Connection connection, ConnectorContext context,
            Function<Connection, SquareApi> api) {
        if (!ITEM_VARIATION.equals(count.catalogObjectType())) {
            return new Outcome(count, "not_a_variation", Optional.empty(), Optional.empty());
        }
        if (!IN_STOCK.equals(count.state())) {
            // sold, waste, in transit...: not stock on hand (Square API Reference, "InventoryState")
            return new Outcome(count, "other_state", Optional.empty(), Optional.empty());
        }
        Optional<String> hubLocation = settings.hubLocation(count.squareLocationId());
        if (hubLocation.isEmpty()) {
            return new Outcome(count, "other_location", Optional.empty(), Optional.empty());
        }
        Optional<String> sku = api.apply(connection).variationSku(count.catalogObjectId());
        if (sku.isEmpty()) {
            return new Outcome(count, "no_sku", Optional.empty(), hubLocation);
        }
        String key = hubLocation.get() + "/" + sku.get();
        Optional<Instant> last = context.refs().get(connection.id(), LAST_COUNT, key)
                .map(v -> Instant.parse(v.substring(v.indexOf(' ') + 1)));
        // counts are absolute and may arrive out of order: an older one must not replace a newer one (the same
        // one again, a delivery mapped a second time after a crash, is recorded again: its count id applies once)
        if (last.isPresent() && count.calculatedAt().isBefore(last.get())) {
            return new Outcome(count, "superseded", sku, hubLocation);
        }
        context.refs().put(connection.id(), LAST_COUNT, key, count.quantity().toPlainString() + " " + count.calculatedAt());
        return new Outcome(count, "recorded", sku, hubLocation);
    }
}
