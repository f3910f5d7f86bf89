package dev.unison.connectors.shopify;

import dev.unison.connectors.kit.config.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A Shopify connection's settings, typed, built from the connection where they are needed (a few
 * lookups in settings the connections loader has already checked against the descriptor's schema
 * and defaulted): the one place the connector's code reads a setting by name. Secrets stay in the
 * {@link Connection} ({@code accessToken}, {@code webhookSecret}).
 *
 * @param locationId the Shopify location whose available quantity the hub sets; empty: no inventory writes
 * @param posLocations Shopify location id to hub location id, for Shopify POS orders
 */
public record ShopifySettings(String shopDomain, String apiVersion, String adminBaseUrl, Optional<String> locationId,
        String channel, int inventoryBatchSize, Duration unknownSkuGrace, String currency, Map<String, String> posLocations) {

    public ShopifySettings {
        posLocations = Map.copyOf(posLocations);
    }

    public static ShopifySettings of(Connection connection) {
        String shopDomain = connection.setting("shopDomain");
        String adminBaseUrl = connection.setting("adminBaseUrl");
        Map<String, String> pos = new TreeMap<>();
        connection.settings().path(ShopifyInboundMapper.POS_LOCATIONS).fields()
                .forEachRemaining(e -> pos.put(e.getKey(), e.getValue().asText()));
        return new ShopifySettings(shopDomain, connection.setting("apiVersion"),
                adminBaseUrl != null ? adminBaseUrl : "https://" + shopDomain,
                Optional.ofNullable(connection.setting("locationId")), connection.setting("channel"),
                (int) connection.integer("inventoryBatchSize"), Duration.ofSeconds(connection.integer("unknownSkuGraceSeconds")),
                connection.setting("currency"), pos);
    }

    /** The location's GraphQL id ({@code gid://shopify/Location/<id>}), when inventory writes are on. */
    public Optional<String> locationGid() {
        return locationId.map(id -> "gid://shopify/Location/" + id);
    }

    /** The Admin API's GraphQL endpoint (shopify.dev "GraphQL Admin API": {@code /admin/api/<version>/graphql.json}). */
    public String graphqlUrl() {
        return adminBaseUrl + "/admin/api/" + apiVersion + "/graphql.json";
    }
}
