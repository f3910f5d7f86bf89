package dev.unison.canonical.identity;

import dev.unison.canonical.model.Identifier;

/** A normalized, unblocked identifier of an observation and the key it is matched on. */
public record Candidate(Identifier identifier, String matchKey) {
}
