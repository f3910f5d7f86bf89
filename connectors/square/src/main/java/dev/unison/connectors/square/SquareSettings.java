package dev.unison.connectors.square;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.connectors.kit.config.Connection;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A Square connection's settings, typed: the one place the connector reads a setting by name. The
 * descriptor's schema has already checked and defaulted them when the connections file was read
 * (every error names {@code connections.<id>.<field>}); {@link #of} adds what a pattern cannot say.
 * Secrets ({@code accessToken}, {@code signatureKey}) stay in the {@link Connection}.
 *
 * @param notificationUrl the subscription's notification URL, exactly as Square signs it
 * @param locations Square location id to hub location id
 * @param referenceIdAs what a customer's {@code reference_id} is, or empty when it is left out
 */
public record SquareSettings(String merchantId, String notificationUrl, String apiBaseUrl, String squareVersion,
        String channel, Map<String, String> locations, Optional<String> referenceIdAs) {

    public static final String LOCATIONS = "locations";

    public SquareSettings {
        locations = Map.copyOf(locations);
    }

    public static SquareSettings of(Connection connection) {
        String url = connection.setting("notificationUrl");
        try {
            URI parsed = new URI(url);
            if (parsed.getHost() == null) {
                throw new URISyntaxException(url, "no host");
            }
        } catch (URISyntaxException e) {
            // fail fast: a URL that cannot be the subscription's would refuse every notification with 401
            throw new IllegalArgumentException("connections." + connection.id() + ".notificationUrl: not a URL ("
                    + e.getMessage() + ")");
        }
        Map<String, String> locations = new TreeMap<>();
        JsonNode configured = connection.settings().path(LOCATIONS);
        if (configured.isTextual()) {
            // "L1=STORE-7,L2=WH-1": the form a placeholder gives (the schema checked its shape)
            for (String pair : configured.asText().split(",")) {
                String[] parts = pair.split("=", 2);
                if (locations.put(parts[0], parts[1]) != null) {
                    throw new IllegalArgumentException("connections." + connection.id() + "." + LOCATIONS + ": Square location "
                            + parts[0] + " is mapped twice");
                }
            }
        } else {
            configured.fields().forEachRemaining(e -> locations.put(e.getKey(), e.getValue().asText()));
        }
        String referenceIdAs = connection.setting("referenceIdAs");
        return new SquareSettings(connection.setting("merchantId"), url, connection.setting("apiBaseUrl"),
                connection.setting("squareVersion"), connection.setting("channel"), locations,
                "none".equals(referenceIdAs) ? Optional.empty() : Optional.ofNullable(referenceIdAs));
    }

    /** The hub location of a Square location, when the connection maps it. */
    public Optional<String> hubLocation(String squareLocationId) {
        return Optional.ofNullable(squareLocationId).map(locations::get);
    }
}
