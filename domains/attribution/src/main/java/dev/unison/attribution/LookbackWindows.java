package dev.unison.attribution;

/**
 * How far back before an order a click and an impression (a view) may be and still earn it, in
 * days. 0 days of view lookback means impressions never count.
 */
public record LookbackWindows(int clickDays, int viewDays) {

    /** 14-day click and 1-day view: the windows most retail media networks use by default. */
    public static final LookbackWindows DEFAULT = new LookbackWindows(14, 1);

    public LookbackWindows {
        if (clickDays < 1 || clickDays > 90 || viewDays < 0 || viewDays > 90) {
            throw new IllegalArgumentException("click lookback must be 1-90 days and view lookback 0-90 days, got "
                    + clickDays + " and " + viewDays);
        }
    }

    /** These windows with the given overrides (null keeps the value). */
    public LookbackWindows with(Integer clickDays, Integer viewDays) {
        return new LookbackWindows(clickDays == null ? this.clickDays : clickDays, viewDays == null ? this.viewDays : viewDays);
    }

    @Override
    public String toString() {
        return clickDays + "-day click / " + viewDays + "-day view";
    }
}
