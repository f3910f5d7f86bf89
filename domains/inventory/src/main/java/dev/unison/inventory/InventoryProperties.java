package dev.unison.inventory;

import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code unison.inventory.*}, the stock network (docs/configuration.md "Inventory"): every location
 * with the channels whose available-to-sell it feeds, and units held back per channel.
 */
@ConfigurationProperties(prefix = "unison.inventory")
public record InventoryProperties(List<InventoryNetwork.LocationSettings> locations, Map<String, Long> safetyStock,
        java.time.Duration posMaxQueueWait) {

    public InventoryProperties {
        locations = locations == null ? List.of() : locations;
        safetyStock = safetyStock == null ? Map.of() : safetyStock;
        posMaxQueueWait = posMaxQueueWait == null ? java.time.Duration.ofSeconds(2) : posMaxQueueWait;
        if (posMaxQueueWait.isNegative() || posMaxQueueWait.compareTo(java.time.Duration.ofSeconds(50)) > 0) {
            throw new IllegalArgumentException("unison.inventory.pos-max-queue-wait must be 0 (never refuse) to 50s, got "
                    + posMaxQueueWait);
        }
    }
}
