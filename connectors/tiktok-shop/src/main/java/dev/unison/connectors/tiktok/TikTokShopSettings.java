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
        String apiBaseUrl, String authBaseUrl, String channel, int requestsPerSecond, Duration unknownSkuGrace) {

    public static TikTokShopSettings of(Connection connection) {
        return new TikTokShopSettings(connection.setting("appKey"), connection.setting("shopCipher"),
                Optional.ofNullable(connection.setting("shopId")), connection.setting("warehouseId"),
                connection.setting("apiBaseUrl"), connection.setting("authBaseUrl"), connection.setting("channel"),
                (int) connection.integer("requestsPerSecond"), Duration.ofSeconds(connection.integer("unknownSkuGraceSeconds")));
    }
}
