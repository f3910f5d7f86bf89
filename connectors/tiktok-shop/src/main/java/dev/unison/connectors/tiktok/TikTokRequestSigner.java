package dev.unison.connectors.tiktok;

import dev.unison.connectors.kit.http.RequestSigner;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Signs every TikTok Shop Open API call: adds {@code app_key}, {@code timestamp} (Unix seconds)
 * and, for shop-scoped calls, {@code shop_cipher} to the query, then {@code sign}
 * ({@link TikTokSignature}); sends the access token in the {@code x-tts-access-token} header.
 */
public final class TikTokRequestSigner implements RequestSigner {

    public static final String ACCESS_TOKEN_HEADER = "x-tts-access-token";

    private final String appKey;
    private final String appSecret;
    private final Supplier<String> accessToken;
    private final String shopCipher;
    private final Clock clock;

    public TikTokRequestSigner(String appKey, String appSecret, Supplier<String> accessToken, String shopCipher, Clock clock) {
        this.appKey = appKey;
        this.appSecret = appSecret;
        this.accessToken = accessToken;
        this.shopCipher = shopCipher;
        this.clock = clock;
    }

    @Override
    public HttpRequest.Builder sign(HttpRequest.Builder request, URI uri, byte[] body) {
        Map<String, String> query = parseQuery(uri.getRawQuery());
        query.put("app_key", appKey);
        query.put("timestamp", String.valueOf(clock.instant().getEpochSecond()));
        if (shopCipher != null && !shopCipher.isEmpty()) {
            query.put("shop_cipher", shopCipher);
        }
        query.remove("sign");
        String method = body.length == 0 ? "GET" : "POST"; // a body is signed exactly when one is sent
        query.put("sign", TikTokSignature.sign(appSecret, method, uri.getRawPath(), query,
                new String(body, StandardCharsets.UTF_8)));
        StringBuilder rebuilt = new StringBuilder();
        query.forEach((k, v) -> rebuilt.append(rebuilt.length() == 0 ? "" : "&")
                .append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        URI signed = URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath() + "?" + rebuilt);
        return request.uri(signed).header(ACCESS_TOKEN_HEADER, accessToken.get());
    }

    static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.put(key, value);
        }
        return query;
    }
}
