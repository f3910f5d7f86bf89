package dev.unison.attribution;

import dev.unison.canonical.model.ExposureKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The attribution rules for one order and the touches of its shopper, with no storage: which touches
 * qualify and which wins under each model.
 * <ul>
 * <li>A touch qualifies when it happened at or before the order and no further back than its
 *     campaign's lookback: the click window for a click, the view window for an impression.</li>
 * <li>A click beats a view: when any click qualifies, impressions are not considered at all.</li>
 * <li>Last touch credits the latest qualifying touch, first touch the earliest (ties: the touch
 *     received first), linear every qualifying touch with an equal share.</li>
 * </ul>
 * An order is therefore credited at most once per model: one touch, or shares that add up to one.
 */
public final class Attributor {

    /** One exposure of the shopper: {@code exposure} is its row id, the tie-breaker. */
    public record Touch(long exposure, String network, String campaignId, ExposureKind kind, Instant at) {
    }

    /**
     * A touch credited under a model; {@code touches} share the order equally (1 for last and first
     * touch). {@code clicks} and {@code views} qualified (views do not count when a click did);
     * {@code windows} are the touch's campaign's.
     */
    public record Credit(AttributionModel model, Touch touch, int touches, int clicks, int views, LookbackWindows windows) {

        /** Why this touch was credited, in words. */
        public String reason(Instant placedAt) {
            return Attributor.reason(model, touch, touches, clicks, views, windows, placedAt);
        }
    }

    private static final Comparator<Touch> CHRONOLOGICAL = Comparator.comparing(Touch::at).thenComparingLong(Touch::exposure);

    private Attributor() {
    }

    /** The credits of an order placed at {@code placedAt}, for every model; empty when no touch qualifies. */
    public static List<Credit> attribute(Instant placedAt, List<Touch> touches, Function<Touch, LookbackWindows> windows) {
        List<Touch> clicks = new ArrayList<>();
        List<Touch> views = new ArrayList<>();
        for (Touch t : touches) {
            if (t.at().isAfter(placedAt)) {
                continue;
            }
            LookbackWindows w = windows.apply(t);
            int days = t.kind() == ExposureKind.CLICK ? w.clickDays() : w.viewDays();
            if (days == 0) {
                continue; // a 0-day view lookback: impressions never count, not even at the order's instant
            }
            if (Duration.between(t.at(), placedAt).compareTo(Duration.ofDays(days)) <= 0) {
                (t.kind() == ExposureKind.CLICK ? clicks : views).add(t);
            }
        }
        List<Touch> qualifying = clicks.isEmpty() ? views : clicks;
        if (qualifying.isEmpty()) {
            return List.of();
        }
        qualifying.sort(CHRONOLOGICAL);
        int c = clicks.size();
        int v = views.size();
        List<Credit> credits = new ArrayList<>(qualifying.size() + 2);
        // ties (the same instant) go to the touch received first, for last touch as for first touch
        Touch last = qualifying.get(qualifying.size() - 1);
        for (int i = qualifying.size() - 2; i >= 0 && qualifying.get(i).at().equals(last.at()); i--) {
            last = qualifying.get(i);
        }
        Touch first = qualifying.get(0);
        credits.add(new Credit(AttributionModel.LAST_TOUCH, last, 1, c, v, windows.apply(last)));
        credits.add(new Credit(AttributionModel.FIRST_TOUCH, first, 1, c, v, windows.apply(first)));
        for (Touch t : qualifying) {
            credits.add(new Credit(AttributionModel.LINEAR, t, qualifying.size(), c, v, windows.apply(t)));
        }
        return credits;
    }

    /** The explanation of a credit, from what was stored of it (kept as numbers, put in words when asked). */
    public static String reason(AttributionModel model, Touch t, int touches, int clicks, int views, LookbackWindows windows,
            Instant placedAt) {
        String pool = clicks == 0 ? views + " qualifying impression(s), no qualifying click"
                : clicks + " qualifying click(s)" + (views == 0 ? "" : "; " + views
                        + " qualifying impression(s) ignored because a click beats a view");
        String lead = switch (model) {
            case LAST_TOUCH -> "latest of ";
            case FIRST_TOUCH -> "earliest of ";
            case LINEAR -> "1/" + touches + " share of ";
        };
        Duration before = Duration.between(t.at(), placedAt);
        String ago = before.toDays() > 0 ? before.toDays() + " d " + before.toHoursPart() + " h"
                : before.toHours() + " h " + before.toMinutesPart() + " min";
        return lead + pool + ": " + t.kind().wireName() + " at " + t.at() + " on " + t.network() + "/" + t.campaignId() + ", "
                + ago + " before the order, within the campaign's " + windows;
    }
}
