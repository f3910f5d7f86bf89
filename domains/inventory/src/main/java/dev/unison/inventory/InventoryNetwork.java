package dev.unison.inventory;

import dev.unison.canonical.model.Location;
import dev.unison.canonical.model.LocationType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The stock network: which locations exist, which channels each serves, and the safety stock held
 * back per channel (optionally per location). Configured under {@code unison.inventory}
 * (docs/configuration.md); a location or channel the network does not declare is refused.
 */
public final class InventoryNetwork {

    /** One location as configured; {@code safetyStock} overrides the channel default at this location. */
    public record LocationSettings(String id, LocationType type, String name, List<String> channels,
            Map<String, Long> safetyStock) {
        public LocationSettings {
            channels = channels == null ? List.of() : List.copyOf(channels);
            safetyStock = safetyStock == null ? Map.of() : Map.copyOf(safetyStock);
        }
    }

    private final Map<String, LocationSettings> locations = new LinkedHashMap<>();
    private final Map<String, Long> channelSafetyStock;
    private final SortedSet<String> channels = new TreeSet<>();

    public InventoryNetwork(Collection<LocationSettings> locations, Map<String, Long> channelSafetyStock) {
        List<String> problems = new ArrayList<>();
        for (LocationSettings l : locations) {
            if (l.id() == null || l.id().isBlank() || l.id().length() > 64) {
                problems.add("unison.inventory.locations: every location needs an id of 1..64 characters");
                continue;
            }
            if (this.locations.put(l.id(), l) != null) {
                problems.add("unison.inventory.locations: location " + l.id() + " is declared twice");
            }
            l.safetyStock().forEach((channel, units) -> {
                if (units < 0) {
                    problems.add("unison.inventory.locations." + l.id() + ".safety-stock." + channel + ": must be >= 0");
                }
            });
            channels.addAll(l.channels());
        }
        this.channelSafetyStock = channelSafetyStock == null ? Map.of() : Map.copyOf(channelSafetyStock);
        this.channelSafetyStock.forEach((channel, units) -> {
            if (units < 0) {
                problems.add("unison.inventory.safety-stock." + channel + ": must be >= 0");
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join("; ", problems));
        }
    }

    public Optional<LocationSettings> location(String id) {
        return Optional.ofNullable(locations.get(id));
    }

    public Collection<LocationSettings> locations() {
        return locations.values();
    }

    /** Every channel at least one location serves: the channels whose availability the hub publishes. */
    public SortedSet<String> channels() {
        return channels;
    }

    public boolean serves(String locationId, String channel) {
        LocationSettings l = locations.get(locationId);
        return l != null && l.channels().contains(channel);
    }

    public long safetyStock(String channel, String locationId) {
        LocationSettings l = locations.get(locationId);
        if (l != null && l.safetyStock().containsKey(channel)) {
            return l.safetyStock().get(channel);
        }
        return channelSafetyStock.getOrDefault(channel, 0L);
    }

    public List<Location> asCanonical() {
        return locations.values().stream()
                .map(l -> new Location(l.id(), l.type() == null ? LocationType.STORE : l.type(),
                        l.name() == null ? l.id() : l.name(), l.channels()))
                .toList();
    }
}
