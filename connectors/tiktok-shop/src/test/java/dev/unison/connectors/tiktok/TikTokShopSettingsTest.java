package dev.unison.connectors.tiktok;

import dev.unison.platform.testkit.MemoryConnectorContext;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TikTokShopSettingsTest {

    private static TikTokShopSettings settings(String extra) {
        var context = new MemoryConnectorContext(new TikTokShopConnector().descriptor(), """
                connections:
                  - id: tt
                    connector: tiktok-shop
                    settings:
                      appKey: app
                      appSecret: ${SECRET}
                      accessToken: ${TOKEN}
                      shopCipher: CIPHER
                      warehouseId: '7'
                """ + extra, Map.of("SECRET", "secret", "TOKEN", "TTP_token"), Clock.systemUTC());
        return TikTokShopSettings.of(context.connections.get(0));
    }

    @Test
    void defaultsComeFromTheDescriptor() {
        TikTokShopSettings s = settings("");
        assertThat(s.appKey()).isEqualTo("app");
        assertThat(s.shopCipher()).isEqualTo("CIPHER");
        assertThat(s.warehouseId()).isEqualTo("7");
        assertThat(s.shopId()).isEmpty();
        assertThat(s.apiBaseUrl()).isEqualTo("https://open-api.tiktokglobalshop.com");
        assertThat(s.authBaseUrl()).isEqualTo("https://auth.tiktok-shops.com");
        assertThat(s.channel()).isEqualTo("tiktok-shop");
        assertThat(s.requestsPerSecond()).isEqualTo(10);
        assertThat(s.unknownSkuGrace()).isEqualTo(Duration.ofSeconds(300));
    }

    @Test
    void setValuesAreTyped() {
        TikTokShopSettings s = settings("""
                      shopId: '123'
                      requestsPerSecond: '4'
                      unknownSkuGraceSeconds: '0'
                """);
        assertThat(s.shopId()).contains("123");
        assertThat(s.requestsPerSecond()).isEqualTo(4);
        assertThat(s.unknownSkuGrace()).isZero();
    }
}
