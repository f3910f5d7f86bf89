package dev.unison.connectors.tiktok;

import dev.unison.connectors.kit.config.Connection;
import java.time.Duration;
import java.util.Optional;

/**
 * A TikTok Shop connection's settings, typed, built from the connection where they are needed
 * (checked against the descriptor's schema and defaulted by the connections loader): the one place
 * the connector's code reads a setting by name. Secrets stay in the {@link Connection} ({@code appSecret},
 * {@code accessToken}, {@code refreshToken}).
 *
 * @param shopId the shop webhooks must name; empty: any shop the app key's signature covers
 */
public record TikTokShopSettings(String appKey, String shopCipher, Optional<String> shopId, String warehouseId,
        String apiBaseUrl, String authBaseUrl, String channel, int requestsPerSecond, Duration unknownSkuGrace,
        java.util.Map<String, String> warehouseLocations) {

    /** The setting naming each TikTok warehouse's hub location (where an order is fulfilled from). */
    public static final String WAREHOUSE_LOCATIONS = "warehouseLocations";

    public TikTokShopSettings {
        warehouseLocations = java.util.Map.copyOf(warehouseLocations);
    }

    public static TikTokShopSettings of(Connection connection) {
        java.util.Map<String, String> warehouses = new java.util.TreeMap<>();
        connection.settings().path(WAREHOUSE_LOCATIONS).fields()
                .forEachRemaining(e -> warehouses.put(e.getKey(), e.getValue().asText()));
        return new TikTokShopSettings(connection.setting("appKey"), connection.setting("shopCipher"),
                Optional.ofNullable(connection.setting("shopId")), connection.setting("warehouseId"),
                connection.setting("apiBaseUrl"), connection.setting("authBaseUrl"), connection.setting("channel"),
                (int) connection.integer("requestsPerSecond"), Duration.ofSeconds(connection.integer("unknownSkuGraceSeconds")),
                warehouses);
    }
}
