package dev.unison.connectors.shopify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.CanonicalValidationException;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.Cart;
import dev.unison.canonical.model.CustomerAccount;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.Item;
import dev.unison.canonical.model.Money;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.OrderStatus;
import dev.unison.canonical.model.PlacedIn;
import dev.unison.canonical.model.Refund;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.mapping.MappingException;
import dev.unison.connectors.kit.mapping.MappingLibrary;
import dev.unison.connectors.kit.spi.InboundDelivery;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Shopify mappings (mappings/shopify/*.jsonata) against payloads in Shopify's 2025-10 shape. */
class ShopifyInboundMapperTest {

    private final Connection connection = ShopifyTestSupport.connection("http://127.0.0.1:1");
    private final MappingLibrary mappings = ShopifyTestSupport.mappings();
    private final ShopifyInboundMapper mapper = new ShopifyInboundMapper();
    private final Map<String, String> refStore = new java.util.HashMap<>();
    private final dev.unison.connectors.kit.spi.ExternalRefs refs = new dev.unison.connectors.kit.spi.ExternalRefs() {
        @Override
        public void put(String connectionId, String kind, String key, String externalId) {
            refStore.put(connectionId + "/" + kind + "/" + key, externalId);
        }

        @Override
        public java.util.Optional<String> get(String connectionId, String kind, String key) {
            return java.util.Optional.ofNullable(refStore.get(connectionId + "/" + kind + "/" + key));
        }
    };

    // the shopify.dev orders/create sample's fields (64-bit ids, string money, offset times)
    private static final String ORDER = """
            {"id": 820982911946154508, "email": " Jon@Example.com ", "created_at": "2025-10-01T12:00:00-04:00",
             "currency": "USD", "total_price": "359.97", "financial_status": "pending", "fulfillment_status": null,
             "source_name": "web", "location_id": null, "phone": "+14155550100",
             "line_items": [
               {"id": 866550311766439020, "sku": "SKU2006-001", "variant_id": 808950810, "quantity": 1, "price": "199.99"},
               {"id": 141249953214522974, "sku": null, "variant_id": 49148385, "quantity": 2, "price": "79.99"}],
             "customer": {"id": 115310627314723954, "email": "john@example.com", "phone": null}}
            """;

    private List<CanonicalEvent> map(String topic, String json) {
        return mapper.map(new InboundDelivery("shop-main", "shopify", topic, "event:e-1", Map.of(),
                json.getBytes(StandardCharsets.UTF_8), Instant.parse("2025-10-01T16:00:01Z")), connection, mappings, refs);
    }

    @Test
    void anOrderCreateBecomesOneCanonicalOrderPlaced() {
        List<CanonicalEvent> events = map("orders/create", ORDER);

        assertThat(events).hasSize(1);
        CanonicalEvent event = events.get(0);
        assertThat(event.type()).isEqualTo(EventType.ORDER_PLACED);
        assertThat(event.id()).isEqualTo("shopify:shop-main:event:e-1:0");
        Order order = event.dataAs(Order.class);
        assertThat(order.externalId()).as("64-bit id, every digit").isEqualTo("820982911946154508");
        assertThat(order.id()).isEqualTo("shop-main:820982911946154508");
        assertThat(order.channel()).isEqualTo("shopify");
        assertThat(order.status()).isEqualTo(OrderStatus.PLACED);
        assertThat(order.placedAt()).isEqualTo(Instant.parse("2025-10-01T16:00:00Z"));
        assertThat(order.total()).isEqualTo(new Money(new BigDecimal("359.97"), "USD"));
        assertThat(order.lines()).extracting(l -> l.sku()).containsExactly("SKU2006-001", "shopify-variant:49148385");
        assertThat(order.lines().get(1).lineId()).isEqualTo("141249953214522974");
        assertThat(order.lines().get(1).unitPrice().amount()).isEqualByComparingTo("79.99");
        assertThat(order.identifiers()).containsExactly(
                new Identifier(IdentifierType.EMAIL, "jon@example.com"),
                new Identifier(IdentifierType.PHONE, "+14155550100"),
                new Identifier(IdentifierType.CHANNEL_CUSTOMER_ID, "shopify:demo-shop.myshopify.com:115310627314723954"));
    }

    @Test
    void aWebOrderIsOnlineAndItsVersionAndEventTimeAreTheSignedUpdatedAtNotTheHeader() {
        String updated = ORDER.replace("\"source_name\"", "\"updated_at\": \"2025-10-01T12:30:00-04:00\", \"source_name\"");
        CanonicalEvent event = mapper.map(new InboundDelivery("shop-main", "shopify", "orders/updated", "event:e-2",
                Map.of(ShopifyHeaders.TRIGGERED_AT, "2031-01-01T00:00:00Z"), updated.getBytes(StandardCharsets.UTF_8),
                Instant.parse("2031-01-01T00:00:01Z")), connection, mappings, refs).get(0);

        Order order = event.dataAs(Order.class);
        assertThat(order.placedIn()).isEqualTo(PlacedIn.ONLINE);
        assertThat(order.placedAtLocation()).isNull();
        assertThat(order.updatedAt()).isEqualTo(Instant.parse("2025-10-01T16:30:00Z"));
        assertThat(event.time()).as("the unsigned X-Shopify-Triggered-At does not make an old body look new")
                .isEqualTo(Instant.parse("2025-10-01T16:30:00Z"));
    }

    @Test
    void aShopifyPosOrderIsInStoreAtTheHubLocationItsShopifyLocationMapsTo() {
        Connection withStores = ShopifyTestSupport.connection("http://127.0.0.1:1", """
                      posLocations:
                        '64213017': STORE-7
                """);
        String pos = ORDER.replace("\"source_name\": \"web\", \"location_id\": null",
                "\"source_name\": \"pos\", \"location_id\": 64213017");

        Order order = mapper.map(delivery("orders/create", pos), withStores, mappings, refs).get(0).dataAs(Order.class);

        assertThat(order.placedIn()).isEqualTo(PlacedIn.STORE);
        assertThat(order.placedAtLocation()).isEqualTo("STORE-7");

        String elsewhere = pos.replace("64213017", "99");
        assertThatThrownBy(() -> mapper.map(delivery("orders/create", elsewhere), withStores, mappings, refs))
                .as("an unmapped store is refused, never taken as an online sale")
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("Shopify location 99").hasMessageContaining("posLocations");
        String noLocation = pos.replace("64213017", "null");
        assertThatThrownBy(() -> mapper.map(delivery("orders/create", noLocation), withStores, mappings, refs))
                .isInstanceOf(MappingException.class).hasMessageContaining("no location_id");
        assertThatThrownBy(() -> mapper.map(delivery("orders/create", pos), connection, mappings, refs))
                .as("a connection without posLocations maps no store").isInstanceOf(MappingException.class);
    }

    @Test
    void aFulfillmentsLocationIsWhereAnOnlineOrderIsFulfilledFrom() {
        Connection withStores = ShopifyTestSupport.connection("http://127.0.0.1:1", """
                      posLocations:
                        '64213017': STORE-7
                """);
        String fulfilled = ORDER.replace("\"source_name\": \"web\",", "\"source_name\": \"web\", \"fulfillments\": ["
                + "{\"id\": 1, \"status\": \"cancelled\", \"location_id\": 24826418},"
                + "{\"id\": 2, \"status\": \"success\", \"location_id\": 64213017}],");
        Order order = mapper.map(delivery("orders/updated", fulfilled), withStores, mappings, refs).get(0).dataAs(Order.class);
        assertThat(order.placedIn()).isEqualTo(PlacedIn.ONLINE);
        assertThat(order.fulfilledFromLocation()).as("the first fulfillment not cancelled").isEqualTo("STORE-7");

        String elsewhere = fulfilled.replace("64213017", "555");
        assertThat(mapper.map(delivery("orders/updated", elsewhere), withStores, mappings, refs).get(0).dataAs(Order.class)
                .fulfilledFromLocation()).as("an unmapped location: unknown, not an error").isNull();
        assertThat(mapper.map(delivery("orders/updated", ORDER), withStores, mappings, refs).get(0).dataAs(Order.class)
                .fulfilledFromLocation()).as("not fulfilled yet").isNull();
    }

    @Test
    void posLocationsMustMapNumericShopifyIdsToLocationIds() {
        assertThatThrownBy(() -> ShopifyTestSupport.connection("http://127.0.0.1:1", """
                      posLocations:
                        'store-7': STORE-7
                """)).hasMessageContaining("posLocations");
    }

    private static InboundDelivery delivery(String topic, String json) {
        return new InboundDelivery("shop-main", "shopify", topic, "event:e-3", Map.of(),
                json.getBytes(StandardCharsets.UTF_8), Instant.parse("2025-10-01T16:00:01Z"));
    }

    @Test
    void theSameDeliveryAlwaysMapsToTheSameEventIds() {
        assertThat(map("orders/create", ORDER)).isEqualTo(map("orders/create", ORDER));
    }

    @Test
    void paidAndUpdatedOrdersAreUpdates() {
        assertThat(map("orders/paid", ORDER).get(0).type()).isEqualTo(EventType.ORDER_UPDATED);
        assertThat(map("orders/paid", ORDER).get(0).dataAs(Order.class).status()).isEqualTo(OrderStatus.PAID);
        String cancelled = ORDER.replace("\"source_name\"", "\"cancelled_at\": \"2025-10-02T09:00:00Z\", \"source_name\"");
        assertThat(map("orders/updated", cancelled).get(0).dataAs(Order.class).status()).isEqualTo(OrderStatus.CANCELLED);
        String partlyRefunded = ORDER.replace("\"financial_status\": \"pending\"", "\"financial_status\": \"partially_refunded\"");
        assertThat(map("orders/updated", partlyRefunded).get(0).dataAs(Order.class).status())
                .as("a partial refund does not make a paid order look unpaid").isEqualTo(OrderStatus.PAID);
        String voided = ORDER.replace("\"financial_status\": \"pending\"", "\"financial_status\": \"voided\"");
        assertThat(map("orders/updated", voided).get(0).dataAs(Order.class).status()).isEqualTo(OrderStatus.CANCELLED);
    }

    @Test
    void aRefundCarriesItsSuccessfulRefundTransactions() {
        Refund refund = map("refunds/create", """
                {"id": 890088186047892319, "order_id": 820982911946154508, "created_at": "2025-10-03T10:00:00-04:00",
                 "refund_line_items": [{"id": 1, "line_item_id": 866550311766439020, "quantity": 1, "subtotal": 199.99,
                                        "line_item": {"sku": "SKU2006-001"}}],
                 "transactions": [{"kind": "refund", "status": "success", "amount": "199.99", "currency": "USD"},
                                  {"kind": "refund", "status": "failure", "amount": "5.00", "currency": "USD"}]}
                """).get(0).dataAs(Refund.class);

        assertThat(refund.orderId()).isEqualTo("shop-main:820982911946154508");
        assertThat(refund.amount()).isEqualTo(new Money(new BigDecimal("199.99"), "USD"));
        assertThat(refund.lines()).singleElement().satisfies(l -> assertThat(l.sku()).isEqualTo("SKU2006-001"));
    }

    @Test
    void aProductUpdateYieldsOneItemPerVariantWithASku() {
        List<CanonicalEvent> events = map("products/update", """
                {"id": 632910392, "title": "Trail shoe", "variants": [
                  {"id": 1, "sku": "TRAIL-SHOE-42", "title": "42", "barcode": "00012345678905", "inventory_item_id": 11},
                  {"id": 2, "sku": "TRAIL-SHOE-43", "title": "43", "barcode": "n/a", "inventory_item_id": 12},
                  {"id": 3, "sku": null, "title": "44", "inventory_item_id": 13}]}
                """);

        assertThat(events).extracting(e -> e.dataAs(Item.class)).containsExactly(
                new Item("TRAIL-SHOE-42", "00012345678905", "Trail shoe - 42"),
                new Item("TRAIL-SHOE-43", null, "Trail shoe - 43"));
        assertThat(events).extracting(CanonicalEvent::id).doesNotHaveDuplicates();
        assertThat(refStore).containsEntry("shop-main/inventory_item/TRAIL-SHOE-42", "gid://shopify/InventoryItem/11")
                .containsEntry("shop-main/inventory_item/TRAIL-SHOE-43", "gid://shopify/InventoryItem/12")
                .containsEntry("shop-main/variant/TRAIL-SHOE-42", "gid://shopify/Product/632910392 gid://shopify/ProductVariant/1")
                // the reverse, for recognising inventory_levels/update echoes
                .containsEntry("shop-main/inventory_item_sku/11", "TRAIL-SHOE-42")
                .containsEntry("shop-main/inventory_item_sku/12", "TRAIL-SHOE-43")
                .hasSize(6);
    }

    @Test
    void aCartIsKeyedByItsToken() {
        Cart cart = map("carts/update", """
                {"id": "eeafa272cebfd4b22385bc4b645e762c", "token": "eeafa272cebfd4b22385bc4b645e762c",
                 "created_at": "2025-10-01T12:00:00-04:00", "updated_at": "2025-10-01T12:05:00-04:00",
                 "line_items": [{"id": 1, "sku": "TRAIL-SHOE-42", "variant_id": 1, "quantity": 2, "price": "89.99"}]}
                """).get(0).dataAs(Cart.class);

        assertThat(cart.id()).isEqualTo("shopify:demo-shop.myshopify.com:eeafa272cebfd4b22385bc4b645e762c");
        assertThat(cart.lines()).singleElement().satisfies(l -> assertThat(l.quantity()).isEqualTo(2));
    }

    @Test
    void aCustomerBecomesACustomerAccountWithItsIdentifiers() {
        CustomerAccount account = map("customers/create", """
                {"id": 706405506930370084, "email": "Jane.Doe@Example.com ", "phone": "+14155550100",
                 "first_name": "Jane", "updated_at": "2025-10-01T12:00:00-04:00"}
                """).get(0).dataAs(CustomerAccount.class);

        assertThat(account.id()).isEqualTo("shopify:demo-shop.myshopify.com:706405506930370084");
        assertThat(account.identifiers()).extracting(i -> i.type().wireName() + ":" + i.value())
                .containsExactly("email:jane.doe@example.com", "phone:+14155550100");
        assertThat(account.updatedAt()).isEqualTo(Instant.parse("2025-10-01T16:00:00Z"));

        CustomerAccount partial = map("customers/update", "{\"id\": 7, \"email\": \"not an address\", \"phone\": \"415 555\"}")
                .get(0).dataAs(CustomerAccount.class);
        assertThat(partial.identifiers()).as("unusable values are left out, the record still counts").isEmpty();
    }

    @Test
    void topicsWithoutAMappingYieldNothing() {
        assertThat(map("inventory_levels/update", "{\"inventory_item_id\": 1, \"location_id\": 2, \"available\": 3}")).isEmpty();
    }

    @Test
    void aPayloadThatCannotBeMappedFailsNamingTheField() {
        assertThatThrownBy(() -> map("orders/create", "{\"id\": 1, \"created_at\": \"2025-10-01T12:00:00Z\", \"currency\": \"USD\"}"))
                .isInstanceOf(CanonicalValidationException.class)
                .hasMessageContaining("/lines");
    }
}
