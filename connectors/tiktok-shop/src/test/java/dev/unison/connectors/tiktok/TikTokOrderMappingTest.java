package dev.unison.connectors.tiktok;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.OrderStatus;
import dev.unison.canonical.model.PlacedIn;
import dev.unison.connectors.kit.mapping.MappingLibrary;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** mappings/tiktok-shop/order.jsonata on an order detail in the shape of TikTok's 202309 API. */
class TikTokOrderMappingTest {

    // fields of the Get Order Detail sample: one line item per unit, money as strings, Unix seconds
    private static final String ORDER = """
            {"id": "576461413038785752", "status": "AWAITING_SHIPMENT", "create_time": 1700000000,
             "update_time": 1700000300, "paid_time": 1700000100, "user_id": "7021436810468230477",
             "buyer_email": "v2_7ad3rf3a@scs2.tiktok.com",
             "recipient_address": {"name": "J*** D***", "phone_number": "(+1)415*****00", "postal_code": "94107"},
             "payment": {"currency": "USD", "sub_total": "179.80", "total_amount": "185.79", "tax": "5.99"},
             "line_items": [
               {"id": "577086512123755123", "sku_id": "1729592969712207234", "seller_sku": "TRAIL-SHOE-42", "sale_price": "89.90", "currency": "USD"},
               {"id": "577086512123755124", "sku_id": "1729592969712207234", "seller_sku": "TRAIL-SHOE-42", "sale_price": "89.90", "currency": "USD"},
               {"id": "577086512123755125", "sku_id": "1729592969712207999", "seller_sku": "", "sale_price": "5.99", "currency": "USD"}]}
            """;

    private static Order map(String json) throws Exception {
        return map(json, null);
    }

