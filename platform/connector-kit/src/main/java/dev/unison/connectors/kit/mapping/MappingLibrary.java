package dev.unison.connectors.kit.mapping;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * All mappings of the hub, by name {@code <system>/<message-type>} (the file
 * {@code mappings/<system>/<message-type>.jsonata}). Every mapping is compiled when the library is
 * built, so a broken mapping stops start-up instead of failing the first message.
 */
public final class MappingLibrary {

    public static final String FILE_SUFFIX = ".jsonata";

    private final Map<String, Mapping> mappings;

    private MappingLibrary(Map<String, Mapping> mappings) {
        this.mappings = mappings;
    }

    /** Compiles mapping sources keyed by name; fails naming the first mapping that does not compile. */
    public static MappingLibrary compile(Map<String, String> sourcesByName) {
        Map<String, Mapping> compiled = new TreeMap<>();
        sourcesByName.forEach((name, source) -> compiled.put(name, new Mapping(name, source)));
        return new MappingLibrary(Map.copyOf(compiled));
    }

    public Mapping mapping(String system, String messageType) {
        String name = system + "/" + messageType;
        Mapping mapping = mappings.get(name);
        if (mapping == null) {
            throw new MappingException("no mapping " + name + FILE_SUFFIX + " (known: " + names() + ")");
        }
        return mapping;
    }

    public Set<String> names() {
        return new java.util.TreeSet<>(mappings.keySet());
    }
}
