package dev.unison.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.platform.testkit.HttpApi;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The traffic of the attribution scenarios, sent through the public interfaces: canonical events
 * through the partner API, till sales through the POS API, loyalty sign-ups through the identities
 * API. Shared by the ITs that run S1 with exposures and spend from the partner API
 * ({@link AttributionIT}) and from the retail media network connectors ({@link RetailMediaNetworksIT}).
 */
final class S1Traffic {

    private final HttpApi api;
    private final String key;

    S1Traffic(HttpApi api, String key) {
        this.api = api;
        this.key = key;
    }

    public static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode event(String id, String type, ObjectNode data) {
        ObjectNode e = CanonicalJson.mapper().createObjectNode();
        e.put("specversion", "1.0").put("id", id).put("source", "/it/attribution").put("type", type)
                .put("datacontenttype", "application/json");
        e.set("data", data);
        return e;
    }

    public static ObjectNode onlineOrder(String id, String channel, String email, Instant placedAt, String amount) {
        ObjectNode d = CanonicalJson.mapper().createObjectNode();
        d.put("id", id).put("channel", channel).put("externalId", id).put("status", "paid").put("placedAt", placedAt.toString())
                .put("placedIn", "online").put("fulfilledFromLocation", "STORE-7");
        d.putArray("identifiers").addObject().put("type", "email").put("value", email);
        d.putArray("lines").addObject().put("lineId", "1").put("sku", "S1-BASKET").put("quantity", 1)
                .<ObjectNode>set("unitPrice", money(amount)).set("lineTotal", money(amount));
        d.set("total", money(amount));
        return event("ord-" + id, "commerce.order.placed.v1", d);
    }

    public static ObjectNode refund(String id, String orderId, String channel, String amount, Instant at) {
        ObjectNode d = CanonicalJson.mapper().createObjectNode();
        d.put("id", id).put("orderId", orderId).put("channel", channel).put("refundedAt", at.toString());
        d.set("amount", money(amount));
        return event("ref-" + id, "commerce.refund.created.v1", d);
    }

    public static ObjectNode money(String amount) {
        return CanonicalJson.mapper().createObjectNode().put("amount", amount).put("currency", "USD");
    }

    /** Sends events in batches of up to 1,000; every one must be accepted. */
    public void send(String key, List<ObjectNode> events) {
        for (int from = 0; from < events.size(); from += 1000) {
            ArrayNode batch = CanonicalJson.mapper().createArrayNode();
            events.subList(from, Math.min(events.size(), from + 1000)).forEach(batch::add);
            HttpApi.Reply r = api.post("/api/v1/events", key, "application/cloudevents-batch+json", CanonicalJson.write(batch), Map.of());
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            for (JsonNode result : r.json().get("results")) {
                assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("accepted");
            }
        }
    }

    public ObjectNode till(String register, long sequence, Instant at, String amount, String loyaltyId) {
        ObjectNode t = CanonicalJson.mapper().createObjectNode();
        t.put("storeId", "STORE-7").put("registerId", register).put("businessDay", at.atZone(ZoneOffset.UTC).toLocalDate().toString())
                .put("sequence", sequence).put("type", "sale").put("occurredAt", at.toString()).put("currency", "USD");
        t.putArray("lines").addObject().put("sku", "S1-BASKET").put("quantity", 1).put("unitPrice", amount);
        if (loyaltyId != null) {
            t.put("loyaltyId", loyaltyId);
        }
        return t;
    }

    public void sellAtTills(List<ObjectNode> transactions) {
        for (int from = 0; from < transactions.size(); from += 500) {
            ObjectNode body = CanonicalJson.mapper().createObjectNode();
            ArrayNode list = body.putArray("transactions");
            transactions.subList(from, Math.min(transactions.size(), from + 500)).forEach(list::add);
            HttpApi.Reply r = api.post("/api/v1/pos/transactions/batch", key, CanonicalJson.write(body));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).doesNotContain("\"rejected\"");
        }
    }

    public void linkLoyalty(List<String[]> loyaltyAndEmail) {
        for (int from = 0; from < loyaltyAndEmail.size(); from += 1000) {
            ObjectNode body = CanonicalJson.mapper().createObjectNode();
            ArrayNode sightings = body.putArray("sightings");
            for (String[] pair : loyaltyAndEmail.subList(from, Math.min(loyaltyAndEmail.size(), from + 1000))) {
                ObjectNode s = sightings.addObject().put("source", "loyalty-signup");
                ArrayNode ids = s.putArray("identifiers");
                ids.addObject().put("type", "loyalty_id").put("value", pair[0]);
                ids.addObject().put("type", "email").put("value", pair[1]);
            }
            HttpApi.Reply r = api.post("/api/v1/identities/batch", key, CanonicalJson.write(body));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
    }
}
