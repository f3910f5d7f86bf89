package dev.unison.hub.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.ParamDefinition;
import org.apache.camel.model.rest.ResponseMessageDefinition;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;

/**
 * Renders the OpenAPI 3.0.3 document of the partner API from the REST DSL definitions themselves,
 * so the document cannot drift from the routes. (camel-openapi-java is not served at Camel 4.22
 * here; this covers what our REST DSL declares: paths, verbs, path parameters, responses, scopes.)
 */
public class OpenApiDocument {

    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");
    private final String version;

    public OpenApiDocument(String version) {
        this.version = version;
    }

    public Map<String, Object> render(CamelContext camel) {
        Map<String, Object> paths = new java.util.TreeMap<>();
        for (RestDefinition rest : camel.getCamelContextExtension().getContextPlugin(Model.class).getRestDefinitions()) {
            for (VerbDefinition verb : rest.getVerbs()) {
                String path = join(rest.getPath(), verb.getPath());
                @SuppressWarnings("unchecked")
                Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(path, p -> new LinkedHashMap<>());
                item.put(verb.asVerb(), operation(verb, path));
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.0.3");
        doc.put("info", Map.of("title", "Unison partner API", "version", version,
                "description", "Authenticate with 'Authorization: Bearer <API key>'. Errors are "
                        + "{\"error\": \"...\", \"detail\": \"...\"}."));
        doc.put("servers", List.of(Map.of("url", "/")));
        doc.put("paths", paths);
        doc.put("components", Map.of(
                "securitySchemes", Map.of("apiKey", Map.of("type", "http", "scheme", "bearer",
                        "description", "a partner API key; each operation needs the scope it names")),
                "schemas", Map.of("Error", Map.of("type", "object", "required", List.of("error", "detail"),
                        "properties", Map.of("error", Map.of("type", "string"), "detail", Map.of("type", "string"))))));
        return doc;
    }

    private Map<String, Object> operation(VerbDefinition verb, String path) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("operationId", verb.getId());
        if (verb.getDescriptionText() != null) {
            op.put("summary", verb.getDescriptionText());
        }
        List<Map<String, Object>> parameters = new java.util.ArrayList<>();
        Matcher m = PATH_PARAM.matcher(path);
        while (m.find()) {
            String name = m.group(1);
            String description = verb.getParams() == null ? name : verb.getParams().stream()
                    .filter(p -> name.equals(p.getName())).map(ParamDefinition::getDescription)
                    .filter(java.util.Objects::nonNull).findFirst().orElse(name);
            parameters.add(Map.of("name", name, "in", "path", "required", true, "description", description,
                    "schema", Map.of("type", "string")));
        }
        if (!parameters.isEmpty()) {
            op.put("parameters", parameters);
        }
        if (verb.getConsumes() != null && verb.getConsumes().contains("json")) {
            op.put("requestBody", Map.of("required", true, "content",
                    Map.of("application/json", Map.of("schema", Map.of("type", "object")))));
        }
        Map<String, Object> responses = new java.util.TreeMap<>();
        if (verb.getResponseMsgs() != null) {
            for (ResponseMessageDefinition r : verb.getResponseMsgs()) {
                responses.put(r.getCode(), response(r.getMessage(), !r.getCode().startsWith("2")));
            }
        }
        if (responses.keySet().stream().noneMatch(c -> c.startsWith("2"))) {
            responses.put("200", response("OK", false));
        }
        Scope scope = PartnerApiRoutes.SCOPES.get(verb.getId());
        if (scope != null) {
            op.put("security", List.of(Map.of("apiKey", List.of(scope.wireName()))));
            op.put("description", "Needs scope `" + scope.wireName() + "`.");
            responses.put("401", response("missing, invalid or revoked API key", true));
            responses.put("403", response("the key's partner lacks scope " + scope.wireName(), true));
        } else {
            op.put("security", List.of());
        }
        op.put("responses", responses);
        return op;
    }

    private static Map<String, Object> response(String description, boolean error) {
        if (!error) {
            return Map.of("description", description);
        }
        return Map.of("description", description, "content",
                Map.of("application/json", Map.of("schema", Map.of("$ref", "#/components/schemas/Error"))));
    }

    private static String join(String base, String path) {
        String b = base == null ? "" : base.replaceAll("/+$", "");
        String p = path == null ? "" : (path.startsWith("/") ? path : "/" + path);
        return b + p;
    }
}
