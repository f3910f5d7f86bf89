package dev.unison.connectors.tiktok;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.http.ApiClient;
import dev.unison.connectors.kit.http.FeedbackRateLimiter;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.CredentialStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TikTok Shop connection's Open API (202309): every call signed ({@link TikTokRequestSigner}),
 * paced to {@code requestsPerSecond} through the kit's {@link ApiClient}, answered in TikTok's
 * envelope {@code {code, message, request_id, data}} where a non-zero {@code code} is an error
 * (TikTok Shop Partner Center, "API overview: common response").
 *
 * <p>Tokens (TikTok Shop Partner Center, "Authorization overview"): the access token goes in the
 * {@code x-tts-access-token} header; when a call is refused for the token, the client refreshes it
 * once with {@code GET {auth}/api/v2/token/refresh?app_key&app_secret&refresh_token&grant_type=refresh_token}
 * (unsigned) and repeats the call. A refresh the auth API refuses (or no refresh token), or a seller deauthorization webhook
 * (TikTok Shop Partner Center, "Webhooks: Seller deauthorization", type 6), marks the connection
 * unauthorized: nothing is sent until it is authorised again, queued work stays queued, and the
 * state is reported where operators see connection checks.
 *
 * <p>Both survive restarts through the hub's {@link CredentialStore}: refreshed tokens are stored
 * (encrypted by the hub) and used instead of the configured ones, because the auth API may rotate
 * the refresh token and the configured one then no longer works; a deauthorization is stored and
 * consulted before every call, so a restarted hub (or another instance) stays silent towards a
 * shop that revoked the app. Re-authorising means configuring the new tokens the seller's new
 * authorization produced: when the configured tokens differ from those last seen, the stored
 * tokens and the deauthorization are dropped.
 */
public final class TikTokShopClient {

    private static final Logger log = LoggerFactory.getLogger(TikTokShopClient.class);
    /** Keys in the credential store. */
    static final String ACCESS_TOKEN = "accessToken";
    static final String REFRESH_TOKEN = "refreshToken";
    static final String CONFIGURED = "configuredTokensDigest";


    /** What became of a call. */
    public sealed interface Outcome {
        /** {@code code} 0: the envelope's {@code data}. */
        record Answered(JsonNode data) implements Outcome {
        }

        /** Not sent or not applied; send the same work again later. */
        record Later(String why) implements Outcome {
        }

        /** Refused for good (4xx, or a non-zero code that is not about credentials). */
        record Refused(String reason) implements Outcome {
        }
    }

    private final Connection connection;
    private final ApiClient api;
    private final HttpClient http;
    private final ConnectorContext context;
    private final Clock clock;
    private final TikTokRequestSigner signer;
    private final double perCall = 1;
    private volatile String accessToken;
    private volatile String refreshToken;
    private volatile String unauthorized;
    private final CredentialStore credentials;
    private final TikTokShopSettings settings;

    public TikTokShopClient(Connection connection, HttpClient http, CircuitBreaker breaker, ConnectorContext context,
            Clock clock) {
        this.connection = connection;
        this.http = http;
        this.context = context;
        this.clock = clock;
        this.settings = TikTokShopSettings.of(connection);
        int rate = settings.requestsPerSecond();
        this.api = new ApiClient(connection.id(), "TikTok Shop", http, breaker, context.metrics(),
                FeedbackRateLimiter.of(rate, rate, 0), Set.of(401, 403), clock);
        this.credentials = context.credentials();
        restoreCredentials(connection.requireSecret("accessToken").reveal(),
                connection.secret("refreshToken").map(s -> s.reveal()).orElse(null));
        this.signer = new TikTokRequestSigner(settings.appKey(), connection.requireSecret("appSecret").reveal(),
                () -> accessToken, settings.shopCipher(), clock);
    }

