package dev.unison.connectors.square;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.CanonicalRecord;
import dev.unison.canonical.model.CustomerAccount;
import dev.unison.canonical.model.StockCount;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.Money;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.OrderLine;
import dev.unison.canonical.model.OrderStatus;
import dev.unison.canonical.model.PlacedIn;
import dev.unison.canonical.model.Refund;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.mapping.MappingException;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.spi.RetryLaterException;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns a stored Square notification into canonical events. The envelope is
 * {@code {merchant_id, type, event_id, created_at, data: {type, id, object}}} (Square Developer
 * docs, "Webhooks overview"); what {@code data.object} holds depends on the type:
 * <ul>
 * <li>{@code order.created} / {@code order.updated}: only a summary, {@code order_created} /
 *     {@code order_updated} = {@code {order_id, location_id, state, version, created_at
 *     (updated_at)}} (Square API Reference, "OrderCreated", "OrderUpdated"). A canonical order needs
 *     its lines and total, so the order is read with RetrieveOrder ({@link SquareApi#order}) and the
 *     summary only checks that read is not older than the notification;</li>
 * <li>{@code payment.updated}: {@code payment} ({@code id, status, order_id, location_id,
 *     amount_money, updated_at}; Square API Reference, "Payment"): once COMPLETED, its order is read
 *     and published, which is how a Point of Sale sale (no {@code order.created}) reaches the hub;</li>
 * <li>{@code refund.created}: {@code refund}, a PaymentRefund ({@code id, status, amount_money,
 *     payment_id, order_id, location_id, created_at});</li>
 * <li>{@code customer.created}: {@code customer} ({@code id, email_address, phone_number,
 *     given_name, family_name, reference_id, updated_at});</li>
 * <li>{@code inventory.count.updated}: {@code inventory_counts}, each IN_STOCK count in whole units of a mapped
 *     location a {@code commerce.inventory.counted.v1}, see {@link SquareInventoryCounts}.</li>
 * </ul>
 * Mapped in Java rather than JSONata because Square's money is an integer amount of the currency's
 * smallest unit ({@code {"amount": 1250, "currency": "USD"}} is 12.50; Square API Reference,
 * "Money") and quantities are decimal strings: both are converted exactly with {@link BigDecimal}
 * here, where JSONata would go through doubles. Event ids derive from the delivery's dedupe key
 * (the notification's {@code event_id}).
 */
final class SquareInboundMapper {

    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+$");
    private static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{6,14}$");
    /** A number written with a country code and only separators ("+1-212-555-4240", Square's own example). */
    private static final Pattern INTERNATIONAL_WITH_SEPARATORS = Pattern.compile("^\\+[0-9 ().-]+$");

    List<CanonicalEvent> map(InboundDelivery delivery, Connection connection, ConnectorContext context,
            Function<Connection, SquareApi> api) {
        JsonNode envelope = CanonicalJson.parse(delivery.body());
        Optional<SquareEventType> type = SquareEventType.of(delivery.messageType());
        if (type.isEmpty()) {
            // a type the subscription sends that the hub has no meaning for: kept in the inbox, no event
            context.metrics().count(connection.id(), "notification", "ignored");
            return List.of();
        }
        SquareSettings settings = SquareSettings.of(connection);
        JsonNode object = envelope.path("data").path("object");
        Instant notified = instant(envelope.path("created_at").asText(null), delivery.receivedAt());
        String idPrefix = SquareConnector.NAME + ":" + connection.id() + ":" + delivery.dedupeKey() + ":";
        URI source = URI.create("/connectors/" + SquareConnector.NAME + "/" + connection.id());
        return switch (type.get()) {
            case ORDER_CREATED, ORDER_UPDATED -> {
                String field = type.get() == SquareEventType.ORDER_CREATED ? "order_created" : "order_updated";
                JsonNode summary = object.path(field);
                String orderId = text(summary, "order_id");
                if (orderId == null) {
                    throw new MappingException(type.get().type() + " without data.object." + field + ".order_id");
                }
                yield orderEvent(orderId, summary.path("version"), type.get().eventType().orElseThrow(), connection, context,
                        api, idPrefix, source, notified);
            }
            case PAYMENT_UPDATED -> {
                JsonNode payment = object.path("payment");
                if (!"COMPLETED".equals(payment.path("status").asText())) {
                    // APPROVED (not captured yet), CANCELED, FAILED: no sale (Square API Reference, "Payment.status")
                    context.metrics().count(connection.id(), "notification", "payment_not_completed");
                    yield List.of();
                }
                String orderId = text(payment, "order_id");
                if (orderId == null) {
                    throw new MappingException("payment.updated of payment " + text(payment, "id") + " without order_id");
                }
                // a payment names no order version: whatever RetrieveOrder answers is at least as new
                yield orderEvent(orderId, MissingNode.getInstance(), EventType.ORDER_UPDATED, connection, context, api,
                        idPrefix, source, notified);
            }
            case REFUND_CREATED -> {
                JsonNode refund = object.path("refund");
                String status = refund.path("status").asText("");
                if (status.equals("REJECTED") || status.equals("FAILED")) {
                    // no money went back (Square API Reference, "PaymentRefund.status")
                    context.metrics().count(connection.id(), "notification", "refund_not_made");
                    yield List.of();
                }
                Refund mapped = refund(refund, settings, connection.id());
                yield List.of(event(idPrefix, EventType.REFUND_CREATED, source, mapped, mapped.refundedAt()));
            }
            case CUSTOMER_CREATED -> {
                CustomerAccount account = customer(object.path("customer"), settings);
                yield List.of(event(idPrefix, EventType.CUSTOMER_UPSERTED, source, account,
                        account.updatedAt() != null ? account.updatedAt() : notified));
            }
            case INVENTORY_COUNT_UPDATED -> {
                List<CanonicalEvent> counts = new java.util.ArrayList<>();
                int n = 0;
                for (SquareInventoryCounts.Outcome outcome : SquareInventoryCounts.record(SquareInventoryCounts.parse(envelope),
                        connection, context, api)) {
                    Optional<StockCount> count = SquareInventoryCounts.stockCount(outcome, connection, context);
                    if (count.isPresent()) {
                        counts.add(CanonicalEvent.of(idPrefix + n++, EventType.INVENTORY_COUNTED, source,
                                CanonicalJson.toTree(count.get()), count.get().countedAt()));
                    }
                }
                yield counts;
            }
        };
    }

    /**
     * The order a notification names, read with RetrieveOrder, as one canonical order event. Right
     * after the notification the read may still answer the previous version ({@code notifiedVersion}
     * is the one the event is about, when it says; Square API Reference, "Order.version": incremented
     * on every update): mapped again later rather than publishing an older state. A DRAFT order is
     * not a sale yet (Square API Reference, "OrderState") and publishes nothing.
     */
    private static List<CanonicalEvent> orderEvent(String orderId, JsonNode notifiedVersion, EventType type, Connection connection,
            ConnectorContext context, Function<Connection, SquareApi> api, String idPrefix, URI source, Instant notified) {
        SquareApi reader = api.apply(connection);
        JsonNode order = reader.order(orderId);
        if (!order.hasNonNull("id")) {
            throw new MappingException("RetrieveOrder answered no order for " + orderId);
        }
        if (notifiedVersion.canConvertToLong() && order.path("version").canConvertToLong()
                && order.get("version").asLong() < notifiedVersion.asLong()) {
            throw new RetryLaterException("Square answered version " + order.get("version").asLong() + " of order " + orderId
                    + ", the notification is about version " + notifiedVersion.asLong());
        }
        if ("DRAFT".equals(order.path("state").asText())) {
            context.metrics().count(connection.id(), "notification", "draft_order");
            return List.of();
        }
        Order mapped = order(order, SquareSettings.of(connection), connection.id(), reader::variationSku);
        return List.of(event(idPrefix, type, source, mapped, mapped.updatedAt() != null ? mapped.updatedAt() : notified));
    }

    /**
     * A Square order (Square API Reference, "Order": {@code id, location_id, state, customer_id,
     * line_items[{uid, catalog_object_id, quantity, base_price_money, total_money}], total_money,
     * created_at, updated_at}). Square is the seller's point of sale: every order is placed at its
     * {@code location_id}, which the connection's {@code locations} must map to a hub location.
     *
     * @param skus an item variation's sku, when it has one
     */
    static Order order(JsonNode o, SquareSettings settings, String connectionId, Function<String, Optional<String>> skus) {
        String id = text(o, "id");
        String squareLocation = text(o, "location_id");
        String hubLocation = settings.hubLocation(squareLocation).orElseThrow(() -> new MappingException("Square order " + id
                + " was placed at Square location " + squareLocation + ", which connection " + connectionId
                + " does not map to a hub location: add it to settings." + SquareSettings.LOCATIONS
                + " (Square location id: hub location id)"));
        List<OrderLine> lines = new ArrayList<>();
        for (JsonNode line : o.path("line_items")) {
            String uid = text(line, "uid");
            String variation = text(line, "catalog_object_id");
            String sku = variation == null ? "square-line:" + uid
                    : skus.apply(variation).orElse("square-variation:" + variation);
            lines.add(new OrderLine(uid, sku, wholeUnits(line.path("quantity").asText(null), id, uid),
                    money(line.path("base_price_money"), "line " + uid + " base_price_money"),
                    line.has("total_money") ? money(line.get("total_money"), "line " + uid + " total_money") : null));
        }
        if (lines.isEmpty()) {
            throw new MappingException("Square order " + id + " has no line_items");
        }
        List<Identifier> identifiers = new ArrayList<>();
        String customerId = text(o, "customer_id");
        if (customerId != null) {
            identifiers.add(new Identifier(IdentifierType.CHANNEL_CUSTOMER_ID, customerAccountId(settings, customerId)));
        }
        return new Order(connectionId + ":" + id, settings.channel(), id, status(o), requiredInstant(o, "created_at", "order " + id),
                hubLocation, hubLocation, null, identifiers, lines, money(o.path("total_money"), "order " + id + " total_money"),
                PlacedIn.STORE, o.hasNonNull("updated_at") ? requiredInstant(o, "updated_at", "order " + id) : null);
    }

    /**
     * Square's {@code state} (OPEN, COMPLETED, CANCELED, DRAFT; Square API Reference, "OrderState")
     * as one canonical status: a completed order is paid and handed over (fulfilled); an open one
     * with tenders is paid, without them placed.
     */
    static OrderStatus status(JsonNode o) {
        return switch (o.path("state").asText("")) {
            case "CANCELED" -> OrderStatus.CANCELLED;
            case "COMPLETED" -> OrderStatus.FULFILLED;
            default -> o.path("tenders").isArray() && !o.path("tenders").isEmpty() ? OrderStatus.PAID : OrderStatus.PLACED;
        };
    }

    /** A PaymentRefund (Square API Reference, "PaymentRefund") against its order. */
    static Refund refund(JsonNode r, SquareSettings settings, String connectionId) {
        String id = text(r, "id");
        String orderId = text(r, "order_id");
        if (id == null || orderId == null) {
            throw new MappingException("Square refund without id or order_id");
        }
        return new Refund(connectionId + ":" + id, connectionId + ":" + orderId, settings.channel(),
                money(r.path("amount_money"), "refund " + id + " amount_money"), List.of(),
                requiredInstant(r, "created_at", "refund " + id));
    }

    /**
     * A Square customer (Square API Reference, "Customer"): the account is {@code
     * square:<merchant>:<customer id>}, the same channel customer id its orders carry; email trimmed and
     * lower-cased when it is an address; the phone kept when it is international (E.164 once its
     * separators are removed: Square stores it as typed, e.g. "+1-212-555-4240"), never guessed
     * into a country; {@code reference_id} only when the connection says what it is. Names are not
     * identifiers and stay out.
     */
    static CustomerAccount customer(JsonNode c, SquareSettings settings) {
        String id = text(c, "id");
        if (id == null) {
            throw new MappingException("customer.created without data.object.customer.id");
        }
        List<Identifier> identifiers = new ArrayList<>();
        String email = text(c, "email_address");
        if (email != null) {
            String normalized = email.strip().toLowerCase(Locale.ROOT);
            if (EMAIL.matcher(normalized).matches()) {
                identifiers.add(new Identifier(IdentifierType.EMAIL, normalized));
            }
        }
        phone(text(c, "phone_number")).ifPresent(phone -> identifiers.add(new Identifier(IdentifierType.PHONE, phone)));
        String referenceId = text(c, "reference_id");
        if (referenceId != null && settings.referenceIdAs().isPresent()) {
            identifiers.add(new Identifier(IdentifierType.fromWireName(settings.referenceIdAs().get()), referenceId.strip()));
        }
        identifiers.add(new Identifier(IdentifierType.CHANNEL_CUSTOMER_ID, customerAccountId(settings, id)));
        return new CustomerAccount(customerAccountId(settings, id), settings.channel(), identifiers,
                c.hasNonNull("updated_at") ? requiredInstant(c, "updated_at", "customer " + id) : null);
    }

    static String customerAccountId(SquareSettings settings, String customerId) {
        return SquareConnector.NAME + ":" + settings.merchantId() + ":" + customerId;
    }

    static Optional<String> phone(String raw) {
        if (raw == null || !INTERNATIONAL_WITH_SEPARATORS.matcher(raw.strip()).matches()) {
            return Optional.empty();
        }
        String phone = "+" + raw.replaceAll("[^0-9]", "");
        return E164.matcher(phone).matches() ? Optional.of(phone) : Optional.empty();
    }

    /**
     * Square money: an integer amount in the currency's smallest unit (Square API Reference,
     * "Money"), e.g. 1250 USD is 12.50 and 1250 JPY is 1250.
     */
    static Money money(JsonNode m, String what) {
        if (!m.path("amount").canConvertToLong() || !m.path("amount").isIntegralNumber()) {
            throw new MappingException(what + ": amount must be an integer of the currency's smallest unit, got "
                    + m.path("amount"));
        }
        String code = m.path("currency").asText("");
        Currency currency;
        try {
            currency = Currency.getInstance(code);
        } catch (IllegalArgumentException e) {
            throw new MappingException(what + ": unknown currency '" + code + "'");
        }
        if (currency.getDefaultFractionDigits() < 0) {
            throw new MappingException(what + ": currency " + code + " has no minor unit");
        }
        return new Money(BigDecimal.valueOf(m.get("amount").asLong(), currency.getDefaultFractionDigits()), code);
    }

    /**
     * A line's {@code quantity}, a decimal string (Square API Reference, "OrderLineItem.quantity":
     * fractional for items sold by weight or measure), as whole units: the canonical order counts
     * whole units of a sku, so "2.5" is refused with the line named (the delivery is dead-lettered
     * with its payload) rather than rounded into a wrong stock movement.
     */
    static long wholeUnits(String quantity, String orderId, String lineUid) {
        BigDecimal q;
        try {
            q = new BigDecimal(quantity);
        } catch (NumberFormatException | NullPointerException e) {
            throw new MappingException("Square order " + orderId + " line " + lineUid + ": quantity '" + quantity
                    + "' is not a decimal");
        }
        if (q.signum() <= 0 || q.stripTrailingZeros().scale() > 0) {
            throw new MappingException("Square order " + orderId + " line " + lineUid + ": quantity " + quantity
                    + " is not a whole number of units (items sold by measure are not supported)");
        }
        return q.longValueExact();
    }

    private static CanonicalEvent event(String idPrefix, EventType type, URI source, CanonicalRecord record, Instant time) {
        return CanonicalEvent.of(idPrefix + "0", type, source, CanonicalJson.toTree(record), time);
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isValueNode() && !value.isNull() && !value.asText().isBlank() ? value.asText() : null;
    }

    private static Instant requiredInstant(JsonNode node, String field, String what) {
        String value = text(node, field);
        Instant parsed = instant(value, null);
        if (parsed == null) {
            throw new MappingException(what + ": " + field + " '" + value + "' is not an RFC 3339 time");
        }
        return parsed;
    }

    /** RFC 3339 as Square writes it ("2022-07-13T20:30:59.037339943Z", or with an offset). */
    static Instant instant(String value, Instant fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            return fallback;
        }
    }
}
