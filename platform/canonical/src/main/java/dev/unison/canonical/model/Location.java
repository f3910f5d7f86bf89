package dev.unison.canonical.model;

import java.util.List;

/** A store or warehouse and the channels whose availability it contributes to. */
public record Location(String id, LocationType type, String name, List<String> channels) implements CanonicalRecord {
    public Location {
        channels = channels == null ? List.of() : List.copyOf(channels);
    }

    @Override
    public String partitionKey() {
        return id;
    }
}
