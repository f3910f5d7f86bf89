package dev.unison.connectors.kit.mapping;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.unison.canonical.json.CanonicalJson;

/**
 * One declarative mapping (external message ↔ canonical), written in JSONata and compiled once.
 * JSONata numbers are doubles: mappings pass money through as strings, never as numbers.
 */
public final class Mapping {

    private final String name;
    private final Jsonata expression;

    Mapping(String name, String source) {
        this.name = name;
        try {
            this.expression = Jsonata.jsonata(source);
        } catch (RuntimeException e) {
            throw new MappingException("mapping " + name + " does not compile: " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    /** Applies the mapping; an input that cannot be mapped raises {@link MappingException} naming the mapping. */
    public JsonNode apply(JsonNode input) {
        Object plain = CanonicalJson.mapper().convertValue(input, Object.class);
        Object result;
        try {
            result = expression.evaluate(plain);
        } catch (RuntimeException e) {
            throw new MappingException("mapping " + name + " failed: " + e.getMessage(), e);
        }
        return result == null ? NullNode.instance : CanonicalJson.mapper().valueToTree(result);
    }
}
