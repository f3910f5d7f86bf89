package dev.unison.connectors.tiktok.simulator;

import dev.unison.connectors.kit.simulator.SimRequest;
import dev.unison.connectors.kit.simulator.SimResponse;
import dev.unison.connectors.kit.simulator.SimulatorServer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A TikTok Shop Open API (202309) on TikTok's real paths that checks every request the way the
 * platform does: {@code app_key}, a {@code timestamp} within five minutes, the
 * {@code x-tts-access-token} header, {@code shop_cipher} on shop-scoped calls, and {@code sign}
 * recomputed by its own, independent implementation of the algorithm (not the connector's).
 * Refusals use TikTok's envelope {@code {code, message, request_id, data}}; the numeric codes are
 * the simulator's own, since TikTok publishes no authoritative list we could check.
 *
 * <p>Work in progress (issue 4): signature verification, the envelope, and inventory/order routes
 * that answer once a request is verified; inventory state, order details, rate limits and webhooks
 * come next.
 */
public class TikTokShopSimulator extends SimulatorServer {

    public static final int INVALID_SIGN = 36009004;
    public static final int EXPIRED_TIMESTAMP = 36009003;
    public static final int MISSING_TOKEN = 36009001;
    public static final int UNKNOWN_APP = 36009002;
    public static final int WRONG_SHOP = 36009005;

    private final String appKey;
    private final String appSecret;
    private final String accessToken;
    private final String shopCipher;

    public TikTokShopSimulator(int port, String appKey, String appSecret, String accessToken, String shopCipher,
            Clock clock) {
        super("tiktok-shop", port, clock);
        this.appKey = appKey;
        this.appSecret = appSecret;
        this.accessToken = accessToken;
        this.shopCipher = shopCipher;
        route("POST", "/product/202309/products/(?<product>[0-9]+)/inventory/update",
                verified(true, r -> envelope(0, "Success", "{}")));
        route("GET", "/order/202309/orders", verified(true, r -> envelope(0, "Success", "{\"orders\":[]}")));
    }

    private Handler verified(boolean shopScoped, Handler handler) {
        return request -> {
            String refusal = refusal(request, shopScoped);
            return refusal == null ? handler.apply(request) : error(refusal);
        };
    }

    /** Why the platform would refuse this request, or null when it is properly signed. */
    public String refusal(SimRequest request, boolean shopScoped) {
        List<String[]> params = new ArrayList<>();
        if (request.query() != null) {
            for (String pair : request.query().split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.add(new String[] {k, v});
            }
        }
        Map<String, String> byName = new java.util.HashMap<>();
        params.forEach(p -> byName.put(p[0], p[1]));
        if (request.header("x-tts-access-token") == null || request.header("x-tts-access-token").isEmpty()) {
            return MISSING_TOKEN + " missing x-tts-access-token";
        }
        if (!accessToken.equals(request.header("x-tts-access-token"))) {
            return MISSING_TOKEN + " invalid access token";
        }
        if (!appKey.equals(byName.get("app_key"))) {
            return UNKNOWN_APP + " unknown app_key";
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(byName.getOrDefault("timestamp", ""));
        } catch (NumberFormatException e) {
            return EXPIRED_TIMESTAMP + " timestamp missing or not Unix seconds";
        }
        if (Math.abs(clock.instant().getEpochSecond() - timestamp) > 300) {
            return EXPIRED_TIMESTAMP + " timestamp is more than 5 minutes off";
        }
        if (shopScoped && !shopCipher.equals(byName.get("shop_cipher"))) {
            return WRONG_SHOP + " shop_cipher missing or not this shop's";
        }
        String expected = expectedSign(request.method(), request.path(), params, request.bodyText());
        if (!expected.equals(byName.get("sign"))) {
            return INVALID_SIGN + " invalid sign";
        }
        return null;
    }

    /** An independent implementation of TikTok's signing, to check the connector's against. */
    String expectedSign(String method, String path, List<String[]> params, String body) {
        List<String[]> signed = new ArrayList<>();
        for (String[] p : params) {
            if (!p[0].equals("sign") && !p[0].equals("access_token") && !p[1].isEmpty()) {
                signed.add(p);
            }
        }
        signed.sort((a, b) -> a[0].compareTo(b[0]));
        String joined = String.join("", signed.stream().map(p -> p[0] + p[1]).toList());
        String input = appSecret + path + joined + (method.equals("GET") ? "" : body) + appSecret;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(appSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(input.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SimResponse error(String refusal) {
        int space = refusal.indexOf(' ');
        return envelope(Integer.parseInt(refusal.substring(0, space)), refusal.substring(space + 1), "{}")
                .withStatus(401);
    }

    static SimResponse envelope(int code, String message, String dataJson) {
        return SimResponse.json(200, "{\"code\":" + code + ",\"message\":\"" + message.replace("\"", "'")
                + "\",\"request_id\":\"" + UUID.randomUUID() + "\",\"data\":" + dataJson + "}");
    }
}
