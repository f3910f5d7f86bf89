package dev.unison.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.Price;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.spi.CoalescingQueue.Pending;
import dev.unison.connectors.kit.spi.ConnectorContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes selling prices to Shopify for one connection. Price events of the connection's channel
 * are coalesced per sku (only the newest price is sent) and sent per product with GraphQL
 * {@code productVariantsBulkUpdate(productId, variants: [{id, price, compareAtPrice}],
 * allowPartialUpdates: true)} (so one bad variant does not hold back the others)
 * (shopify.dev, Admin GraphQL "productVariantsBulkUpdate"; one product per call), through the
 * shop's {@link ShopifyAdminClient}. A sku whose variant is unknown, a price in a currency other
 * than the shop's, and per-variant user errors go to the dead-letter table with the reason.
 */
final class ShopifyPriceSync {

    /** How long the first pending price waits for others of the same products to join its calls. */
    static final java.time.Duration LINGER = java.time.Duration.ofMillis(200);
    static final String KIND = "price";
    private static final String MUTATION = "mutation SetPrices($productId: ID!, $variants: [ProductVariantsBulkInput!]!) "
            + "{ productVariantsBulkUpdate(productId: $productId, variants: $variants, allowPartialUpdates: true) "
            + "{ userErrors { code field message } } }";

    private final Connection connection;
    private final ConnectorContext context;
    private final ShopifyAdminClient shop;
    private final Clock clock;
    private final String channel;
    private final String shopCurrency;
    private final java.time.Duration unknownSkuGrace;

    ShopifyPriceSync(Connection connection, ConnectorContext context, ShopifyAdminClient shop, Clock clock) {
        this.connection = connection;
        this.context = context;
        this.shop = shop;
        this.clock = clock;
        ShopifySettings settings = ShopifySettings.of(connection);
        this.channel = settings.channel();
        this.shopCurrency = settings.currency();
        this.unknownSkuGrace = settings.unknownSkuGrace();
    }

    void offer(CanonicalEvent event) {
        if (event.type() != EventType.PRICE_CHANGED) {
            return;
        }
        Price price = event.dataAs(Price.class);
        if (!channel.equals(price.channel())) {
            return;
        }
        ObjectNode value = CanonicalJson.mapper().createObjectNode();
        value.put("amount", price.amount().amount().toPlainString());
        value.put("currency", price.amount().currency());
        if (price.compareAt() != null) {
            value.put("compareAt", price.compareAt().amount().toPlainString());
        }
        value.put("eventId", event.id());
        context.outboundQueue().offer(connection.id(), KIND, price.sku(), value);
    }

    /** Sends the prices of one product if the shop's budget allows; returns how many it settled. */
    int tick() {
        if (context.outboundQueue().heldByAnother(connection.id(), KIND, context.instanceId())) {
            return 0; // another instance sends this shop's prices
        }
        List<Pending> batch = context.outboundQueue().next(connection.id(), KIND, 250);
        boolean lingering = !batch.isEmpty() && batch.size() < 250
                && batch.get(0).firstOfferedAt().isAfter(clock.instant().minus(LINGER));
        if (batch.isEmpty() || lingering || !shop.ready()
                || !context.outboundQueue().tryLease(connection.id(), KIND, context.instanceId(), java.time.Duration.ofSeconds(15))) {
            return 0;
        }
        Map<String, List<Pending>> byProduct = new LinkedHashMap<>();
        Map<Pending, String> variantOf = new LinkedHashMap<>();
        List<Pending> refused = new ArrayList<>();
        for (Pending p : batch) {
            Optional<String> ref = context.refs().get(connection.id(), ShopifyInboundMapper.VARIANT, p.key());
            if (ref.isEmpty()) {
                if (p.firstOfferedAt().isBefore(clock.instant().minus(unknownSkuGrace))) {
                    deadLetter(p, "no Shopify variant is known for sku " + p.key() + " (it is learned from products/update webhooks)");
                    refused.add(p);
                } // else it waits for products/update
            } else if (!shopCurrency.equals(p.value().path("currency").asText())) {
                deadLetter(p, "price in " + p.value().path("currency").asText() + ", but the shop sells in " + shopCurrency);
                refused.add(p);
            } else {
                String[] ids = ref.get().split(" ");
                byProduct.computeIfAbsent(ids[0], k -> new ArrayList<>()).add(p);
                variantOf.put(p, ids[1]);
            }
        }
        context.outboundQueue().done(refused);
        if (byProduct.isEmpty()) {
            return refused.size();
        }
        // one product per call: take the product of the oldest change
        Map.Entry<String, List<Pending>> first = byProduct.entrySet().iterator().next();
        List<Pending> sent = first.getValue();
        ObjectNode variables = CanonicalJson.mapper().createObjectNode();
        variables.put("productId", first.getKey());
        ArrayNode variants = variables.putArray("variants");
        for (Pending p : sent) {
            ObjectNode v = variants.addObject();
            v.put("id", variantOf.get(p));
            v.put("price", p.value().path("amount").asText());
            if (p.value().hasNonNull("compareAt")) {
                v.put("compareAtPrice", p.value().get("compareAt").asText());
            } else {
                v.putNull("compareAtPrice");
            }
        }
        ShopifyAdminClient.Outcome outcome = shop.call("price_call", MUTATION, variables);
        if (outcome instanceof ShopifyAdminClient.Outcome.Refused no) {
            sent.forEach(p -> deadLetter(p, no.reason()));
            context.outboundQueue().done(sent);
            return refused.size() + sent.size();
        }
        if (!(outcome instanceof ShopifyAdminClient.Outcome.Answered answered)) {
            return refused.size();
        }
        JsonNode errors = answered.body().path("data").path("productVariantsBulkUpdate").path("userErrors");
        for (JsonNode error : errors) {
            Integer index = ShopifyAdminClient.indexIn(error.path("field"), "variants");
            String reason = error.path("code").asText() + ": " + error.path("message").asText();
            if (index == null || index >= sent.size()) {
                sent.forEach(p -> deadLetter(p, reason));
            } else {
                deadLetter(sent.get(index), reason);
            }
        }
        context.outboundQueue().done(sent);
        context.metrics().add(connection.id(), "price", "set", sent.size() - errors.size());
        return refused.size() + sent.size();
    }

    private void deadLetter(Pending p, String reason) {
        context.metrics().count(connection.id(), "price", "dead_lettered");
        context.deadLetters().record("shopify:" + connection.id() + ":prices", p.key(), "shopify.productVariantsBulkUpdate",
                reason, CanonicalJson.write(p.value()));
    }
}