    private static Order map(String json, String fulfilledFrom) throws Exception {
        String source;
        try (InputStream in = TikTokOrderMappingTest.class.getResourceAsStream("/mappings/tiktok-shop/order.jsonata")) {
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        MappingLibrary library = MappingLibrary.compile(Map.of("tiktok-shop/order", source));
        ObjectNode input = CanonicalJson.mapper().createObjectNode();
        input.put("connection", "tts-main").put("shop", "7495611106826340000").put("currency", "USD");
        input.set("payload", CanonicalJson.parse(json));
        if (fulfilledFrom != null) {
            input.put("fulfilledFrom", fulfilledFrom);
        }
        var data = library.mapping("tiktok-shop", "order").apply(input);
        TikTokInboundMapper.relayEmailsAsChannelIdentifiers(data); // as the connector does after the mapping
        return CanonicalEvent.of("e-1", EventType.ORDER_PLACED, URI.create("/t"), data, Instant.now()).dataAs(Order.class);
    }

    @Test
    void aTikTokOrderIsOnlineAndVersionedByItsUpdateTime() throws Exception {
        Order order = map(ORDER);

        assertThat(order.placedIn()).isEqualTo(PlacedIn.ONLINE);
        assertThat(order.placedAtLocation()).isNull();
        assertThat(order.updatedAt()).as("update_time, Unix seconds").isEqualTo(Instant.ofEpochSecond(1700000300));
    }

    @Test
    void theWarehouseTheConnectionMapsIsWhereTheOrderIsFulfilledFrom() throws Exception {
        assertThat(map(ORDER, "WH-1").fulfilledFromLocation()).isEqualTo("WH-1");
        assertThat(map(ORDER).fulfilledFromLocation()).as("an unmapped warehouse: unknown").isNull();
    }

    @Test
    void anOrderDetailBecomesACanonicalOrderWithUnitsCounted() throws Exception {
        Order order = map(ORDER);

        assertThat(order.id()).isEqualTo("tts-main:576461413038785752");
        assertThat(order.channel()).isEqualTo("tiktok-shop");
        assertThat(order.status()).isEqualTo(OrderStatus.PAID);
        assertThat(order.placedAt()).isEqualTo(Instant.ofEpochSecond(1700000000));
        assertThat(order.total().amount()).isEqualTo(new BigDecimal("185.79"));
        assertThat(order.lines()).hasSize(2);
        assertThat(order.lines().get(0).sku()).isEqualTo("TRAIL-SHOE-42");
        assertThat(order.lines().get(0).quantity()).isEqualTo(2);
        assertThat(order.lines().get(0).unitPrice().amount()).isEqualTo(new BigDecimal("89.90"));
        assertThat(order.lines().get(1).sku()).isEqualTo("tiktok-sku:1729592969712207999");
        assertThat(order.lines().get(1).quantity()).isEqualTo(1);
    }

    @Test
    void theMaskedBuyerEmailIsAChannelIdentifierNeverAnEmail() throws Exception {
        Order order = map(ORDER);

        assertThat(order.identifiers()).noneMatch(i -> i.type() == IdentifierType.EMAIL);
        assertThat(order.identifiers()).extracting(i -> i.value()).containsExactly(
                "tiktok-shop:7495611106826340000:7021436810468230477", "email-relay:scs2.tiktok.com:v2_7ad3rf3a");
    }

    @Test
    void aMaskedPhoneIsLeftOutAnUnmaskedOneBecomesE164AndAPlainEmailIsAnEmail() throws Exception {
        assertThat(map(ORDER).identifiers()).noneMatch(i -> i.type() == IdentifierType.PHONE);

        Order unmasked = map(ORDER.replace("v2_7ad3rf3a@scs2.tiktok.com", " Jane.Doe@Example.com ")
                .replace("(+1)415*****00", "(415) 555-0100"));
        assertThat(unmasked.identifiers()).extracting(i -> i.type().wireName() + ":" + i.value()).containsExactly(
                "channel_customer_id:tiktok-shop:7495611106826340000:7021436810468230477", "email:jane.doe@example.com",
                "phone:+14155550100");
        assertThat(map(ORDER.replace("(+1)415*****00", "(+44)20 7946 0958")).identifiers())
                .anyMatch(i -> i.value().equals("+442079460958"));
        assertThat(map(ORDER.replace("v2_7ad3rf3a@scs2.tiktok.com", "v2_x@scs.tiktokw.us")).identifiers())
                .as("the US relay domain").noneMatch(i -> i.type() == IdentifierType.EMAIL);
    }

    @Test
    void statusesMapToTheCanonicalLifecycle() throws Exception {
        assertThat(map(ORDER.replace("AWAITING_SHIPMENT", "UNPAID")).status()).isEqualTo(OrderStatus.PLACED);
        assertThat(map(ORDER.replace("AWAITING_SHIPMENT", "COMPLETED")).status()).isEqualTo(OrderStatus.FULFILLED);
        assertThat(map(ORDER.replace("AWAITING_SHIPMENT", "CANCELLED")).status()).isEqualTo(OrderStatus.CANCELLED);
    }

    @Test
    void anOrderWithoutLinesFailsNamingTheField() {
        assertThatThrownBy(() -> map(ORDER.replaceAll("\"line_items\": \\[[^\\]]*\\]", "\"line_items\": []")))
                .hasMessageContaining("/lines");
    }

    @Test
    void webhooksDedupeOnTheNotificationIdOrTheirContent() {
        TikTokWebhook withId = TikTokWebhook.parse("""
                {"type": 1, "tts_notification_id": "7327112393057371910", "shop_id": "7494049642642441621",
                 "timestamp": 1700000400, "data": {"order_id": "576461413038785752", "order_status": "AWAITING_SHIPMENT"}}
                """.getBytes(StandardCharsets.UTF_8));
        TikTokWebhook withoutId = TikTokWebhook.parse("""
                {"type": 1, "shop_id": "7494049642642441621", "timestamp": 1700000400,
                 "data": {"order_id": "576461413038785752", "order_status": "AWAITING_SHIPMENT"}}
                """.getBytes(StandardCharsets.UTF_8));

        assertThat(withId.dedupeKey()).isEqualTo("notification:7327112393057371910");
        assertThat(withId.orderId()).contains("576461413038785752");
        assertThat(withoutId.dedupeKey()).startsWith("derived:1:7494049642642441621:1700000400:");
        assertThat(TikTokWebhook.parse(("{\"type\": 1, \"shop_id\": \"s\", \"timestamp\": 1700000400, \"data\": "
                + "{\"order_id\": \"1\", \"order_status\": \"CANCELLED\"}}").getBytes(StandardCharsets.UTF_8)).dedupeKey())
                .isNotEqualTo(withoutId.dedupeKey());
        assertThatThrownBy(() -> TikTokWebhook.parse("{\"shop_id\": \"s\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("type");
    }
}
