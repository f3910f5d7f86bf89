package dev.unison.platform.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.ParamDefinition;
import org.apache.camel.model.rest.RestParamType;
import org.apache.camel.model.rest.ResponseMessageDefinition;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;

/**
 * Renders the OpenAPI 3.1 document of the partner API from the REST DSL definitions themselves,
 * so the document cannot drift from the routes. (camel-openapi-java is not served at Camel 4.22
 * here; this covers what our REST DSL declares: paths, verbs, path and query parameters, responses,
 * scopes.) Request and 2xx response bodies are the JSON Schema files of {@link ApiSchemas}, found by
 * operation id ({@code api-schemas/<operationId>.request.schema.json}); OpenAPI 3.1 schema objects
 * are JSON Schema 2020-12, so the files are embedded under {@code components/schemas} unchanged. An
 * operation whose handler reads the body itself (e.g. {@code post-event}) declares its schema by
 * adding that file: the document picks it up without the route validating against it.
 *
 * <p>Statuses: each operation declares its own response messages; the ones the shared edge can
 * answer are added here so the set matches what the routes return: 401/403 for every secured
 * operation, 404 for every operation addressed by a path parameter, and 400 (malformed JSON), 413
 * (over {@link ApiSupport#MAX_BODY_BYTES}), 415 and 422 (schema) for every operation with a body.
 */
public class OpenApiDocument {

    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");
    private final String version;
    private final ApiSchemas schemas;
    private final ScopeCatalog scopes;

    public OpenApiDocument(String version, ApiSchemas schemas, ScopeCatalog scopes) {
        this.scopes = scopes;
        this.version = version;
        this.schemas = schemas;
    }