    /**
     * Starts from the newest tokens the hub stored for this connection, unless the configured ones
     * changed since they were last seen (the operator configured a new authorization): then those
     * apply and the stored tokens and any deauthorization are dropped.
     */
    private void restoreCredentials(String configuredAccess, String configuredRefresh) {
        String digest = sha256Hex(configuredAccess + "\n" + (configuredRefresh == null ? "" : configuredRefresh));
        Optional<String> seen = credentials.get(connection.id(), CONFIGURED);
        accessToken = configuredAccess;
        refreshToken = configuredRefresh;
        if (seen.isPresent() && !seen.get().equals(digest)) {
            credentials.clear(connection.id());
            if (credentials.deauthorization(connection.id()).isPresent()) {
                log.info("TikTok Shop connection {}: new credentials configured; the stored deauthorization is lifted",
                        connection.id());
            }
            credentials.reauthorize(connection.id());
        } else if (seen.isPresent()) {
            accessToken = credentials.get(connection.id(), ACCESS_TOKEN).orElse(configuredAccess);
            refreshToken = credentials.get(connection.id(), REFRESH_TOKEN).orElse(configuredRefresh);
        }
        if (seen.isEmpty() || !seen.get().equals(digest)) {
            credentials.putAll(connection.id(), Map.of(CONFIGURED, digest));
        }
        checkStoredAuthorization();
    }

    /**
     * Adopts a deauthorization stored by this or another hub instance (a webhook may reach any of
     * them); cheap enough to run before every call: one primary-key read.
     */
    private boolean checkStoredAuthorization() {
        if (unauthorized != null) {
            return false;
        }
        Optional<CredentialStore.Deauthorization> stored = credentials.deauthorization(connection.id());
        if (stored.isEmpty()) {
            return true;
        }
        unauthorized = stored.get().reason() + " (since " + stored.get().since() + ")";
        log.warn("TikTok Shop connection {} is deauthorized: {}; nothing is sent, pending updates stay queued until "
                + "it is authorised again", connection.id(), unauthorized);
        context.reportStatus(connection.id(), CheckResult.failed("unauthorized: " + unauthorized));
        return false;
    }

    /** True when a call may go now: authorised, within the rate, circuit closed. */
    public boolean ready() {
        return checkStoredAuthorization() && api.ready(perCall);
    }

    /** Why the connection may not send, when the seller revoked it or its token could not be refreshed. */
    public Optional<String> unauthorizedReason() {
        checkStoredAuthorization();
        return Optional.ofNullable(unauthorized);
    }

    /** Seller deauthorization (webhook type 6): stop sending until the connection is re-authorised. */
    public void deauthorize(String why) {
        CredentialStore.Deauthorization stored = credentials.deauthorize(connection.id(), why);
        boolean already = unauthorized != null;
        unauthorized = stored.reason() + " (since " + stored.since() + ")";
        if (already) {
            return; // the webhook receiver and the inbox mapping both see a type 6 notification
        }
        log.warn("TikTok Shop connection {} deauthorized: {}; nothing is sent until it is authorised again",
                connection.id(), unauthorized);
        context.reportStatus(connection.id(), CheckResult.failed("unauthorized: " + unauthorized));
    }

    public Outcome get(String what, String path, String query) {
        return call(what, "GET", path, query, null);
    }

    public Outcome post(String what, String path, JsonNode body) {
        return call(what, "POST", path, null, CanonicalJson.write(body).getBytes(StandardCharsets.UTF_8));
    }

