package dev.unison.canonical.pos;

import java.util.List;

/** A POS transaction that cannot be accepted; each violation names its field ({@code lines[0].quantity: ...}). */
public class PosValidationException extends RuntimeException {

    private final List<String> violations;

    public PosValidationException(List<String> violations) {
        super(String.join("; ", violations));
        this.violations = List.copyOf(violations);
    }

    public List<String> violations() {
        return violations;
    }
}
