package dev.unison.platform.retention;

import java.time.Duration;
import java.util.Objects;

/**
 * One kind of row the retention sweep deletes: the statement deleting a batch of them (its
 * parameters: the cutoff, then the batch size) and how long they are kept. The platform has its
 * own ({@link RetentionSweeper.Settings#platformRules()}); a domain contributes the rules of its
 * tables as beans, so the platform names no domain's table.
 *
 * @param localTimestamp the cutoff is bound as a timestamp without time zone (in the JVM's zone)
 */
public record RetentionRule(String name, Duration keep, String deleteBatch, boolean localTimestamp) {

    public RetentionRule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keep, name + ": keep");
        Objects.requireNonNull(deleteBatch, name + ": deleteBatch");
    }
}
