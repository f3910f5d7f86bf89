package dev.unison.canonical.model;

/**
 * What a network itself credits to a campaign on a day, by its own rules: conversions within its
 * click (and view) window, as its report states them. Kept beside the hub's closed-loop figures,
 * never added to them: each network counts by its own windows, and two networks may both claim
 * one sale.
 *
 * @param clickWindowDays the post-click window of the figures (e.g. 14 for Amazon's {@code sales14d})
 * @param viewWindowDays  the post-view window, null when the figures count clicks only
 * @param salesInStore    the in-store part of {@code sales}, when the network splits it
 * @param salesOnline     the online part of {@code sales}, when the network splits it
 */
public record NetworkAttribution(int clickWindowDays, Integer viewWindowDays, long orders, long units, Money sales,
        Money salesInStore, Money salesOnline) {
}
