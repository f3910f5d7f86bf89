package dev.unison.connectors.criteo;

import dev.unison.connectors.kit.config.Connection;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A Criteo Retail Media connection's settings, typed (checked against the descriptor's schema and
 * defaulted by the connections loader): the one place the connector's code reads a setting by name.
 * The client secret stays in the {@link Connection}.
 *
 * @param campaignIds   1 to 50 campaign ids (a campaign report takes at most 50, "Async reports")
 * @param firstDay      the first day to report; empty: the restated trailing days before the first start
 * @param clickWindow   Criteo's click attribution window value ({@code 7D}, {@code 14D}, {@code 30D})
 * @param viewWindow    Criteo's view attribution window value ({@code none}, {@code 1D} ... {@code 30D})
 */
public record CriteoSettings(String baseUrl, String apiVersion, String clientId, List<String> campaignIds, String network,
        String currency, Optional<LocalDate> firstDay, String clickWindow, String viewWindow, boolean transactions,
        long pollMillis, int restateDays, Duration restateEvery, Duration pausedRetry) {

    /** The most ids one report request takes. */
    public static final int MAX_IDS = 50;

    public CriteoSettings {
        campaignIds = List.copyOf(campaignIds);
        if (campaignIds.isEmpty() || campaignIds.size() > MAX_IDS) {
            throw new IllegalArgumentException("1 to " + MAX_IDS + " campaign ids, got " + campaignIds.size());
        }
        java.util.Currency.getInstance(currency); // an unknown ISO 4217 code fails here, at start, not per row
    }

    public static CriteoSettings of(Connection connection) {
        List<String> ids = Arrays.stream(connection.setting("campaignIds").split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).distinct().toList();
        return new CriteoSettings(connection.setting("baseUrl"), connection.setting("apiVersion"), connection.setting("clientId"),
                ids, connection.setting("network"), connection.setting("currency"),
                Optional.ofNullable(connection.setting("firstDay")).map(LocalDate::parse), connection.setting("clickWindow"),
                connection.setting("viewWindow"), connection.bool("transactions"), connection.integer("pollMillis"),
                (int) connection.integer("restateDays"), connection.duration("restateEvery"),
                Duration.ofSeconds(connection.integer("pausedRetrySeconds")));
    }

    /** The click window in days (30 for {@code 30D}). */
    public int clickWindowDays() {
        return days(clickWindow);
    }

    /** The view window in days, null when views are not counted ({@code none}). */
    public Integer viewWindowDays() {
        return "none".equals(viewWindow) ? null : days(viewWindow);
    }

    static int days(String window) {
        return Integer.parseInt(window.substring(0, window.length() - 1));
    }
}
