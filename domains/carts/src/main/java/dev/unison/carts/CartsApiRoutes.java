package dev.unison.carts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.identity.IdentifierNormalizer;
import dev.unison.canonical.model.CartLine;
import dev.unison.canonical.model.Identifier;
import dev.unison.canonical.model.IdentifierType;
import dev.unison.canonical.model.Money;
import dev.unison.connectors.kit.spi.KnownLocations;
import dev.unison.platform.edge.ApiException;
import dev.unison.platform.edge.ApiRoutes;
import dev.unison.platform.edge.ApiSchemas;
import dev.unison.platform.edge.ApiSupport;
import dev.unison.platform.edge.Partners;
import dev.unison.platform.edge.Scope;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.model.rest.RestParamType;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The carts API: the brand app writes its cart ({@code PUT /carts/{cartId}}), shows it with a QR
 * token ({@code GET /carts/{cartId}}), and the store finds it by whatever identified the shopper
 * ({@code GET /carts?identifier=loyalty_id:L-000123}, {@code email:}, {@code phone:}, {@code qr:}).
 */
public class CartsApiRoutes extends ApiRoutes {

    private final CartStore carts;
    private final TransactionTemplate tx;
    private final KnownLocations locations;

    public CartsApiRoutes(ApiSupport api, ApiSchemas schemas, CartStore carts, TransactionTemplate tx, KnownLocations locations) {
        super(api, schemas);
        this.carts = carts;
        this.tx = tx;
        this.locations = locations;
    }

    @Override
    public void configure() {
        jsonErrors();

        rest(BASE)
                .put("/carts/{cartId}").id("put-cart")
                    .description("The brand app's whole open cart {channel, currency, identifiers[{type, value}], lines[{sku, "
                            + "quantity, unitPrice?}], reserveAt?, expiresAt?, version?, updatedAt?}: created or replaced; the "
                            + "lines' units are held at reserveAt until the cart is bought, changed or abandoned")
                    .param().name("cartId").type(RestParamType.path).description("the app's cart id ([A-Za-z0-9._:-], up to 128)").endParam()
                    .consumes("application/json").produces("application/json")
                    .responseMessage().code(201).message("created").endResponseMessage()
                    .responseMessage().code(200).message("replaced: the new version").endResponseMessage()
                    .responseMessage().code(403).message("the cart was written by another partner").endResponseMessage()
                    .responseMessage().code(409).message("stale (version or updatedAt behind the hub's) or the cart is closed; "
                            + "nothing changed").endResponseMessage()
                    .responseMessage().code(422).message("invalid; every bad field named; nothing changed").endResponseMessage()
                    .to("direct:put-cart")
                .get("/carts/{cartId}").id("get-cart")
                    .description("A cart; an open one comes with a fresh short-lived QR token (unison.carts.qr-ttl) the app shows "
                            + "and the POS looks up with ?identifier=qr:<token>")
                    .param().name("cartId").type(RestParamType.path).description("cart id").endParam()
                    .produces("application/json")
                    .responseMessage().code(404).message("no such cart").endResponseMessage()
                    .to("direct:get-cart")
                .get("/carts").id("find-cart")
                    .description("The open cart of the shopper an identifier belongs to, e.g. ?identifier=loyalty_id:L-000123 "
                            + "(also email:, phone:, any identifier type, and qr:<token>): found by any identifier of the "
                            + "shopper's profile")
                    .param().name("identifier").type(RestParamType.query).required(true)
                        .description("<type>:<value> (URL-encoded: '+' as %2B) or qr:<token>").endParam()
                    .produces("application/json")
                    .responseMessage().code(400).message("missing or malformed identifier").endResponseMessage()
                    .responseMessage().code(404).message("the shopper has no open cart (or the value is a blocked placeholder, "
                            + "or the QR token expired)").endResponseMessage()
                    .responseMessage().code(422).message("the value is not valid for its type").endResponseMessage()
                    .to("direct:find-cart");

        validated("put-cart", CartsScopes.CARTS_WRITE, e -> {
            String cartId = cartId(e);
            if (!CartRules.CART_ID.matcher(cartId).matches()) {
                throw ApiException.unprocessable("cartId: must match " + CartRules.CART_ID.pattern());
            }
            CartStore.Replace replace = replace(cartId, ApiSchemas.body(e));
            Partners.Principal caller = ApiSupport.principal(e);
            Map.Entry<CartStore.StoredCart, Boolean> stored;
            try {
                stored = tx.execute(s -> carts.replace(replace, caller.partnerId(), caller.has(Scope.ALL_PARTNERS)));
            } catch (CartStore.RefusedException refused) {
                throw refused.status() == 403 ? ApiException.forbidden(refused.getMessage()) : ApiException.conflict(refused.getMessage());
            } catch (DuplicateKeyException race) {
                throw ApiException.conflict("cart " + cartId + " was created by another request at the same time; read it and resend");
            }
            ApiSupport.respond(e, stored.getValue() ? 201 : 200, view(stored.getKey(), caller, null));
        });

        secured("get-cart", CartsScopes.CARTS_READ, e -> {
            String cartId = cartId(e);
            Partners.Principal caller = ApiSupport.principal(e);
            Map<String, Object> body = tx.execute(s -> {
                CartStore.StoredCart cart = carts.find(cartId).orElseThrow(() -> ApiException.notFound("no cart " + cartId));
                return view(cart, caller, cart.open() ? carts.issueToken(cart.id()) : null);
            });
            ApiSupport.respond(e, 200, body);
        });

        secured("find-cart", CartsScopes.CARTS_READ, e -> {
            String typed = e.getIn().getHeader("identifier", String.class);
            if (typed == null || typed.isBlank()) {
                throw ApiException.badRequest("query parameter 'identifier' is required, e.g. identifier=loyalty_id:L-000123");
            }
            CartStore.StoredCart cart;
            if (typed.startsWith("qr:")) {
                cart = carts.openCartOfToken(typed.substring(3).trim())
                        .orElseThrow(() -> ApiException.notFound("no open cart for this QR token (it may have expired)"));
            } else {
                Identifier identifier;
                try {
                    // an unencoded '+' arrives as a space: "phone: 44 20..." can only have meant "+44 20..."
                    identifier = Identifier.parse(typed.startsWith("phone: ") ? "phone:+" + typed.substring(7) : typed);
                } catch (IllegalArgumentException bad) {
                    throw ApiException.badRequest((bad.getMessage() != null && bad.getMessage().startsWith("No enum constant")
                            ? "unknown identifier type in '" + typed + "'" : bad.getMessage())
                            + " (URL-encode the value: a '+' must be sent as %2B)");
                }
                try {
                    cart = carts.openCartOf(identifier)
                            .orElseThrow(() -> ApiException.notFound("no open cart of the shopper holding " + identifier.type().wireName()));
                } catch (IdentifierNormalizer.InvalidIdentifierException invalid) {
                    throw ApiException.unprocessable("identifier: " + invalid.getMessage());
                }
            }
            ApiSupport.respond(e, 200, view(cart, ApiSupport.principal(e), null));
        });
    }

