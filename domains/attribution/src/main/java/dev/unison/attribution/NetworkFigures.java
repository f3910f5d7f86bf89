package dev.unison.attribution;

import java.math.BigDecimal;
import java.util.Set;
import java.util.TreeSet;

/**
 * The network's own figures of one ROAS report row: what the networks themselves credit to the
 * row's campaigns by their own windows, summed from either source of a campaign, never both: the
 * network figures its spend rows carry ({@code AdSpend.networkAttributed}), or, when none of the
 * campaign's spend rows of the period carries any, its attributed conversions
 * ({@code AttributedConversion}, one order each, on the day of the conversion). They are the
 * networks' published aggregates, not derived from the hub's shoppers: the thin-row rule does not
 * withhold them. The in-store and online parts sum only the rows that split the sales (null when
 * none did), so they can add up to less than the revenue.
 */
final class NetworkFigures {

    private long orders;
    private long units;
    private BigDecimal revenue = BigDecimal.ZERO;
    private BigDecimal inStore;
    private BigDecimal online;
    private boolean any;
    /** The windows of the spend rows summed, as words. */
    private final Set<String> spendWindows = new TreeSet<>();
    /** The windows of the conversions summed: of the clicks, of the views. */
    private final Set<Integer> conversionClickDays = new TreeSet<>();
    private final Set<Integer> conversionViewDays = new TreeSet<>();

    /** Adds a spend row's network figures ({@code inStore} and {@code online} null when it does not split them). */
    void addSpendRow(int clickWindowDays, Integer viewWindowDays, long orders, long units, BigDecimal sales,
            BigDecimal inStore, BigDecimal online) {
        any = true;
        this.orders += orders;
        this.units += units;
        revenue = revenue.add(sales);
        this.inStore = add(this.inStore, inStore);
        this.online = add(this.online, online);
        spendWindows.add(window(clickWindowDays, viewWindowDays));
    }

    /** Adds one attributed conversion: an order, its units and sales, in store or online. */
    void addConversion(String touch, int windowDays, String channel, long units, BigDecimal sales) {
        any = true;
        orders++;
        this.units += units;
        revenue = revenue.add(sales);
        if ("in-store".equals(channel)) {
            inStore = add(inStore, sales);
            online = add(online, BigDecimal.ZERO);
        } else {
            online = add(online, sales);
            inStore = add(inStore, BigDecimal.ZERO);
        }
        ("view".equals(touch) ? conversionViewDays : conversionClickDays).add(windowDays);
    }

    private static BigDecimal add(BigDecimal sum, BigDecimal value) {
        return value == null ? sum : sum == null ? value : sum.add(value);
    }

    /** Whether any network figure was summed (otherwise every figure of the row is null). */
    boolean any() {
        return any;
    }

    long orders() {
        return orders;
    }

    long units() {
        return units;
    }

    BigDecimal revenue() {
        return revenue;
    }

    /** Null when no row summed split its sales. */
    BigDecimal inStore() {
        return inStore;
    }

    /** Null when no row summed split its sales. */
    BigDecimal online() {
        return online;
    }

    /**
     * The windows the figures were counted by, e.g. "14-day click" or "30-day click / 1-day view";
     * "mixed" when the rows summed differ; null without figures.
     */
    String window() {
        if (!any) {
            return null;
        }
        Set<String> windows = new TreeSet<>(spendWindows);
        if (!conversionClickDays.isEmpty() || !conversionViewDays.isEmpty()) {
            if (conversionClickDays.size() > 1 || conversionViewDays.size() > 1) {
                return "mixed";
            }
            Integer click = conversionClickDays.isEmpty() ? null : conversionClickDays.iterator().next();
            Integer view = conversionViewDays.isEmpty() ? null : conversionViewDays.iterator().next();
            windows.add(click == null ? view + "-day view" : window(click, view));
        }
        return windows.size() == 1 ? windows.iterator().next() : "mixed";
    }

    /** "14-day click", or "30-day click / 1-day view" with a view window. */
    static String window(int clickDays, Integer viewDays) {
        return clickDays + "-day click" + (viewDays == null ? "" : " / " + viewDays + "-day view");
    }
}
