package dev.unison.connectors.sfcc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.CustomerAccount;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.OrderStatus;
import dev.unison.canonical.model.PlacedIn;
import dev.unison.connectors.kit.mapping.MappingException;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.platform.testkit.MemoryConnectorContext;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SCAPI orders and customers (the Orders and Customers API's camelCase shape) to canonical records. */
class SfccMapperTest {

    // an order as the Orders API returns it (money as JSON numbers, a BOPIS shipment with SFRA's c_fromStoreId)
    static final String ORDER = """
            {"orderNo": "00001234", "status": "new", "exportStatus": "ready", "channelType": "storefront",
             "currency": "EUR", "paymentStatus": "paid", "shippingStatus": "not_shipped", "confirmationStatus": "confirmed",
             "creationDate": "2026-11-03T09:15:30.000Z", "lastModified": "2026-11-03T09:16:02.120Z",
             "customerInfo": {"customerId": "abJ3kLmN", "customerNo": "00042", "email": " Jane.Doe@Example.com "},
             "customerName": "Jane Doe",
             "billingAddress": {"firstName": "Jane", "lastName": "Doe", "phone": "+49 30 1234567", "countryCode": "DE"},
             "productItems": [
               {"itemId": "f3a1", "productId": "701642889812M", "productName": "Striped Shirt", "quantity": 2,
                "basePrice": 29.99, "price": 59.98, "priceAfterItemDiscount": 53.98, "shipmentId": "me"},
               {"itemId": "f3a2", "productId": "883360390507M", "productName": "Belt", "quantity": 3,
                "price": 10.00, "shipmentId": "me"}],
             "shipments": [{"shipmentId": "me", "shippingMethod": {"id": "005", "c_storePickupEnabled": true},
                            "c_fromStoreId": "store7"}],
             "productTotal": 63.98, "orderTotal": 63.98, "c_customFlag": true}
            """;

    static JsonNode json(String text) throws Exception {
        return SfccApi.EXACT.readTree(text);
    }

    static MemoryConnectorContext context(String... extra) {
        return SfccTesting.context("http://127.0.0.1:1", extra);
    }

    private static Order order(String json, String... extra) throws Exception {
        MemoryConnectorContext ctx = context(extra);
        SfccConnector connector = new SfccConnector();
        var delivery = new InboundDelivery(SfccTesting.CONNECTION, "sfcc", "order", ReadyOrders.orderKey(json(json)), Map.of(),
                json.getBytes(StandardCharsets.UTF_8), Instant.now());
        List<CanonicalEvent> events = connector.mapInbound(delivery, SfccTesting.connection(ctx), ctx);
        assertThat(events).hasSize(1);
        // validated against the canonical schema on the way in and again when read back
        CanonicalEvent event = CanonicalEvent.fromStructuredJson(events.get(0).toStructuredJson());
        assertThat(event.type()).isEqualTo(EventType.ORDER_PLACED);
        return event.dataAs(Order.class);
    }

    @Test
    void anOrderBecomesACanonicalOnlineOrderWithExactMoney() throws Exception {
        Order order = order(ORDER);

        assertThat(order.id()).isEqualTo("sfcc-test:00001234");
        assertThat(order.channel()).isEqualTo("sfcc");
        assertThat(order.externalId()).isEqualTo("00001234");
        assertThat(order.status()).isEqualTo(OrderStatus.PAID);
        assertThat(order.placedIn()).isEqualTo(PlacedIn.ONLINE);
        assertThat(order.placedAt()).isEqualTo(Instant.parse("2026-11-03T09:15:30Z"));
        assertThat(order.updatedAt()).isEqualTo(Instant.parse("2026-11-03T09:16:02.120Z"));
        assertThat(order.total().amount()).isEqualByComparingTo("63.98");
        assertThat(order.total().currency()).isEqualTo("EUR");
        assertThat(order.lines()).hasSize(2);
        assertThat(order.lines().get(0).sku()).isEqualTo("701642889812M");
        assertThat(order.lines().get(0).quantity()).isEqualTo(2);
        assertThat(order.lines().get(0).unitPrice().amount()).isEqualTo(new BigDecimal("29.99"));
        assertThat(order.lines().get(0).lineTotal().amount()).isEqualTo(new BigDecimal("53.98"));
        assertThat(order.lines().get(1).unitPrice().amount()).as("price / quantity without basePrice")
                .isEqualByComparingTo("3.333333");
        assertThat(order.identifiers()).containsExactly(new Identifier(IdentifierType.EMAIL, "jane.doe@example.com"),
                new Identifier(IdentifierType.PHONE, "+49301234567"),
                new Identifier(IdentifierType.CHANNEL_CUSTOMER_ID, "sfcc:refarch:00042"));
    }

    @Test
    void aPickupShipmentAtAMappedStoreIsWhereTheOrderIsFulfilledFrom() throws Exception {
        assertThat(order(ORDER, "storeLocations: {store7: STORE-7}").fulfilledFromLocation()).isEqualTo("STORE-7");
        assertThat(order(ORDER).fulfilledFromLocation()).as("an unmapped store: unknown").isNull();
        assertThat(order(ORDER, "storeLocations: {store7: STORE-7}", "pickupStoreAttribute: c_storeId").fulfilledFromLocation())
                .as("another attribute names the store").isNull();
        assertThat(order(ORDER, "storeLocations: {store7: STORE-7}").placedIn()).isEqualTo(PlacedIn.ONLINE);
        String onTheItem = ORDER.replace("\"c_fromStoreId\": \"store7\"", "\"c_other\": 1")
                .replace("\"priceAfterItemDiscount\": 53.98,", "\"priceAfterItemDiscount\": 53.98, \"c_fromStoreId\": \"store7\",");
        assertThat(order(onTheItem, "storeLocations: {store7: STORE-7}").fulfilledFromLocation())
                .as("SFRA's BOPIS: the store on the product item").isEqualTo("STORE-7");
    }

    @Test
    void anOrderAStoreAssociatePlacedIsPlacedInTheStoreItNames() throws Exception {
        String inStore = ORDER.replace("\"channelType\": \"storefront\"", "\"channelType\": \"store\"");
        assertThat(inStore).isNotEqualTo(ORDER);
        Order order = order(inStore, "storeLocations: {store7: STORE-7}");
        assertThat(order.placedIn()).isEqualTo(PlacedIn.STORE);
        assertThat(order.placedAtLocation()).isEqualTo("STORE-7");
        assertThat(order(inStore).placedAtLocation()).as("an unmapped store: in a store, which one unknown").isNull();
        assertThat(order(inStore).placedIn()).isEqualTo(PlacedIn.STORE);
        assertThat(order(ORDER.replace("\"channelType\": \"storefront\"", "\"channelType\": \"callcenter\"")).placedIn())
                .isEqualTo(PlacedIn.ONLINE);
    }

    @Test
    void statusesMapToOneCanonicalState() throws Exception {
        assertThat(SfccMapper.status(json("{\"status\":\"cancelled\",\"paymentStatus\":\"paid\"}"))).isEqualTo(OrderStatus.CANCELLED);
        assertThat(SfccMapper.status(json("{\"status\":\"failed\"}"))).isEqualTo(OrderStatus.CANCELLED);
        assertThat(SfccMapper.status(json("{\"status\":\"completed\",\"paymentStatus\":\"paid\",\"shippingStatus\":\"shipped\"}")))
                .isEqualTo(OrderStatus.FULFILLED);
        assertThat(SfccMapper.status(json("{\"status\":\"new\",\"paymentStatus\":\"not_paid\"}"))).isEqualTo(OrderStatus.PLACED);
    }

    @Test
    void theStateKeyIgnoresTheExportStatusAndLastModifiedButNotTheStatus() throws Exception {
        String exported = ORDER.replace("\"exportStatus\": \"ready\"", "\"exportStatus\": \"exported\"")
                .replace("09:16:02.120Z", "09:20:00.000Z");
        String cancelled = ORDER.replace("\"status\": \"new\"", "\"status\": \"cancelled\"");
        assertThat(ReadyOrders.orderKey(json(exported))).isEqualTo(ReadyOrders.orderKey(json(ORDER)));
        assertThat(ReadyOrders.orderKey(json(cancelled))).isNotEqualTo(ReadyOrders.orderKey(json(ORDER)));
    }

    @Test
    void anOrderWithoutItemsOrCurrencyCannotBeMapped() {
        assertThatThrownBy(() -> order(ORDER.replace("\"currency\": \"EUR\"", "\"currency\": null")))
                .isInstanceOf(MappingException.class).hasMessageContaining("currency");
        assertThatThrownBy(() -> SfccMapper.order(json("{\"orderNo\":\"1\",\"currency\":\"USD\",\"productItems\":[]}"),
                SfccSettings.of(SfccTesting.connection(context())), "c"))
                .isInstanceOf(MappingException.class).hasMessageContaining("no product items");
    }

    @Test
    void aCustomerBecomesAnAccountWithItsEmailAndE164Phones() throws Exception {
        CustomerAccount account = SfccMapper.customer(json("""
                {"customerId": "abcd", "customerNo": "00042", "email": "JANE@example.com ", "login": "jane",
                 "phoneHome": "555-0100", "phoneMobile": "+1 415 555 0199", "lastModified": "2026-11-01T10:00:00.000Z"}
                """), SfccSettings.of(SfccTesting.connection(context("customerListId: RefArch"))));

        assertThat(account.id()).isEqualTo("sfcc:refarch:00042");
        assertThat(account.channel()).isEqualTo("sfcc");
        assertThat(account.identifiers()).containsExactly(new Identifier(IdentifierType.EMAIL, "jane@example.com"),
                new Identifier(IdentifierType.PHONE, "+14155550199"));
        assertThat(account.updatedAt()).isEqualTo(Instant.parse("2026-11-01T10:00:00Z"));
    }

    @Test
    void theCursorOfReadyOrdersRoundTripsAndAnOlderOneStartsFromTheFront() {
        ReadyOrders.Position at = new ReadyOrders.Position("k3-9f", 1200, 340);
        assertThat(ReadyOrders.Position.parse(at.format())).isEqualTo(at);
        ReadyOrders.Position front = new ReadyOrders.Position("", 0, 0);
        assertThat(ReadyOrders.Position.parse("v1;e=00001,f=A%2CB%3D1")).as("an older hub's cursor").isEqualTo(front);
        assertThat(ReadyOrders.Position.parse("")).isEqualTo(front);
        assertThat(ReadyOrders.Position.parse("v2;p;x;1")).as("garbled").isEqualTo(front);
    }
}
