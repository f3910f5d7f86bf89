package dev.unison.connectors.kit.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.connectors.kit.config.Secret;
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
import java.util.Base64;

/**
 * Access tokens of the OAuth 2.0 client credentials grant (RFC 6749 section 4.4), as Salesforce
 * Account Manager (B2C Commerce API client) and Criteo's API hand them out: a form POST of
 * {@code grant_type=client_credentials} (and {@code scope} when configured) to the token endpoint,
 * the client authenticated with HTTP Basic (RFC 6749 section 2.3.1, {@link Authentication#BASIC})
 * or with {@code client_id}/{@code client_secret} in the body ({@link Authentication#BODY}); the
 * answer's {@code access_token} and {@code expires_in} (section 5.1). A token is reused until
 * shortly before it expires (the last tenth of its life, at least a minute), so a call never
 * leaves with one about to lapse; {@link #invalidate(String)} after an API's 401 makes the next call
 * fetch a new one. A refused client ({@code invalid_client}, {@code unauthorized_client}, 401;
 * section 5.2) is {@link CredentialsRefused}; anything else from the endpoint is an
 * {@link IOException} to retry.
 *
 * <p>{@link #refreshTokenGrant} holds the access tokens of a long-lived refresh token instead
 * (RFC 6749 section 6), as Login with Amazon issues them to Amazon Ads API clients: {@code
 * grant_type=refresh_token}, the refresh token and the client in the form body ("Login with Amazon
 * Developer Guide for Websites", access token requests); a revoked refresh token
 * ({@code invalid_grant}) is {@link CredentialsRefused} as well.
 */
public final class ClientCredentials {

    /** How the client proves itself to the token endpoint. */
    public enum Authentication { BASIC, BODY }

    private final HttpClient http;
    private final URI tokenEndpoint;
    private final String clientId;
    private final Secret clientSecret;
    private final String scope;
    private final Authentication authentication;
    private final Clock clock;
    private final Duration timeout;
    private final Secret refreshToken;
    private String token;
    private Instant renewAt = Instant.MIN;
    private int fetched;

    public ClientCredentials(HttpClient http, URI tokenEndpoint, String clientId, Secret clientSecret, String scope,
            Authentication authentication, Clock clock, Duration timeout) {
        this(http, tokenEndpoint, clientId, clientSecret, scope, authentication, null, clock, timeout);
    }

    private ClientCredentials(HttpClient http, URI tokenEndpoint, String clientId, Secret clientSecret, String scope,
            Authentication authentication, Secret refreshToken, Clock clock, Duration timeout) {
        this.refreshToken = refreshToken;
        this.http = http;
        this.tokenEndpoint = tokenEndpoint;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.scope = scope;
        this.authentication = authentication;
        this.clock = clock;
        this.timeout = timeout;
    }

    /** Access tokens of a refresh token (RFC 6749 section 6), the client authenticated in the form body. */
    public static ClientCredentials refreshTokenGrant(HttpClient http, URI tokenEndpoint, String clientId, Secret clientSecret,
            Secret refreshToken, Clock clock, Duration timeout) {
        return new ClientCredentials(http, tokenEndpoint, clientId, clientSecret, null, Authentication.BODY,
                java.util.Objects.requireNonNull(refreshToken, "refreshToken"), clock, timeout);
    }

    /** A token valid for a while yet: the cached one, or a new one from the token endpoint. */
    public synchronized String accessToken() throws CredentialsRefused, IOException, InterruptedException {
        if (token == null || !clock.instant().isBefore(renewAt)) {
            fetch();
        }
        return token;
    }

    /**
     * Forgets a token the API answered 401 to: the next {@link #accessToken()} fetches a new one
     * (unless another caller has already renewed it).
     */
    public synchronized void invalidate(String refused) {
        if (refused != null && refused.equals(token)) {
            token = null;
        }
    }

    /**
     * A connector's {@code check}: a token fetched now proves the endpoint is reachable and the
     * client (and refresh token) accepted; read-only. {@code accepted} is the detail when it is.
     */
    public dev.unison.connectors.kit.spi.CheckResult check(String accepted) {
        try {
            synchronized (this) {
                fetch();
            }
            return dev.unison.connectors.kit.spi.CheckResult.ok(accepted);
        } catch (CredentialsRefused refused) {
            return dev.unison.connectors.kit.spi.CheckResult.failed(refused.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return dev.unison.connectors.kit.spi.CheckResult.failed("interrupted");
        } catch (IOException | RuntimeException e) {
            return dev.unison.connectors.kit.spi.CheckResult.failed("token endpoint " + tokenEndpoint + " unreachable: " + e.getMessage());
        }
    }

    /** How many tokens were fetched so far (an operator's and a test's view of the endpoint's load). */
    public synchronized int tokensFetched() {
        return fetched;
    }

    private void fetch() throws CredentialsRefused, IOException, InterruptedException {
        StringBuilder form = new StringBuilder(refreshToken == null ? "grant_type=client_credentials"
                : "grant_type=refresh_token&refresh_token=" + enc(refreshToken.reveal()));
        if (scope != null && !scope.isBlank()) {
            form.append("&scope=").append(enc(scope));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(tokenEndpoint).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json");
        if (authentication == Authentication.BASIC) {
            // RFC 6749 2.3.1: id and secret form-encoded, then joined with ':' and Base64-encoded
            String pair = enc(clientId) + ":" + enc(clientSecret.reveal());
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        } else {
            form.append("&client_id=").append(enc(clientId)).append("&client_secret=").append(enc(clientSecret.reveal()));
        }
        HttpResponse<String> response = http.send(request.POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body;
        try {
            body = CanonicalJson.mapper().readTree(response.body());
        } catch (IOException notJson) {
            body = CanonicalJson.mapper().createObjectNode();
        }
        String error = body.path("error").asText("");
        if (response.statusCode() == 401 || error.equals("invalid_client") || error.equals("unauthorized_client")
                || (refreshToken != null && error.equals("invalid_grant"))) {
            throw new CredentialsRefused("the token endpoint refused client " + clientId + " (" + response.statusCode()
                    + (error.isEmpty() ? "" : " " + error) + ")");
        }
        if (response.statusCode() != 200 || !body.path("access_token").isTextual()) {
            throw new IOException("token endpoint " + tokenEndpoint + " answered " + response.statusCode()
                    + (error.isEmpty() ? "" : " " + error) + " without an access token");
        }
        // at most a year: an absurd expires_in must not overflow the clock arithmetic
        long lifetime = Math.max(0, Math.min(body.path("expires_in").asLong(3600), Duration.ofDays(365).toSeconds()));
        Instant now = clock.instant();
        token = body.get("access_token").asText();
        renewAt = now.plusSeconds(lifetime - Math.max(Math.min(60, lifetime / 2), lifetime / 10));
        fetched++;
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