    private synchronized Outcome call(String what, String method, String path, String query, byte[] body) {
        for (int attempt = 0; ; attempt++) {
            if (!checkStoredAuthorization()) {
                return new Outcome.Later("connection unauthorized: " + unauthorized);
            }
            ApiClient.Outcome outcome = api.send(what, request(method, path, query, body), perCall);
            if (outcome instanceof ApiClient.Outcome.Answered answered) {
                JsonNode envelope;
                try {
                    envelope = CanonicalJson.parse(answered.body());
                } catch (IllegalArgumentException e) {
                    return new Outcome.Later("unreadable answer: " + e.getMessage());
                }
                if (envelope.path("code").asLong(-1) == 0) {
                    return new Outcome.Answered(envelope.path("data"));
                }
                return new Outcome.Refused("TikTok Shop answered code " + envelope.path("code").asText() + ": "
                        + envelope.path("message").asText() + " (request_id " + envelope.path("request_id").asText() + ")");
            }
            if (outcome instanceof ApiClient.Outcome.Unauthorized refused) {
                Refresh refresh = attempt == 0 ? refresh() : Refresh.REFUSED;
                if (refresh == Refresh.REFRESHED) {
                    continue; // the same call once more with the new token
                }
                if (refresh == Refresh.UNREACHABLE) {
                    return new Outcome.Later(api.backOff(Optional.empty(), "token refresh unreachable").why());
                }
                if (unauthorized == null) {
                    markUnauthorized("access token refused (HTTP " + refused.status() + ": "
                            + ApiClient.abbreviate(refused.body()) + ") and no refresh succeeded");
                }
                return new Outcome.Later("connection unauthorized: " + unauthorized);
            }
            if (outcome instanceof ApiClient.Outcome.Refused refused) {
                return new Outcome.Refused(refused.reason());
            }
            return new Outcome.Later(((ApiClient.Outcome.Later) outcome).why());
        }
    }

    private HttpRequest request(String method, String path, String query, byte[] body) {
        String base = settings.apiBaseUrl();
        URI uri = URI.create(base + path + (query == null || query.isEmpty() ? "" : "?" + query));
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        if (body == null) {
            builder.GET();
        } else {
            builder.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        }
        return signer.sign(builder, uri, body == null ? new byte[0] : body).build();
    }

    /**
     * Exchanges the refresh token for a new access token (the answer's {@code data.access_token},
     * {@code data.refresh_token}; {@code access_token_expire_in} is a Unix time). Returns false when
     * there is no refresh token or the auth API refuses it.
     */
    private enum Refresh { REFRESHED, REFUSED, UNREACHABLE }

    private Refresh refresh() {
        if (refreshToken == null) {
            return Refresh.REFUSED;
        }
        String base = settings.authBaseUrl();
        URI uri = URI.create(base + "/api/v2/token/refresh?app_key=" + enc(settings.appKey())
                + "&app_secret=" + enc(connection.requireSecret("appSecret").reveal())
                + "&refresh_token=" + enc(refreshToken) + "&grant_type=refresh_token");
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode envelope = CanonicalJson.parse(response.body());
            JsonNode data = envelope.path("data");
            if (response.statusCode() != 200 || envelope.path("code").asLong(-1) != 0 || !data.hasNonNull("access_token")) {
                markUnauthorized("token refresh refused: code " + envelope.path("code").asText() + " "
                        + envelope.path("message").asText());
                return Refresh.REFUSED;
            }
            accessToken = data.get("access_token").asText();
            if (data.hasNonNull("refresh_token")) {
                refreshToken = data.get("refresh_token").asText();
            }
            // stored before the new token is used: a restart must not fall back to a rotated-out token
            credentials.putAll(connection.id(), refreshToken == null ? Map.of(ACCESS_TOKEN, accessToken)
                    : Map.of(ACCESS_TOKEN, accessToken, REFRESH_TOKEN, refreshToken));
            context.metrics().count(connection.id(), "token_refresh", "ok");
            context.reportStatus(connection.id(), CheckResult.ok("access token refreshed; valid until "
                    + Instant.ofEpochSecond(data.path("access_token_expire_in").asLong(clock.instant().getEpochSecond()))));
            return Refresh.REFRESHED;
        } catch (IOException | IllegalArgumentException e) {
            context.metrics().count(connection.id(), "token_refresh", "network_error");
            return Refresh.UNREACHABLE; // the work waits, the connection is not condemned
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Refresh.UNREACHABLE;
        }
    }

    private void markUnauthorized(String why) {
        context.metrics().count(connection.id(), "token_refresh", "refused");
        deauthorize(why);
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
    }
}