    public Map<String, Object> render(CamelContext camel) {
        Map<String, Object> paths = new java.util.TreeMap<>();
        Map<String, Object> components = new java.util.TreeMap<>();
        components.put("Error", Map.of("type", "object", "required", List.of("error", "detail"),
                "properties", Map.of("error", Map.of("type", "string"), "detail", Map.of("type", "string"))));
        for (RestDefinition rest : camel.getCamelContextExtension().getContextPlugin(Model.class).getRestDefinitions()) {
            for (VerbDefinition verb : rest.getVerbs()) {
                String path = join(rest.getPath(), verb.getPath());
                @SuppressWarnings("unchecked")
                Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(path, p -> new LinkedHashMap<>());
                item.put(verb.asVerb(), operation(verb, path, components));
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.1.0");
        doc.put("jsonSchemaDialect", "https://json-schema.org/draft/2020-12/schema");
        doc.put("info", Map.of("title", "Unison partner API", "version", version,
                "description", "Authenticate with 'Authorization: Bearer <API key>'. Errors are "
                        + "{\"error\": \"...\", \"detail\": \"...\"}."));
        doc.put("servers", List.of(Map.of("url", "/")));
        doc.put("paths", paths);
        doc.put("components", Map.of(
                "securitySchemes", Map.of("apiKey", Map.of("type", "http", "scheme", "bearer",
                        "description", "a partner API key; each operation needs the scope it names")),
                "schemas", components));
        return doc;
    }

    private Map<String, Object> operation(VerbDefinition verb, String path, Map<String, Object> components) {
        String id = verb.getId();
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("operationId", id);
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
        if (verb.getParams() != null) {
            for (ParamDefinition p : verb.getParams()) {
                if (p.getType() == RestParamType.query || p.getType() == RestParamType.header) {
                    Map<String, Object> param = new LinkedHashMap<>();
                    param.put("name", p.getName());
                    param.put("in", p.getType().name());
                    param.put("required", Boolean.TRUE.equals(p.getRequired()));
                    if (p.getDescription() != null) {
                        param.put("description", p.getDescription());
                    }
                    param.put("schema", Map.of("type", "string"));
                    parameters.add(param);
                }
            }
        }
        if (!parameters.isEmpty()) {
            op.put("parameters", parameters);
        }
        Map<String, Object> responses = new java.util.TreeMap<>();
        boolean hasBody = verb.getConsumes() != null && !verb.getConsumes().isBlank();
        if (hasBody) {
            Object schema = schemas.requestSchema(id).map(json -> component(components, id + ".request", json))
                    .orElse(Map.of("type", "object"));
            Map<String, Object> content = new LinkedHashMap<>();
            for (String mediaType : verb.getConsumes().split(",")) {
                String type = mediaType.trim();
                // a JSON body is typed by its schema file; a file body (CSV, JSON lines) is text the operation describes
                content.put(type, Map.of("schema", type.equals("application/json") || type.endsWith("+json") ? schema
                        : Map.of("type", "string", "contentMediaType", type)));
            }
            op.put("requestBody", Map.of("required", true, "content", content));
            responses.put("400", response("malformed JSON, or not a JSON object", true));
            responses.put("408", response("the body did not arrive within the read deadline", true));
            responses.put("413", response("body over " + ApiSupport.MAX_BODY_BYTES + " bytes", true));
            responses.put("415", response("the body is not " + verb.getConsumes(), true));
            responses.put("422", response("the body breaks its schema; each field named by JSON Pointer; nothing changed", true));
        }
        if (path.contains("{")) {
            responses.put("404", response("no such " + path.replaceAll(".*\\{([^}]+)}.*", "$1"), true));
        }
        Object responseSchema = schemas.responseSchema(id).map(json -> component(components, id + ".response", json))
                .orElse(Map.of("type", "object"));
        if (verb.getResponseMsgs() != null) {
            for (ResponseMessageDefinition r : verb.getResponseMsgs()) {
                responses.put(r.getCode(), r.getCode().startsWith("2")
                        ? success(r.getCode(), r.getMessage(), responseSchema) : response(r.getMessage(), true));
            }
        }
        if (responses.keySet().stream().noneMatch(c -> c.startsWith("2"))) {
            responses.put("200", success("200", "OK", responseSchema));
        }
        Scope scope = scopes.requiredBy(id).orElse(null);
        if (scope != null) {
            op.put("security", List.of(Map.of("apiKey", List.of(scope.wireName()))));
            op.put("description", "Needs scope `" + scope.wireName() + "`.");
            responses.put("401", response("missing, invalid or revoked API key", true));
            responses.put("403", response("the key's partner lacks scope " + scope.wireName(), true));
            responses.put("429", response("over the partner's rate limit, or too many failed authentications from this "
                    + "address; Retry-After says when to try again", true));
        } else {
            op.put("security", List.of());
        }
        op.put("responses", responses);
        return op;
    }

    /**
     * Embeds a schema file under components/schemas (its $schema and $id are the document's
     * business). A {@code $ref} to another of our files or to a canonical model schema (relative refs
     * inside a canonical schema resolve against its $id) embeds that one too, under its own name, so
     * a client reading only this document sees every type.
     */
    private Map<String, Object> component(Map<String, Object> components, String name, JsonNode schema) {
        return component(components, name, schema, ApiSchemas.BASE_URI);
    }

    private Map<String, Object> component(Map<String, Object> components, String name, JsonNode schema, String base) {
        if (!components.containsKey(name)) {
            ObjectNode copy = ((ObjectNode) schema).deepCopy();
            copy.remove("$schema");
            copy.remove("$id");
            components.put(name, copy); // placed before its refs are followed, so a cycle ends here
            rewriteRefs(components, copy, base);
        }
        return Map.of("$ref", "#/components/schemas/" + name);
    }

    private void rewriteRefs(Map<String, Object> components, JsonNode node, String base) {
        if (node instanceof ObjectNode object && object.path("$ref").isTextual()
                && !object.get("$ref").asText().startsWith("#")) {
            String ref = object.get("$ref").asText();
            String uri = ref.contains("://") ? ref : base + ref;
            JsonNode target = schemas.referenced(uri)
                    .orElseThrow(() -> new IllegalStateException("schema $ref to an unknown document: " + uri));
            String targetBase = uri.substring(0, uri.lastIndexOf('/') + 1);
            String file = uri.substring(targetBase.length()).replace(".schema.json", "");
            String targetName = targetBase.equals(ApiSchemas.BASE_URI) ? file : "canonical." + file;
            object.put("$ref", component(components, targetName, target, targetBase).get("$ref").toString());
        }
        node.forEach(child -> rewriteRefs(components, child, base));
    }

    private static Map<String, Object> success(String code, String description, Object schema) {
        if (code.equals("204")) {
            return Map.of("description", description);
        }
        return Map.of("description", description, "content", Map.of("application/json", Map.of("schema", schema)));
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
