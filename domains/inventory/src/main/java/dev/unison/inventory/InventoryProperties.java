package dev.unison.inventory;

import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code unison.inventory.*}, the stock network (docs/configuration.md "Inventory"): every location
 * with the channels whose available-to-sell it feeds, and units held back per channel.
 */
@ConfigurationProperties(prefix = "unison.inventory")
public record InventoryProperties(List<InventoryNetwork.LocationSettings> locations, Map<String, Long> safetyStock) {

    public InventoryProperties {
        locations = locations == null ? List.of() : locations;
        safetyStock = safetyStock == null ? Map.of() : safetyStock;
    }
}
