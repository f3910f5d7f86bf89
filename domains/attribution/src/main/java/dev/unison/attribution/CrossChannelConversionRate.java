package dev.unison.attribution;

import dev.unison.platform.edge.metrics.BusinessMetric;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Cross-channel conversion rate: of the shoppers who bought in the period (known shoppers only, so
 * the identity resolution rate does not inflate it), the share whose journey to a purchase began in
 * another channel within the window before it. A journey begins with an ad click (channel
 * {@code ad:<network>}) or a cart opened in a channel (app, web shop, ...). Per channel: of the
 * shoppers who bought in that channel, those with such a purchase there.
 */
public class CrossChannelConversionRate implements BusinessMetric {

    private final JdbcTemplate jdbc;
    private final Duration window;

    public CrossChannelConversionRate(JdbcTemplate jdbc, int windowDays) {
        this.jdbc = jdbc;
        this.window = Duration.ofDays(windowDays);
    }

    @Override
    public String name() {
        return "cross_channel_conversion_rate";
    }

    @Override
    public String unit() {
        return "purchasing customers";
    }

    @Override
    public String definition() {
        return "known shoppers with an order in the period placed within " + window.toDays() + " days after a journey began "
                + "in another channel (an ad click, channel ad:<network>; or a cart opened in another channel) ÷ known shoppers "
                + "with an order in the period; per channel, counting that channel's orders and shoppers; cancelled orders do "
                + "not count";
    }

    private record Start(String channel, Instant at) {
    }

    @Override
    public Result compute(Instant from, Instant to) {
        Map<String, List<Start>> starts = new HashMap<>();
        jdbc.query("SELECT profile_id, network, exposed_at FROM ad_exposure WHERE kind = 'click' AND profile_id IS NOT NULL "
                + "AND exposed_at >= ? AND exposed_at < ?", rs -> {
                    starts.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(new Start("ad:" + rs.getString(2), AttributionStore.instant(rs, "exposed_at")));
                }, AttributionStore.utc(from.minus(window)), AttributionStore.utc(to));
        jdbc.query("SELECT profile_id, channel, started_at FROM attribution_cart WHERE profile_id IS NOT NULL "
                + "AND started_at >= ? AND started_at < ?", rs -> {
                    starts.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(new Start(rs.getString(2), AttributionStore.instant(rs, "started_at")));
                }, AttributionStore.utc(from.minus(window)), AttributionStore.utc(to));

        Set<String> buyers = new HashSet<>();
        Set<String> crossBuyers = new HashSet<>();
        Map<String, Set<String>> channelBuyers = new HashMap<>();
        Map<String, Set<String>> channelCross = new HashMap<>();
        jdbc.query("SELECT profile_id, channel, placed_at FROM attribution_order WHERE profile_id IS NOT NULL AND NOT cancelled "
                + "AND placed_at >= ? AND placed_at < ?", rs -> {
                    String profile = rs.getString(1);
                    String channel = rs.getString(2);
                    Instant placedAt = AttributionStore.instant(rs, "placed_at");
                    buyers.add(profile);
                    channelBuyers.computeIfAbsent(channel, k -> new HashSet<>()).add(profile);
                    for (Start s : starts.getOrDefault(profile, List.of())) {
                        if (!s.channel().equals(channel) && !s.at().isAfter(placedAt)
                                && Duration.between(s.at(), placedAt).compareTo(window) <= 0) {
                            crossBuyers.add(profile);
                            channelCross.computeIfAbsent(channel, k -> new HashSet<>()).add(profile);
                            break;
                        }
                    }
                }, AttributionStore.utc(from), AttributionStore.utc(to));
        Map<String, Ratio> byChannel = new HashMap<>();
        channelBuyers.forEach((c, b) -> byChannel.put(c, new Ratio(channelCross.getOrDefault(c, Set.of()).size(), b.size())));
        return new Result(new Ratio(crossBuyers.size(), buyers.size()), byChannel);
    }
}
