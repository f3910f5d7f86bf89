package dev.unison.platform.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.json.CanonicalJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A small HTTP client for driving the hub from outside in tests. */
public final class HttpApi {

    public record Reply(int status, String body, HttpResponse<String> raw) {
        public JsonNode json() {
            return CanonicalJson.parse(body);
        }
    }

    private final HttpClient client = HttpClient.newHttpClient();
    private final String base;

    public HttpApi(int port) {
        this.base = "http://localhost:" + port;
    }

    public Reply get(String path, String apiKey) {
        return send(request(path, apiKey).GET().build());
    }

    public Reply post(String path, String apiKey, String json) {
        return send(request(path, apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** A POST with its own content type and extra headers (e.g. CloudEvents binary mode's ce-* headers). */
    public Reply post(String path, String apiKey, String contentType, String body, java.util.Map<String, String> headers) {
        HttpRequest.Builder b = request(path, apiKey).header("Content-Type", contentType);
        headers.forEach(b::header);
        return send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public Reply put(String path, String apiKey, String json) {
        return send(request(path, apiKey).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public Reply delete(String path, String apiKey) {
        return send(request(path, apiKey).DELETE().build());
    }

    private HttpRequest.Builder request(String path, String apiKey) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    private Reply send(HttpRequest request) {
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r);
        } catch (IOException e) {
            throw new IllegalStateException(request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
