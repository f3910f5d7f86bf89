package dev.unison.canonical.event;

import java.util.List;

/** Canonical data that does not satisfy its JSON Schema; each violation names its field. */
public class CanonicalValidationException extends IllegalArgumentException {

    private final List<String> violations;

    public CanonicalValidationException(String subject, List<String> violations) {
        super(subject + " is invalid: " + String.join("; ", violations));
        this.violations = List.copyOf(violations);
    }

    public List<String> violations() {
        return violations;
    }
}
