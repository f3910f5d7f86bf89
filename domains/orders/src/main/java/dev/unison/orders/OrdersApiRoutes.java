package dev.unison.orders;

import dev.unison.identity.PiiMask;
import dev.unison.identity.ProfileDirectory;
import dev.unison.platform.edge.ApiException;
import dev.unison.platform.edge.ApiRoutes;
import dev.unison.platform.edge.ApiSchemas;
import dev.unison.platform.edge.ApiSupport;
import dev.unison.platform.edge.Scope;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.model.rest.RestParamType;

/**
 * The orders domain's part of the partner API: the canonical order the hub holds for a channel's
 * order id, masked unless the caller holds {@code pii:read}, with the profile it belongs to now.
 */
public class OrdersApiRoutes extends ApiRoutes {

    private final OrderStore orders;
    private final ProfileDirectory profiles;

    public OrdersApiRoutes(ApiSupport api, ApiSchemas schemas, OrderStore orders, ProfileDirectory profiles) {
        super(api, schemas);
        this.orders = orders;
        this.profiles = profiles;
    }

    @Override
    public void configure() {
        jsonErrors();

        rest(BASE)
                .get("/orders/{channel}/{externalId}").id("get-order")
                    .description("The canonical order the hub holds for a channel's order id")
                    .param().name("channel").type(RestParamType.path).description("channel, e.g. shopify").endParam()
                    .param().name("externalId").type(RestParamType.path).description("the channel's own order id").endParam()
                    .produces("application/json")
                    .responseMessage().code(404).message("no such order").endResponseMessage()
                    .to("direct:get-order");

        secured("get-order", OrderScopes.ORDERS_READ, e -> {
            String channel = e.getIn().getHeader("channel", String.class);
            String externalId = e.getIn().getHeader("externalId", String.class);
            OrderStore.StoredOrder stored = orders.find(channel, externalId)
                    .orElseThrow(() -> ApiException.notFound("no " + channel + " order " + externalId));
            Map<String, Object> body = new LinkedHashMap<>();
            if (ApiSupport.principal(e).has(Scope.PII_READ)) {
                body.put("order", stored.order());
            } else {
                body.put("order", PiiMask.order(stored.order()));
                body.put("maskedIdentifiers", PiiMask.maskedContacts(stored.order()));
            }
            // the live profile: after a merge the order follows the survivor
            body.put("profileId", profiles.profileOfTransaction(stored.order().id()).orElse(null));
            body.put("eventId", stored.eventId());
            body.put("updatedAt", stored.updatedAt());
            ApiSupport.respond(e, 200, body);
        });
    }
}
