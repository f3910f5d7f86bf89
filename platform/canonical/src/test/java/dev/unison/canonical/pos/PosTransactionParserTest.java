package dev.unison.canonical.pos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.Order;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PosTransactionParserTest {

    static final String SALE = """
            {"storeId": "STORE-7", "registerId": "R1", "businessDay": "2026-11-26", "sequence": 1042,
             "type": "sale", "occurredAt": "2026-11-26T10:15:30Z", "currency": "USD",
             "lines": [{"sku": "TRAIL-SHOE-42", "gtin": "00012345678905", "quantity": 2, "unitPrice": "89.90"},
                       {"sku": "SOCKS-3", "quantity": 1, "unitPrice": "5"}],
             "loyaltyId": "L-000123", "paymentToken": "tok_4f9a"}
            """;

    private static PosTransaction parse(String json) {
        return PosTransactionParser.parse(CanonicalJson.parse(json), Set.of("STORE-7")::contains);
    }

    @Test
    void aValidSaleBecomesAStoreOrderWithItsIdentifiers() {
        PosTransaction tx = parse(SALE);
        assertThat(tx.key()).isEqualTo("STORE-7:R1:2026-11-26:1042");
        Order order = tx.toOrder();
        assertThat(order.channel()).isEqualTo("store");
        assertThat(order.externalId()).isEqualTo("STORE-7:R1:2026-11-26:1042");
        assertThat(order.placedAtLocation()).isEqualTo("STORE-7");
        assertThat(order.placedIn()).as("a till sale is in store").isEqualTo(dev.unison.canonical.model.PlacedIn.STORE);
        assertThat(order.lines()).extracting(l -> l.lineId() + " " + l.sku() + " x" + l.quantity() + " " + l.lineTotal().amount())
                .containsExactly("1 TRAIL-SHOE-42 x2 179.80", "2 SOCKS-3 x1 5");
        assertThat(order.total().amount()).isEqualByComparingTo("184.80");
        assertThat(order.identifiers()).extracting(i -> i.type()).containsExactly(IdentifierType.LOYALTY_ID,
                IdentifierType.PAYMENT_TOKEN);
    }

    @Test
    void aReturnNamingItsSaleIsARefundOfThatSale() {
        ObjectNode json = (ObjectNode) CanonicalJson.parse(SALE);
        json.put("type", "return").put("sequence", 1077);
        json.putObject("returnOf").put("storeId", "STORE-7").put("registerId", "R1").put("businessDay", "2026-11-26")
                .put("sequence", 1042);
        PosTransaction tx = parse(CanonicalJson.write(json));
        var refund = tx.toRefund().orElseThrow();
        assertThat(refund.orderId()).as("the sale's order id").isEqualTo(parse(SALE).toOrder().id());
        assertThat(refund.id()).isEqualTo("store-STORE-7-R1-2026-11-26-1077");
        assertThat(refund.channel()).isEqualTo("store");
        assertThat(refund.amount().amount()).isEqualByComparingTo("184.80");
        assertThat(refund.lines()).hasSize(2);

        json.remove("returnOf");
        assertThat(parse(CanonicalJson.write(json)).toRefund()).as("a return without its receipt refunds nothing").isEmpty();
        assertThat(parse(SALE).toRefund()).isEmpty();

        json.put("type", "sale").putObject("returnOf").put("storeId", "STORE-7").put("registerId", "R1")
                .put("businessDay", "2026-11-26").put("sequence", 1042);
        assertThatThrownBy(() -> parse(CanonicalJson.write(json))).isInstanceOfSatisfying(PosValidationException.class,
                e -> assertThat(e.violations()).containsExactly("returnOf: only a return names the sale it returns"));
    }

    @Test
    void aSaleMayNameTheCartItBuysAndItsOrderCarriesIt() {
        assertThat(parse(SALE).cartId()).as("optional: older tills send none").isNull();
        assertThat(parse(SALE).toOrder().cartId()).isNull();
        ObjectNode json = (ObjectNode) CanonicalJson.parse(SALE);
        json.put("cartId", "app-cart-81");
        PosTransaction tx = parse(CanonicalJson.write(json));
        assertThat(tx.cartId()).isEqualTo("app-cart-81");
        assertThat(tx.toOrder().cartId()).isEqualTo("app-cart-81");
        assertThat(CanonicalJson.write(CanonicalJson.toTree(parse(SALE)))).as("no cartId written when none: stored payloads "
                + "of earlier transactions still equal a resend").doesNotContain("cartId");

        json.put("type", "return");
        assertThatThrownBy(() -> parse(CanonicalJson.write(json))).isInstanceOfSatisfying(PosValidationException.class,
                e -> assertThat(e.violations()).containsExactly("cartId: only a sale converts a cart"));
    }

    @Test
    void aCustomerPhoneAndEmailGivenAtTheTillAreNormalizedIdentifiers() {
        ObjectNode json = (ObjectNode) CanonicalJson.parse(SALE);
        json.put("phone", "+1 415-555-0100").put("email", " Jane.Doe@Example.com ");
        Order order = parse(CanonicalJson.write(json)).toOrder();
        assertThat(order.identifiers()).extracting(i -> i.type().wireName() + ":" + i.value())
                .contains("phone:+14155550100", "email:jane.doe@example.com");

        json.put("phone", "555").put("email", "jane at example");
        assertThatThrownBy(() -> parse(CanonicalJson.write(json)))
                .isInstanceOfSatisfying(PosValidationException.class, e -> assertThat(e.violations()).containsExactly(
                        "phone: phone '555' is not a valid phone number (numbers without a country code are read as US)",
                        "email: email 'jane at example' is not an email address (local@domain.tld)"));
    }

    @Test
    void whatASchemaCannotSayIsNamedAllAtOnce() {
        ObjectNode json = (ObjectNode) CanonicalJson.parse(SALE);
        json.put("storeId", "STORE-99");
        json.put("phone", "555");
        ((ObjectNode) json.get("lines").get(0)).put("gtin", "00012345678906");
        assertThatThrownBy(() -> parse(CanonicalJson.write(json)))
                .isInstanceOfSatisfying(PosValidationException.class, e -> assertThat(e.violations()).containsExactly(
                        "storeId: unknown store 'STORE-99' (not a declared location)",
                        "lines[0].gtin: not a valid GTIN-8/12/13/14 (digits with a GS1 check digit): '00012345678906'",
                        "phone: phone '555' is not a valid phone number (numbers without a country code are read as US)"));
    }

    @Test
    void aBodyOffItsSchemaIsRefusedNeverHalfRead() {
        // the API validates the schema first; a caller that skipped it still gets a refusal, not a wrong transaction
        assertThatThrownBy(() -> parse("{\"lines\": []}")).isInstanceOf(PosValidationException.class)
                .hasMessageContaining("does not match the POS transaction schema");
    }

    @Test
    void aReturnAndALowerCaseRfc3339InstantAreRead() {
        PosTransaction tx = parse(SALE.replace("\"sale\"", "\"return\"").replace("2026-11-26T10:15:30Z", "2026-11-26t10:15:30.5+01:00"));
        assertThat(tx.type()).isEqualTo(PosTransaction.Type.RETURN);
        assertThat(tx.occurredAt()).isEqualTo(java.time.Instant.parse("2026-11-26T09:15:30.5Z"));
    }

    @Test
    void gs1CheckDigits() {
        assertThat(PosTransactionParser.gs1CheckDigitValid("00012345678905")).isTrue();
        assertThat(PosTransactionParser.gs1CheckDigitValid("4006381333931")).isTrue(); // EAN-13 example
        assertThat(PosTransactionParser.gs1CheckDigitValid("96385074")).isTrue(); // EAN-8 example
        assertThat(PosTransactionParser.gs1CheckDigitValid("4006381333932")).isFalse();
    }
}
