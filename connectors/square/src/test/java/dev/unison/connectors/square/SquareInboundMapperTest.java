package dev.unison.connectors.square;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.model.StockCount;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.http.ConnectionCircuitBreakers;
import dev.unison.connectors.kit.mapping.MappingException;
import dev.unison.connectors.kit.spi.InboundDelivery;
import dev.unison.connectors.kit.spi.RetryLaterException;
import dev.unison.connectors.square.simulator.SquareSimulator;
import dev.unison.connectors.square.simulator.SquareSimulator.Line;
import dev.unison.platform.testkit.MemoryConnectorContext;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Square notifications, in the shapes of the Square API Reference, to canonical events: orders read
 * from the (simulated) Orders API, money from minor units, decimal quantities, refunds, customers,
 * inventory counts.
 */
class SquareInboundMapperTest {

    private SquareSimulator square;
    private MemoryConnectorContext context;
    private Connection connection;
    private SquareApi api;
    private final SquareInboundMapper mapper = new SquareInboundMapper();

    @BeforeEach
    void start() {
        square = SquareTestSupport.simulator();
        useSettings("");
    }

    private void useSettings(String extra) {
        context = SquareTestSupport.context(square.baseUrl(), extra);
        connection = context.connections.get(0);
        api = new SquareApi(connection, HttpClient.newHttpClient(), ConnectionCircuitBreakers.defaults().forConnection("t"),
                context, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        square.close();
    }

    private List<CanonicalEvent> map(SquareSimulator.Notification n) {
        InboundDelivery delivery = new InboundDelivery(connection.id(), SquareConnector.NAME, n.type(), "event:" + n.eventId(),
                Map.of(), n.body(), Instant.now());
        return mapper.map(delivery, connection, context, c -> api);
    }

    @Test
    void aPosSaleIsReadFromTheOrdersApiAndPlacedAtTheMappedStore() {
        String tee = square.newVariation("Tee, black, M", "TEE-BLK-M", 2500);
        String mug = square.newVariation("Mug", null, 1299); // a variation without a sku
        ObjectNode order = square.newOrder(SquareSimulator.STORE_LOCATION_ID, "COMPLETED", "JDKYHBWT1D4F8MFH63DBMEN8Y4",
                new Line(tee, "2", 2500), new Line(mug, "1", 1299), new Line(null, "1", 350));
        SquareSimulator.Notification n = square.orderNotification("order.created", order);

        List<CanonicalEvent> events = map(n);

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventType.ORDER_PLACED);
            assertThat(e.id()).isEqualTo("square:pos-main:event:" + n.eventId() + ":0");
            JsonNode o = e.data();
            assertThat(o.get("id").asText()).isEqualTo("pos-main:" + order.get("id").asText());
            assertThat(o.get("externalId").asText()).isEqualTo(order.get("id").asText());
            assertThat(o.get("channel").asText()).isEqualTo("square");
            assertThat(o.get("status").asText()).isEqualTo("fulfilled");
            assertThat(o.get("placedIn").asText()).isEqualTo("store");
            assertThat(o.get("placedAtLocation").asText()).isEqualTo("STORE-1");
            assertThat(o.get("fulfilledFromLocation").asText()).isEqualTo("STORE-1");
            assertThat(o.get("lines")).hasSize(3);
            assertThat(o.get("lines").get(0).get("sku").asText()).isEqualTo("TEE-BLK-M");
            assertThat(o.get("lines").get(0).get("quantity").asLong()).isEqualTo(2);
            assertThat(o.get("lines").get(0).get("unitPrice").get("amount").asText()).isEqualTo("25.00");
            assertThat(o.get("lines").get(0).get("lineTotal").get("amount").asText()).isEqualTo("50.00");
            assertThat(o.get("lines").get(1).get("sku").asText()).isEqualTo("square-variation:" + mug);
            assertThat(o.get("lines").get(2).get("sku").asText()).startsWith("square-line:");
            assertThat(o.get("total").get("amount").asText()).isEqualTo("66.49");
            assertThat(o.get("total").get("currency").asText()).isEqualTo("USD");
            assertThat(o.get("identifiers").get(0).get("type").asText()).isEqualTo("channel_customer_id");
            assertThat(o.get("identifiers").get(0).get("value").asText()).isEqualTo("square:MLEFBHHSJGVHD:JDKYHBWT1D4F8MFH63DBMEN8Y4");
        });
        // each variation's sku is read once from the Catalog API and remembered, "no sku" too
        map(n);
        assertThat(square.receivedOn("GET", "/v2/catalog/object/.*")).hasSize(2);
        assertThat(context.refs).containsValue("TEE-BLK-M");
    }

    @Test
    void aPointOfSaleSaleArrivesAsItsCompletedPaymentAndItsOrderIsRead() {
        String tee = square.newVariation("Tee", "TEE-1", 2500);
        ObjectNode order = square.newOrder(SquareSimulator.STORE_LOCATION_ID, "COMPLETED", null, new Line(tee, "3", 2500));

        assertThat(map(square.paymentUpdated(order, "APPROVED"))).isEmpty();
        List<CanonicalEvent> events = map(square.paymentUpdated(order, "COMPLETED"));

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventType.ORDER_UPDATED);
            assertThat(e.data().get("id").asText()).isEqualTo("pos-main:" + order.get("id").asText());
            assertThat(e.data().get("placedAtLocation").asText()).isEqualTo("STORE-1");
            assertThat(e.data().get("lines").get(0).get("quantity").asLong()).isEqualTo(3);
            assertThat(e.data().get("total").get("amount").asText()).isEqualTo("75.00");
        });
        assertThat(context.counters).containsEntry("notification/payment_not_completed", 1L);
    }

    @Test
    void anOrderUpdateReadsTheCurrentStateAndACancelledOrderSaysSo() {
        String tee = square.newVariation("Tee", "TEE-1", 2500);
        ObjectNode order = square.newOrder(SquareSimulator.STORE_LOCATION_ID, "OPEN", null, new Line(tee, "1", 2500));
        ObjectNode cancelled = square.setOrderState(order.get("id").asText(), "CANCELED");

        List<CanonicalEvent> events = map(square.orderNotification("order.updated", cancelled));

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventType.ORDER_UPDATED);
            assertThat(e.data().get("status").asText()).isEqualTo("cancelled");
            assertThat(e.data().get("updatedAt").asText()).isEqualTo(Instant.parse(cancelled.get("updated_at").asText()).toString());
        });
    }

    @Test
    void aReadOlderThanTheNotifiedVersionIsMappedAgainLater() {
        String tee = square.newVariation("Tee", "TEE-1", 2500);
        ObjectNode order = square.newOrder(SquareSimulator.STORE_LOCATION_ID, "OPEN", null, new Line(tee, "1", 2500));
        order.put("version", 3); // the notification is about version 3; RetrieveOrder still answers version 1

        assertThatThrownBy(() -> map(square.orderNotification("order.updated", order)))
                .isInstanceOf(RetryLaterException.class).hasMessageContaining("version 1").hasMessageContaining("version 3");
    }

    @Test
    void aDraftOrderIsNoSaleYet() {
        String tee = square.newVariation("Tee", "TEE-1", 2500);
        ObjectNode order = square.newOrder(SquareSimulator.STORE_LOCATION_ID, "DRAFT", null, new Line(tee, "1", 2500));
        assertThat(map(square.orderNotification("order.created", order))).isEmpty();
    }

    @Test
    void anOrderOfAnUnmappedLocationIsRefusedNamingTheSetting() {
        String tee = square.newVariation("Tee", "TEE-1", 2500);
        ObjectNode order = square.newOrder(SquareSimulator.WAREHOUSE_LOCATION_ID, "COMPLETED", null, new Line(tee, "1", 2500));

        assertThatThrownBy(() -> map(square.orderNotification("order.created", order)))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining(SquareSimulator.WAREHOUSE_LOCATION_ID).hasMessageContaining("settings.locations");
    }

    @Test
    void aLineSoldByWeightIsRefusedNamingItRatherThanRounded() {
        String cheese = square.newVariation("Comté, per kg", "CHEESE-KG", 3200);
        ObjectNode order = square.newOrder(SquareSimulator.STORE_LOCATION_ID, "COMPLETED", null, new Line(cheese, "0.375", 3200));

        assertThatThrownBy(() -> map(square.orderNotification("order.created", order)))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining(order.get("line_items").get(0).get("uid").asText())
                .hasMessageContaining("0.375").hasMessageContaining("whole number");
    }

    @Test
    void wholeQuantitiesWrittenAsDecimalsAreWholeUnits() {
        assertThat(SquareInboundMapper.wholeUnits("3", "O", "L")).isEqualTo(3);
        assertThat(SquareInboundMapper.wholeUnits("3.000", "O", "L")).isEqualTo(3);
        assertThatThrownBy(() -> SquareInboundMapper.wholeUnits("2.5", "O", "L")).isInstanceOf(MappingException.class);
        assertThatThrownBy(() -> SquareInboundMapper.wholeUnits("0", "O", "L")).isInstanceOf(MappingException.class);
        assertThatThrownBy(() -> SquareInboundMapper.wholeUnits("two", "O", "L")).isInstanceOf(MappingException.class);
    }

    @Test
    void anOrderNotificationWithoutAnOrderIdCannotBeMapped() {
        SquareSimulator.Notification n = square.notification("order.created", "order", "X",
                CanonicalJson.parse("{\"order_created\":{\"location_id\":\"" + SquareSimulator.STORE_LOCATION_ID + "\"}}"));
        assertThatThrownBy(() -> map(n)).isInstanceOf(MappingException.class).hasMessageContaining("order_id");
    }

    @Test
    void aRefundIsMoneyBackAgainstItsOrderInMinorUnitsMadeExact() {
        List<CanonicalEvent> events = map(square.refundCreated("haOyDuHiqtAXMk0d8pDKXpL7Jg4F", 1250, "USD"));

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventType.REFUND_CREATED);
            assertThat(e.data().get("orderId").asText()).isEqualTo("pos-main:haOyDuHiqtAXMk0d8pDKXpL7Jg4F");
            assertThat(e.data().get("id").asText()).startsWith("pos-main:");
            assertThat(e.data().get("amount").get("amount").asText()).isEqualTo("12.50");
            assertThat(e.data().get("channel").asText()).isEqualTo("square");
        });
        // currencies without minor units stay whole
        assertThat(map(square.refundCreated("ORDERJP", 1250, "JPY")).get(0).data().get("amount").get("amount").asText())
                .isEqualTo("1250");
    }

    @Test
    void aRejectedRefundReturnedNoMoneyAndPublishesNothing() {
        SquareSimulator.Notification pending = square.refundCreated("ORDER1", 500, "USD");
        SquareSimulator.Notification rejected = new SquareSimulator.Notification(pending.type(), pending.eventId(),
                pending.bodyText().replace("\"PENDING\"", "\"REJECTED\"").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(map(rejected)).isEmpty();
        assertThat(context.counters).containsEntry("notification/refund_not_made", 1L);
    }

    private ObjectNode customer() {
        return (ObjectNode) CanonicalJson.parse("""
                {"id": "JDKYHBWT1D4F8MFH63DBMEN8Y4", "created_at": "2026-02-27T09:14:03.118Z",
                 "updated_at": "2026-02-27T09:14:03Z", "given_name": "Amelia", "family_name": "Earhart",
                 "email_address": "  Amelia.Earhart@Example.COM ", "phone_number": "+1-212-555-4240",
                 "reference_id": "LOY-0042", "creation_source": "THIRD_PARTY", "version": 0,
                 "preferences": {"email_unsubscribed": false}}
                """);
    }

    @Test
    void aCustomerBecomesAnAccountWithNormalisedEmailAndPhone() {
        List<CanonicalEvent> events = map(square.customerCreated(customer()));

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventType.CUSTOMER_UPSERTED);
            assertThat(e.data().get("id").asText()).isEqualTo("square:MLEFBHHSJGVHD:JDKYHBWT1D4F8MFH63DBMEN8Y4");
            assertThat(e.data().get("channel").asText()).isEqualTo("square");
            assertThat(e.data().get("updatedAt").asText()).isEqualTo("2026-02-27T09:14:03Z");
            assertThat(e.data().get("identifiers").toString())
                    .contains("{\"type\":\"email\",\"value\":\"amelia.earhart@example.com\"}")
                    .contains("{\"type\":\"phone\",\"value\":\"+12125554240\"}")
                    .contains("{\"type\":\"channel_customer_id\",\"value\":\"square:MLEFBHHSJGVHD:JDKYHBWT1D4F8MFH63DBMEN8Y4\"}")
                    .doesNotContain("LOY-0042").doesNotContain("Amelia\"");
        });
    }

    @Test
    void aReferenceIdIsALoyaltyIdOnlyWhenTheConnectionSaysSoAndALocalPhoneIsNotGuessed() {
        useSettings("      referenceIdAs: loyalty_id\n");
        ObjectNode customer = customer().put("phone_number", "(212) 555-4240");

        JsonNode identifiers = map(square.customerCreated(customer)).get(0).data().get("identifiers");

        assertThat(identifiers.toString()).contains("{\"type\":\"loyalty_id\",\"value\":\"LOY-0042\"}")
                .doesNotContain("\"phone\"");
    }

    @Test
    void inventoryCountsInWholeUnitsBecomeStockCountsAndAFractionalOneIsDeadLetteredNotRounded() {
        String cheese = square.newVariation("Comté, per kg", "CHEESE-KG", 3200);
        String tee = square.newVariation("Tee", "TEE-1", 2500);
        Instant t = Instant.parse("2026-03-01T10:15:00Z");
        SquareSimulator.Notification n = square.inventoryCountUpdated(List.of(
                SquareSimulator.inventoryCount(cheese, SquareSimulator.STORE_LOCATION_ID, "IN_STOCK", "2.5", t),
                SquareSimulator.inventoryCount(tee, SquareSimulator.STORE_LOCATION_ID, "IN_STOCK", "10", t),
                SquareSimulator.inventoryCount(tee, SquareSimulator.WAREHOUSE_LOCATION_ID, "IN_STOCK", "40", t),
                SquareSimulator.inventoryCount(tee, SquareSimulator.STORE_LOCATION_ID, "SOLD", "1", t)));

        List<CanonicalEvent> events = map(n);

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventType.INVENTORY_COUNTED);
            StockCount count = e.dataAs(StockCount.class);
            assertThat(count.sku()).isEqualTo("TEE-1");
            assertThat(count.locationId()).isEqualTo("STORE-1");
            assertThat(count.quantity()).isEqualTo(10);
            assertThat(count.countedAt()).isEqualTo(t);
            assertThat(count.countId()).isEqualTo("square:pos-main:STORE-1:TEE-1:" + t);
        });
        assertThat(context.deadLetters).singleElement().satisfies(d -> {
            assertThat(d.key()).isEqualTo("STORE-1/CHEESE-KG");
            assertThat(d.reason()).contains("2.5").contains("whole units");
        });
        assertThat(context.refs).containsEntry("pos-main/" + SquareInventoryCounts.LAST_COUNT + "/STORE-1/CHEESE-KG",
                "2.5 2026-03-01T10:15:00Z");
        assertThat(context.refs).containsEntry("pos-main/" + SquareInventoryCounts.LAST_COUNT + "/STORE-1/TEE-1",
                "10 2026-03-01T10:15:00Z");
        assertThat(context.counters).containsEntry("inventory_count/recorded", 2L)
                .containsEntry("inventory_count/other_location", 1L).containsEntry("inventory_count/other_state", 1L);

        // an older count arriving late changes nothing: counts are absolute
        SquareInventoryCounts.Outcome late = SquareInventoryCounts.record(List.of(new SquareInventoryCounts.Count(tee,
                "ITEM_VARIATION", "IN_STOCK", SquareSimulator.STORE_LOCATION_ID, new java.math.BigDecimal("7"),
                t.minusSeconds(60))), connection, context, c -> api).get(0);
        assertThat(late.outcome()).isEqualTo("superseded");
        assertThat(SquareInventoryCounts.stockCount(late, connection, context)).isEmpty();
        // the same notification mapped again (a crash before its events were recorded): the same counts, by the same id
        assertThat(map(n)).singleElement().satisfies(e -> assertThat(e.dataAs(StockCount.class).countId())
                .isEqualTo("square:pos-main:STORE-1:TEE-1:" + t));
        assertThat(context.refs).containsEntry("pos-main/" + SquareInventoryCounts.LAST_COUNT + "/STORE-1/TEE-1",
                "10 2026-03-01T10:15:00Z");
    }

    @Test
    void aNegativeCountIsACountOfZero() {
        String tee = square.newVariation("Tee", "TEE-9", 2500);
        Instant t = Instant.parse("2026-03-01T11:00:00Z");
        List<CanonicalEvent> events = map(square.inventoryCountUpdated(List.of(
                SquareSimulator.inventoryCount(tee, SquareSimulator.STORE_LOCATION_ID, "IN_STOCK", "-3", t))));
        assertThat(events).singleElement().satisfies(e -> assertThat(e.dataAs(StockCount.class).quantity()).isZero());
        assertThat(context.counters).containsEntry("inventory_count/negative_as_zero", 1L);
        assertThat(context.deadLetters).isEmpty();
    }

    @Test
    void aCountWhoseQuantityIsNoDecimalCannotBeMapped() {
        SquareSimulator.Notification n = square.inventoryCountUpdated(List.of(SquareSimulator.inventoryCount("V1",
                SquareSimulator.STORE_LOCATION_ID, "IN_STOCK", "lots", Instant.now())));
        assertThatThrownBy(() -> map(n)).isInstanceOf(MappingException.class).hasMessageContaining("lots");
    }

    @Test
    void aTypeWithoutMappingIsRecordedAsIgnored() {
        assertThat(map(square.notification("invoice.published", "invoice", "INV1",
                CanonicalJson.parse("{\"invoice\":{\"id\":\"INV1\"}}")))).isEmpty();
        assertThat(context.counters).containsEntry("notification/ignored", 1L);
    }
}
