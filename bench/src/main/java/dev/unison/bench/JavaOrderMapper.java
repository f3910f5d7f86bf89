package dev.unison.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.Money;
import dev.unison.canonical.model.Order;
import dev.unison.canonical.model.OrderLine;
import dev.unison.canonical.model.OrderStatus;
import dev.unison.canonical.model.PlacedIn;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The same mapping as mappings/shopify/order.jsonata, hand-written in Java: the baseline. */
final class JavaOrderMapper {

    static Order map(JsonNode o, String connection, String shop) {
        String currency = o.path("currency").asText("USD");
        OrderStatus status = o.hasNonNull("cancelled_at") ? OrderStatus.CANCELLED
                : "refunded".equals(o.path("financial_status").asText()) ? OrderStatus.REFUNDED
                : "fulfilled".equals(o.path("fulfillment_status").asText()) ? OrderStatus.FULFILLED
                : "paid".equals(o.path("financial_status").asText()) ? OrderStatus.PAID
                : OrderStatus.PLACED;
        List<Identifier> ids = new ArrayList<>();
        String email = o.hasNonNull("email") ? o.get("email").asText() : o.path("customer").path("email").asText(null);
        if (email != null) {
            ids.add(new Identifier(IdentifierType.EMAIL, email.trim().toLowerCase(Locale.ROOT)));
        }
        String phone = o.hasNonNull("phone") ? o.get("phone").asText() : o.path("customer").path("phone").asText(null);
        if (phone != null && phone.matches("^\\+[1-9][0-9]{6,14}$")) {
            ids.add(new Identifier(IdentifierType.PHONE, phone));
        }
        if (o.path("customer").hasNonNull("id")) {
            ids.add(new Identifier(IdentifierType.CHANNEL_CUSTOMER_ID, "shopify:" + shop + ":" + o.path("customer").get("id").asText()));
        }
        List<OrderLine> lines = new ArrayList<>();
        for (JsonNode l : o.path("line_items")) {
            String sku = l.hasNonNull("sku") ? l.get("sku").asText()
                    : l.hasNonNull("variant_id") ? "shopify-variant:" + l.get("variant_id").asText()
                    : "shopify-line:" + l.get("id").asText();
            lines.add(new OrderLine(l.get("id").asText(), sku, l.get("quantity").asLong(),
                    new Money(new BigDecimal(l.get("price").asText()), currency), null));
        }
        return new Order(connection + ":" + o.get("id").asText(), "shopify", o.get("id").asText(), status,
                OffsetDateTime.parse(o.get("created_at").asText()).toInstant(), null, null, null, ids, lines,
                new Money(new BigDecimal(o.get("total_price").asText()), currency),
                "pos".equals(o.path("source_name").asText()) ? PlacedIn.STORE : PlacedIn.ONLINE,
                o.hasNonNull("updated_at") ? OffsetDateTime.parse(o.get("updated_at").asText()).toInstant() : null);
    }
}