    private static String cartId(Exchange e) {
        return e.getIn().getHeader("cartId", String.class);
    }

    /** The request as the store takes it; locations and identifier values are checked here (not schema matters). */
    private CartStore.Replace replace(String cartId, JsonNode body) {
        List<String> problems = new ArrayList<>();
        String currency = body.get("currency").asText();
        List<Identifier> identifiers = new ArrayList<>();
        JsonNode ids = body.get("identifiers");
        for (int k = 0; k < ids.size(); k++) {
            int i = k;
            String type = ids.get(i).get("type").asText();
            String value = ids.get(i).get("value").asText();
            try {
                Identifier identifier = new Identifier(IdentifierType.fromWireName(type), value);
                // a placeholder (blocked value) is kept out of matching, never a reason to refuse the cart
                carts.invalidity(identifier).ifPresent(reason -> problems.add("/identifiers/" + i + "/value: " + reason));
                identifiers.add(identifier);
            } catch (IllegalArgumentException unknown) {
                problems.add("/identifiers/" + i + "/type: unknown identifier type '" + type + "'");
            }
        }
        List<CartLine> lines = new ArrayList<>();
        JsonNode items = body.get("lines");
        for (int i = 0; i < items.size(); i++) {
            JsonNode line = items.get(i);
            Money price = line.hasNonNull("unitPrice") ? new Money(new BigDecimal(line.get("unitPrice").asText()), currency) : null;
            lines.add(new CartLine(line.get("sku").asText(), line.get("quantity").asLong(), price));
        }
        String reserveAt = body.hasNonNull("reserveAt") ? body.get("reserveAt").asText() : null;
        if (reserveAt != null && !locations.contains(reserveAt)) {
            problems.add("/reserveAt: unknown location '" + reserveAt + "' (not declared in unison.inventory.locations)");
        }
        if (!problems.isEmpty()) {
            throw ApiException.unprocessable(String.join("; ", problems));
        }
        Instant expiresAt = body.hasNonNull("expiresAt") ? ApiSchemas.instant(body.get("expiresAt").asText()) : null;
        Long version = body.hasNonNull("version") ? body.get("version").asLong() : null;
        Instant updatedAt = body.hasNonNull("updatedAt") ? ApiSchemas.instant(body.get("updatedAt").asText()) : null;
        return new CartStore.Replace(cartId, body.get("channel").asText(), currency, identifiers, lines, reserveAt, expiresAt,
                version, updatedAt);
    }

    private static Map<String, Object> view(CartStore.StoredCart cart, Partners.Principal caller, CartStore.QrToken qr) {
        boolean pii = caller.has(Scope.PII_READ);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("cartId", cart.id());
        body.put("channel", cart.channel());
        body.put("status", cart.status());
        body.put("profileId", cart.profileId());
        body.put("currency", cart.currency());
        body.put("lines", cart.lines());
        List<Map<String, Object>> identifiers = new ArrayList<>();
        for (Identifier i : cart.identifiers()) {
            String type = i.type().wireName();
            boolean contact = type.equals("email") || type.equals("phone");
            Map<String, Object> id = new LinkedHashMap<>();
            id.put("type", type);
            id.put("value", contact && !pii ? CartRules.mask(type, i.value()) : i.value());
            if (contact && !pii) {
                id.put("masked", true);
            }
            identifiers.add(id);
        }
        body.put("identifiers", identifiers);
        body.put("reserveAt", cart.reserveAt());
        body.put("expiresAt", cart.expiresAt());
        body.put("version", cart.version());
        body.put("updatedAt", cart.updatedAt());
        body.put("createdAt", cart.createdAt());
        if (cart.orderId() != null) {
            Map<String, Object> conversion = new LinkedHashMap<>();
            conversion.put("orderId", cart.orderId());
            conversion.put("startedInChannel", cart.channel());
            conversion.put("convertedInChannel", cart.convertedIn());
            conversion.put("convertedAt", cart.closedAt());
            conversion.put("eventId", CartStore.conversionEventId(cart.id()));
            body.put("conversion", conversion);
        }
        if (qr != null) {
            body.put("qr", Map.of("token", qr.token(), "expiresAt", qr.expiresAt()));
        }
        return body;
    }
}
