package dev.unison.connectors.sfcc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.model.CustomerAccount;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.Money;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.OrderLine;
import dev.unison.canonical.model.OrderStatus;
import dev.unison.canonical.model.PlacedIn;
import dev.unison.connectors.kit.mapping.MappingException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * SCAPI orders and customers (camelCase, "Orders API" / "Customers API" references) to canonical
 * records. In Java rather than JSONata: SCAPI sends money as JSON numbers ({@code "orderTotal": 61.98})
 * and JSONata reads every number as a double; read with {@link SfccApi#EXACT} they stay exact
 * {@link BigDecimal}s here, and the unit price derived from a line's price and quantity is divided
 * exactly. (The kit's other connectors get money as strings and map in JSONata.)
 *
 * <p>Order fields used: {@code orderNo, status, paymentStatus, shippingStatus, currency,
 * customerInfo{customerNo, email}, billingAddress{phone}, productItems[{itemId, productId, quantity,
 * basePrice, grossPrice (netPrice when taxation is net; else price), priceAfterItemDiscount}], shipments[{shipmentId, <pickupStoreAttribute>}],
 * orderTotal, creationDate, lastModified}.
 */
final class SfccMapper {

    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+$");
    private static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{6,14}$");

    private SfccMapper() {
    }

    /**
     * The canonical order. An online order (SFCC's storefront, call centre or marketplace channels);
     * a shipment picked up in a store (BOPIS) names the store in the connection's
     * {@code pickupStoreAttribute} and the order is fulfilled from that store's hub location.
     */
    static Order order(JsonNode o, SfccSettings settings, String connectionId) {
        String orderNo = text(o, "orderNo");
        if (orderNo == null) {
            throw new MappingException("SFCC order without orderNo");
        }
        String currency = text(o, "currency");
        if (currency == null || !currency.matches("^[A-Z]{3}$")) {
            throw new MappingException("SFCC order " + orderNo + " has no ISO currency (currency: " + currency + ")");
        }
        List<OrderLine> lines = new ArrayList<>();
        for (JsonNode item : o.path("productItems")) {
            String productId = text(item, "productId");
            long quantity = item.path("quantity").asLong(0);
            if (productId == null || quantity < 1) {
                throw new MappingException("SFCC order " + orderNo + ": product item " + text(item, "itemId")
                        + " without productId or a positive quantity");
            }
            // the Orders API's ProductItem has grossPrice/netPrice (no "price": that is the Shopper Baskets' shape);
            // "price" is still read last, for an order passed through from elsewhere
            BigDecimal price = decimal(item, "net".equals(text(o, "taxation")) && item.hasNonNull("netPrice") ? "netPrice"
                    : item.hasNonNull("grossPrice") ? "grossPrice" : "price");
            BigDecimal unit = item.hasNonNull("basePrice") ? decimal(item, "basePrice")
                    : price == null ? null : price.divide(BigDecimal.valueOf(quantity), 6, RoundingMode.HALF_EVEN).stripTrailingZeros();
            if (unit == null) {
                throw new MappingException("SFCC order " + orderNo + ": product item " + productId + " without a price");
            }
            BigDecimal lineTotal = item.hasNonNull("priceAfterItemDiscount") ? decimal(item, "priceAfterItemDiscount") : price;
            String itemId = text(item, "itemId");
            lines.add(new OrderLine(itemId != null ? itemId : orderNo + "-" + lines.size(), productId, quantity,
                    money(unit, currency), lineTotal == null ? null : money(lineTotal, currency)));
        }
        if (lines.isEmpty()) {
            throw new MappingException("SFCC order " + orderNo + " has no product items");
        }
        BigDecimal total = decimal(o, "orderTotal");
        if (total == null) {
            throw new MappingException("SFCC order " + orderNo + " has no orderTotal");
        }
        List<Identifier> identifiers = new ArrayList<>();
        email(text(o.path("customerInfo"), "email")).ifPresent(identifiers::add);
        phone(text(o.path("billingAddress"), "phone")).ifPresent(identifiers::add);
        String customerNo = text(o.path("customerInfo"), "customerNo");
        if (customerNo != null) {
            identifiers.add(new Identifier(IdentifierType.CHANNEL_CUSTOMER_ID, customerId(settings, customerNo)));
        }
        String store = pickupLocation(o, settings);
        PlacedIn placedIn = placedIn(o);
        return new Order(connectionId + ":" + orderNo, settings.channel(), orderNo, status(o), instant(o, "creationDate", orderNo),
                placedIn == PlacedIn.STORE ? store : null, store, null, identifiers, lines, money(total, currency), placedIn,
                o.hasNonNull("lastModified") ? instant(o, "lastModified", orderNo) : null);
    }

    /**
     * "Orders API", {@code Order.channelType}: {@code store} is an order a store associate placed in a
     * store (endless aisle); every other type (storefront, callcenter, marketplace, the social
     * channels, ...) was placed online. The store is the one the order names (as for a pickup), when
     * {@code storeLocations} maps it.
     */
    static PlacedIn placedIn(JsonNode o) {
        return "store".equals(text(o, "channelType")) ? PlacedIn.STORE : PlacedIn.ONLINE;
    }

    /**
     * The hub location of the first pickup store the connection maps; null otherwise. PWA Kit's store
     * pickup puts the store on the shipment ({@code c_fromStoreId}; a shipment without it is a
     * delivery), SFRA's BOPIS cartridge on the product item: shipments first, then items.
     */
    static String pickupLocation(JsonNode o, SfccSettings settings) {
        for (String list : List.of("shipments", "productItems")) {
            for (JsonNode node : o.path(list)) {
                String store = text(node, settings.pickupStoreAttribute());
                if (store != null && settings.storeLocations().containsKey(store)) {
                    return settings.storeLocations().get(store);
                }
            }
        }
        return null;
    }

    /**
     * SFCC's order status ({@code created, new, open, completed, cancelled, replaced, failed}) with its
     * payment ({@code not_paid, part_paid, paid}) and shipping ({@code not_shipped, part_shipped,
     * shipped}) statuses, as one canonical state.
     */
    static OrderStatus status(JsonNode o) {
        String status = lower(text(o, "status"));
        if (status.equals("cancelled") || status.equals("failed")) {
            return OrderStatus.CANCELLED;
        }
        if (lower(text(o, "shippingStatus")).equals("shipped")) {
            return OrderStatus.FULFILLED;
        }
        if (lower(text(o, "paymentStatus")).equals("paid")) {
            return OrderStatus.PAID;
        }
        return OrderStatus.PLACED;
    }

    /**
     * A customer of a customer list ("Customers API", customer search hits): the account is
     * {@code sfcc:<list>:<customerNo>}, the same channel customer id its orders carry; email trimmed
     * and lower-cased, phones kept only in E.164 (the hub normalizes again before matching).
     */
    static CustomerAccount customer(JsonNode c, SfccSettings settings) {
        String customerNo = text(c, "customerNo");
        if (customerNo == null) {
            throw new MappingException("SFCC customer without customerNo");
        }
        List<Identifier> identifiers = new ArrayList<>();
        email(text(c, "email")).ifPresent(identifiers::add);
        for (String field : List.of("phoneMobile", "phoneHome", "phoneBusiness")) {
            phone(text(c, field)).filter(p -> !identifiers.contains(p)).ifPresent(identifiers::add);
        }
        return new CustomerAccount(customerId(settings, customerNo), settings.channel(), identifiers,
                c.hasNonNull("lastModified") ? instant(c, "lastModified", customerNo) : null);
    }

    static String customerId(SfccSettings settings, String customerNo) {
        return "sfcc:" + settings.customerNamespace() + ":" + customerNo;
    }

    /**
     * The version of an order's canonical state: status, payment and shipping status, total and
     * items. Not {@code lastModified}: setting the export status modifies the order, and that must
     * not read as a change of the order.
     */
    static String stateDigest(JsonNode o) {
        StringBuilder state = new StringBuilder();
        state.append(text(o, "status")).append('|').append(text(o, "paymentStatus")).append('|').append(text(o, "shippingStatus"))
                .append('|').append(o.path("orderTotal").asText()).append('|');
        o.path("productItems").forEach(i -> state.append(i.path("productId").asText()).append('x')
                .append(i.path("quantity").asText()).append(';'));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(state.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static java.util.Optional<Identifier> email(String raw) {
        if (raw == null) {
            return java.util.Optional.empty();
        }
        String email = raw.trim().toLowerCase(Locale.ROOT);
        return EMAIL.matcher(email).matches() ? java.util.Optional.of(new Identifier(IdentifierType.EMAIL, email))
                : java.util.Optional.empty();
    }

    private static java.util.Optional<Identifier> phone(String raw) {
        if (raw == null) {
            return java.util.Optional.empty();
        }
        String phone = raw.replaceAll("[\\s().-]", "");
        return E164.matcher(phone).matches() ? java.util.Optional.of(new Identifier(IdentifierType.PHONE, phone))
                : java.util.Optional.empty();
    }

    /**
     * SCAPI's amounts are JSON numbers, which carry no scale ({@code 49.00} arrives as {@code 49}):
     * exact, and written with at least the currency's minor digits ({@code 49.00} USD, {@code 49}
     * JPY) like every other channel's amounts; more digits (a derived unit price) are kept.
     */
    private static Money money(BigDecimal amount, String currency) {
        int digits;
        try {
            digits = java.util.Currency.getInstance(currency).getDefaultFractionDigits();
        } catch (IllegalArgumentException unknown) {
            digits = 0;
        }
        int scale = Math.max(0, digits);
        return new Money(amount.scale() < scale ? amount.setScale(scale) : amount, currency);
    }

    private static BigDecimal decimal(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isNumber()) {
            return value.decimalValue();
        }
        try {
            return new BigDecimal(value.asText());
        } catch (NumberFormatException e) {
            throw new MappingException(field + " is not a number: " + value);
        }
    }

    private static Instant instant(JsonNode node, String field, String what) {
        try {
            return Instant.parse(node.path(field).asText());
        } catch (DateTimeParseException e) {
            throw new MappingException(what + ": " + field + " is not an ISO instant: " + node.path(field).asText());
        }
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText();
    }

    private static String lower(String value) {
        return value == null ? "" : value.toLowerCase(Locale.ROOT);
    }
}
