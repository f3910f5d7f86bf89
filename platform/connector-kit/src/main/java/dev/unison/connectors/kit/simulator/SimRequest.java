package dev.unison.connectors.kit.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/** A request the simulator received, as recorded (headers lower-cased). */
public record SimRequest(String method, String path, String query, Map<String, List<String>> headers, byte[] body,
        Instant receivedAt, Matcher pathMatch) {

    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** A named group of the route's path pattern, e.g. {@code (?<version>[0-9-]+)}. */
    public String pathParam(String group) {
        return pathMatch.group(group);
    }

    /** The value of a query parameter, or null. */
    public String queryParam(String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (java.net.URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
                return eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
