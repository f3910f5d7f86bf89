package dev.unison.connectors.kit.config;

import java.util.List;

/** Configuration that cannot be used; lists every problem, each naming its field. */
public class ConfigurationException extends RuntimeException {

    private final List<String> problems;

    public ConfigurationException(String origin, List<String> problems) {
        super(origin + " is invalid:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
