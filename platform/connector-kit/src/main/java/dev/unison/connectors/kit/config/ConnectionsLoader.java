package dev.unison.connectors.kit.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the connections file ({@code config/connections.yaml}) and validates every connection
 * against its connector's configuration schema before anything starts.
 *
 * <pre>
 * connections:
 *   - id: shopify-main
 *     connector: shopify
 *     enabled: true                     # optional, default true
 *     settings:
 *       shopDomain: demo.myshopify.com
 *       accessToken: ${SHOPIFY_ACCESS_TOKEN}          # environment variable
 *       webhookSecret: ${file:/run/secrets/shopify}   # file contents, trimmed
 *       apiVersion: ${SHOPIFY_API_VERSION:2025-10}    # with a default
 * </pre>
 *
 * Secret fields ({@code format: password} in the schema) must come from a placeholder, never
 * inline: credentials do not belong in a file that may be committed.
 */
public final class ConnectionsLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(file:[^}]+|[^}:]+)(?::([^}]*))?}");
    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{1,63}");

    private final Map<String, ConnectorDescriptor> connectors;
    private final Function<String, String> environment;

    /** @param environment looks up environment variables (System::getenv in production) */
    public ConnectionsLoader(Map<String, ConnectorDescriptor> connectors, Function<String, String> environment) {
        this.connectors = Map.copyOf(connectors);
        this.environment = environment;
    }

    public List<Connection> load(InputStream yaml, String origin) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new ConfigurationException(origin, List.of("not valid YAML: " + e.getMessage()));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return List.of();
        }
        List<String> problems = new ArrayList<>();
        List<Connection> connections = new ArrayList<>();
        JsonNode list = root.get("connections");
        if (list == null || !list.isArray()) {
            throw new ConfigurationException(origin, List.of("connections: required list"));
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode entry = list.get(i);
            String id = entry.path("id").asText("");
            String where = id.isEmpty() ? "connections[" + i + "]" : "connections." + id;
            if (!ID.matcher(id).matches()) {
                problems.add(where + ".id: required, must match " + ID.pattern());
                continue;
            }
            if (!ids.add(id)) {
                problems.add(where + ".id: duplicate connection id");
                continue;
            }
            ConnectorDescriptor connector = connectors.get(entry.path("connector").asText(""));
            if (connector == null) {
                problems.add(where + ".connector: unknown connector '" + entry.path("connector").asText("")
                        + "' (known: " + new java.util.TreeSet<>(connectors.keySet()) + ")");
                continue;
            }
            JsonNode rawSettings = entry.path("settings");
            if (!rawSettings.isObject()) {
                problems.add(where + ".settings: required mapping");
                continue;
            }
            ObjectNode settings = rawSettings.deepCopy();
            Map<String, Secret> secrets = new LinkedHashMap<>();
            List<String> own = new ArrayList<>();
            for (Iterator<String> it = rawSettings.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                JsonNode value = rawSettings.get(field);
                if (!value.isTextual()) {
                    continue;
                }
                boolean secret = connector.secretFields().contains(field);
                if (secret && !PLACEHOLDER.matcher(value.asText()).find()) {
                    own.add(where + "." + field + ": a secret must come from ${ENV_VAR} or ${file:/path}, not inline");
                    continue;
                }
                try {
                    String resolved = resolve(value.asText());
                    settings.set(field, TextNode.valueOf(resolved));
                    if (secret) {
                        secrets.put(field, new Secret(resolved));
                    }
                } catch (IllegalArgumentException unresolved) {
                    own.add(where + "." + field + ": " + unresolved.getMessage());
                }
            }
            if (own.isEmpty()) {
                typed(settings, connector.configSchema());
                own.addAll(connector.validateSettings(id, settings));
            }
            problems.addAll(own);
            secrets.keySet().forEach(settings::remove);
            if (own.isEmpty()) {
                connections.add(new Connection(id, connector, entry.path("enabled").asBoolean(true), settings,
                        Map.copyOf(secrets)));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(origin, problems);
        }
        return List.copyOf(connections);
    }

    /**
     * Gives each setting the type its schema declares and fills in the schema's defaults, before
     * validation: a placeholder always yields text ({@code ${GRACE:300}} is "300"), so an integer
     * or boolean written through one is converted here, the way Spring converts a property; a value
     * that does not convert stays text and validation names it. A connector then reads typed,
     * defaulted settings ({@link Connection#integer}) and repeats no default in Java.
     */
    static void typed(ObjectNode settings, JsonNode schema) {
        JsonNode properties = schema.path("properties");
        for (Iterator<String> it = properties.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            JsonNode declared = properties.get(field);
            JsonNode value = settings.get(field);
            if (value == null || value.isNull()) {
                if (declared.has("default")) {
                    settings.set(field, declared.get("default").deepCopy());
                }
                continue;
            }
            if (!value.isTextual()) {
                continue;
            }
            String text = value.asText().strip();
            switch (declared.path("type").asText()) {
                case "integer" -> {
                    if (text.matches("-?[0-9]{1,18}")) {
                        settings.put(field, Long.parseLong(text));
                    }
                }
                case "number" -> {
                    try {
                        settings.put(field, new java.math.BigDecimal(text));
                    } catch (NumberFormatException notANumber) {
                        // stays text: validation reports the type
                    }
                }
                case "boolean" -> {
                    if (text.equals("true") || text.equals("false")) {
                        settings.put(field, Boolean.parseBoolean(text));
                    }
                }
                default -> {
                    // strings stay as they are
                }
            }
        }
    }

    private String resolve(String text) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1).trim();
            String fallback = m.group(2);
            String value;
            if (name.startsWith("file:")) {
                Path file = Path.of(name.substring("file:".length()));
                try {
                    value = Files.readString(file, StandardCharsets.UTF_8).trim();
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot read secret file " + file);
                }
            } else {
                value = environment.apply(name);
                if (value == null || value.isEmpty()) {
                    value = fallback;
                }
                if (value == null) {
                    throw new IllegalArgumentException("environment variable " + name + " is not set");
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
