package dev.unison.attribution;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Attribution settings ({@code unison.attribution.*}, docs/configuration.md).
 *
 * @param clickLookbackDays click window of a campaign whose network and campaign settings name none (14)
 * @param viewLookbackDays view (impression) window likewise (1)
 * @param minShoppers a report row backed by fewer distinct shoppers shows no shopper-derived figure (10)
 * @param pollInterval how often the engine looks for work when no commit woke it (1 s)
 * @param batchSize work items (orders, exposures, profiles) per engine round (500)
 * @param orderLinkWait how long an order waits for the identity group's verdict before it is left unattributed (1 h)
 * @param feeds drop folders of exposure logs and spend reports, by feed name (none by default)
 * @param crossChannelWindowDays how long before a purchase a journey in another channel counts for the
 *        cross-channel conversion rate (30)
 * @param parallelism how many transactions of the engine work one round's exposures and orders at once, each on
 *        its own slice (2): the work is random reads of the database, which a second core and connection overlap
 */
@ConfigurationProperties(prefix = "unison.attribution")
public record AttributionProperties(Integer clickLookbackDays, Integer viewLookbackDays, Integer minShoppers,
        Duration pollInterval, Integer batchSize, Duration orderLinkWait, Integer crossChannelWindowDays,
        java.util.Map<String, Feed> feeds, Integer parallelism) {

    /**
     * A drop folder: every file that appears in {@code directory} is read once as a file of
     * {@code kind} (exposures or spend; CSV for {@code .csv}, JSON lines for {@code .jsonl} or
     * {@code .ndjson}, each optionally {@code .gz}), then moved to {@code .done/} with its report beside
     * it ({@code <file>.report.json}), or to {@code .failed/} when it could not be read at all.
     */
    public record Feed(java.nio.file.Path directory, String kind) {
        public Feed {
            if (directory == null) {
                throw new IllegalArgumentException("unison.attribution.feeds.<name>.directory is required");
            }
            AdFileParser.Kind.fromWireName(kind == null ? "" : kind);
        }
    }


    public AttributionProperties {
        clickLookbackDays = clickLookbackDays == null ? LookbackWindows.DEFAULT.clickDays() : clickLookbackDays;
        viewLookbackDays = viewLookbackDays == null ? LookbackWindows.DEFAULT.viewDays() : viewLookbackDays;
        minShoppers = minShoppers == null ? 10 : minShoppers;
        pollInterval = pollInterval == null ? Duration.ofSeconds(1) : pollInterval;
        batchSize = batchSize == null ? 500 : batchSize;
        orderLinkWait = orderLinkWait == null ? Duration.ofHours(1) : orderLinkWait;
        crossChannelWindowDays = crossChannelWindowDays == null ? 30 : crossChannelWindowDays;
        parallelism = parallelism == null ? 2 : parallelism;
        feeds = feeds == null ? java.util.Map.of() : java.util.Map.copyOf(feeds);
        feeds.keySet().forEach(name -> {
            if (!name.matches("[a-z0-9][a-z0-9-]{0,62}")) {
                throw new IllegalArgumentException("unison.attribution.feeds: a feed name is lowercase letters, digits and -, got '"
                        + name + "'");
            }
        });
        // fail fast on a nonsensical setting, naming it
        new LookbackWindows(clickLookbackDays, viewLookbackDays);
        if (minShoppers < 1) {
            throw new IllegalArgumentException("unison.attribution.min-shoppers must be at least 1, got " + minShoppers);
        }
        if (batchSize < 1 || batchSize > 10_000) {
            throw new IllegalArgumentException("unison.attribution.batch-size must be 1-10000, got " + batchSize);
        }
        if (parallelism < 1 || parallelism > 16) {
            throw new IllegalArgumentException("unison.attribution.parallelism must be 1-16, got " + parallelism);
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("unison.attribution.poll-interval must be positive, got " + pollInterval);
        }
    }

    public LookbackWindows defaultWindows() {
        return new LookbackWindows(clickLookbackDays, viewLookbackDays);
    }
}
