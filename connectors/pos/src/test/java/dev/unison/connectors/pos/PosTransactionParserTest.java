package dev.unison.connectors.pos;

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
    void aQuantityBeyond64BitsIsRefusedNotWrapped() {
        // 2^64 + 1: read as a long it would be 1
        String json = SALE.replace("\"quantity\": 2", "\"quantity\": 18446744073709551617");
        assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(PosValidationException.class,
                e -> assertThat(e.violations()).containsExactly("lines[0].quantity: at most 100000 units per line"));
    }

    @Test
    void everyBadFieldIsNamedAtOnce() {
        ObjectNode json = (ObjectNode) CanonicalJson.parse(SALE);
        json.put("storeId", "STORE-99");
        json.put("businessDay", "26/11/2026");
        json.put("type", "refund");
        json.put("currency", "usd");
        json.put("colour", "red");
        ((ObjectNode) json.get("lines").get(0)).put("quantity", -1);
        ((ObjectNode) json.get("lines").get(0)).put("gtin", "00012345678906");
        ((ObjectNode) json.get("lines").get(1)).remove("sku");
        assertThatThrownBy(() -> parse(CanonicalJson.write(json)))
                .isInstanceOfSatisfying(PosValidationException.class, e -> assertThat(e.violations()).containsExactlyInAnyOrder(
                        "colour: unknown field",
                        "storeId: unknown store 'STORE-99' (not a declared location)",
                        "businessDay: not a date (YYYY-MM-DD): '26/11/2026'",
                        "type: must be sale or return, got 'refund'",
                        "currency: ISO 4217 code of three capital letters, got 'usd'",
                        "lines[0].gtin: not a valid GTIN-8/12/13/14 (digits with a GS1 check digit): '00012345678906'",
                        "lines[0].quantity: must be positive, got -1 (send a return as \"type\": \"return\" with positive quantities)",
                        "lines[1].sku: required string of 1..64 characters"));
    }

    @Test
    void missingFieldsAndEmptyLinesAreRefused() {
        assertThatThrownBy(() -> parse("{\"lines\": []}"))
                .isInstanceOfSatisfying(PosValidationException.class, e -> assertThat(e.violations()).contains(
                        "storeId: required", "registerId: required", "businessDay: required",
                        "sequence: required non-negative integer", "type: required", "occurredAt: required",
                        "currency: required", "lines: required, at least one line"));
    }

    @Test
    void gs1CheckDigits() {
        assertThat(PosTransactionParser.gs1CheckDigitValid("00012345678905")).isTrue();
        assertThat(PosTransactionParser.gs1CheckDigitValid("4006381333931")).isTrue(); // EAN-13 example
        assertThat(PosTransactionParser.gs1CheckDigitValid("96385074")).isTrue(); // EAN-8 example
        assertThat(PosTransactionParser.gs1CheckDigitValid("4006381333932")).isFalse();
    }

    @Test
    void priceMustBeADecimalString() {
        JsonNode json = CanonicalJson.parse(SALE.replace("\"89.90\"", "89.9"));
        assertThatThrownBy(() -> PosTransactionParser.parse(json, s -> true))
                .hasMessageContaining("lines[0].unitPrice: required decimal string");
    }
}
