package dev.unison.attribution;

import dev.unison.canonical.model.LocationType;
import dev.unison.inventory.InventoryNetwork;
import dev.unison.platform.edge.metrics.BusinessMetric;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Inventory deflection rate: of the online orders of the period whose channel reported where they
 * are fulfilled from (a Shopify fulfillment's location, a TikTok Shop order's warehouse, a store
 * pickup) and whose location is a hub location, the share fulfilled from a store's stock. Orders
 * whose fulfilment location is unknown are in neither count.
 */
public class InventoryDeflectionRate implements BusinessMetric {

    private final JdbcTemplate jdbc;
    private final InventoryNetwork network;

    public InventoryDeflectionRate(JdbcTemplate jdbc, InventoryNetwork network) {
        this.jdbc = jdbc;
        this.network = network;
    }

    @Override
    public String name() {
        return "inventory_deflection_rate";
    }

    @Override
    public String unit() {
        return "online orders fulfilled";
    }

    @Override
    public String definition() {
        return "online orders placed in the period and fulfilled from a store (a location of type store in "
                + "unison.inventory.locations) ÷ online orders placed in the period whose fulfilment location the channel "
                + "reported and the hub knows; cancelled orders do not count";
    }

    @Override
    public Result compute(Instant from, Instant to) {
        Map<String, long[]> channels = new HashMap<>();
        long[] total = new long[2];
        jdbc.query("SELECT channel, fulfilled_from, COUNT(*) AS n FROM attribution_order WHERE placed_in = 'online' "
                + "AND NOT cancelled AND fulfilled_from IS NOT NULL AND placed_at >= ? AND placed_at < ? "
                + "GROUP BY channel, fulfilled_from", rs -> {
                    var location = network.location(rs.getString("fulfilled_from"));
                    if (location.isEmpty()) {
                        return; // a location the hub does not know: neither store nor warehouse
                    }
                    long n = rs.getLong("n");
                    long[] c = channels.computeIfAbsent(rs.getString("channel"), k -> new long[2]);
                    c[1] += n;
                    total[1] += n;
                    if (location.get().type() == LocationType.STORE) {
                        c[0] += n;
                        total[0] += n;
                    }
                }, AttributionStore.utc(from), AttributionStore.utc(to));
        Map<String, Ratio> byChannel = new HashMap<>();
        channels.forEach((c, v) -> byChannel.put(c, new Ratio(v[0], v[1])));
        return new Result(new Ratio(total[0], total[1]), byChannel);
    }
}
