package dev.unison.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalSchemas;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.Order;
import dev.unison.connectors.kit.mapping.Mapping;
import dev.unison.connectors.kit.mapping.MappingLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost per message of mapping a Shopify orders/create payload to a canonical Order: the JSONata
 * mapping the connector uses (mappings/shopify/order.jsonata, com.dashjoin:jsonata) against the
 * same mapping hand-written in Java, each from raw bytes to the Order record; plus the JSON
 * Schema check every canonical event gets. Run:
 * {@code java -jar bench/target/benchmarks.jar ShopifyOrderMapping}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ShopifyOrderMappingBenchmark {

    private byte[] payload;
    private Mapping jsonata;
    private String orderJson;

    @Setup
    public void setUp() throws IOException {
        payload = samplePayload().getBytes(StandardCharsets.UTF_8);
        try (InputStream in = getClass().getResourceAsStream("/mappings/shopify/order.jsonata")) {
            jsonata = MappingLibrary.compile(Map.of("shopify/order", new String(in.readAllBytes(), StandardCharsets.UTF_8)))
                    .mapping("shopify", "order");
        }
        orderJson = CanonicalJson.write(javaMapper());
        if (!CanonicalJson.read(jsonataMapper(), Order.class).equals(javaMapper())) {
            throw new IllegalStateException("the two mappers disagree: the comparison would be meaningless");
        }
    }

    @Benchmark
    public Order javaMapper() {
        return JavaOrderMapper.map(CanonicalJson.parse(payload), "shop-main", "demo-shop.myshopify.com");
    }

    @Benchmark
    public JsonNode jsonataMapper() {
        ObjectNode input = CanonicalJson.mapper().createObjectNode();
        input.put("topic", "orders/create").put("connection", "shop-main").put("shop", "demo-shop.myshopify.com")
                .put("currency", "USD");
        input.set("payload", CanonicalJson.parse(payload));
        return jsonata.apply(input);
    }

    @Benchmark
    public List<String> schemaValidation() {
        return CanonicalSchemas.validate(EventType.ORDER_PLACED.schemaResource(), orderJson);
    }

    /** An orders/create payload of ~3.8 KB in Shopify's 2025-10 shape (4 lines, customer, addresses). */
    static String samplePayload() {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            lines.append(i == 0 ? "" : ",").append("""
                    {"id": %d, "admin_graphql_api_id": "gid://shopify/LineItem/%d", "sku": "SKU2006-00%d",
                     "variant_id": %d, "product_id": 632910392, "title": "IPod Nano - 8GB", "variant_title": "green",
                     "vendor": "Apple", "quantity": %d, "price": "199.99", "total_discount": "0.00",
                     "fulfillment_status": null, "requires_shipping": true, "taxable": true,
                     "properties": [], "tax_lines": [{"price": "25.81", "rate": 0.13, "title": "HST"}],
                     "discount_allocations": []}
                    """.formatted(866550311766439020L + i, 866550311766439020L + i, i, 808950810L + i, i + 1));
        }
        return """
                {"id": 820982911946154508, "admin_graphql_api_id": "gid://shopify/Order/820982911946154508",
                 "email": "jon@example.com", "created_at": "2025-10-01T12:00:00-04:00", "updated_at": "2025-10-01T12:00:00-04:00",
                 "number": 234, "order_number": 1234, "name": "#9999", "currency": "USD", "presentment_currency": "USD",
                 "total_price": "1999.90", "subtotal_price": "1999.90", "total_tax": "0.00", "financial_status": "paid",
                 "fulfillment_status": null, "source_name": "web", "location_id": null, "landing_site": null,
                 "referring_site": null, "browser_ip": null, "cart_token": null, "checkout_token": null,
                 "note": null, "note_attributes": [], "tags": "", "phone": null, "contact_email": "jon@example.com",
                 "payment_gateway_names": ["visa", "bogus"], "discount_codes": [], "buyer_accepts_marketing": true,
                 "billing_address": {"first_name": "Steve", "address1": "123 Shipping Street", "phone": "555-555-SHIP",
                   "city": "Shippington", "zip": "40003", "province": "Kentucky", "country": "United States",
                   "last_name": "Shipper", "company": "Shipping Company", "country_code": "US", "province_code": "KY"},
                 "shipping_address": {"first_name": "Steve", "address1": "123 Shipping Street", "phone": "555-555-SHIP",
                   "city": "Shippington", "zip": "40003", "province": "Kentucky", "country": "United States",
                   "last_name": "Shipper", "company": "Shipping Company", "country_code": "US", "province_code": "KY"},
                 "customer": {"id": 115310627314723954, "email": "john@example.com", "phone": null, "first_name": "John",
                   "last_name": "Smith", "state": "disabled", "verified_email": true, "tax_exempt": false,
                   "currency": "USD", "created_at": null, "updated_at": null},
                 "line_items": [%s]}
                """.formatted(lines);
    }
}
