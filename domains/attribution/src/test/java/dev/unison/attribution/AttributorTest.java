package dev.unison.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.unison.attribution.Attributor.Credit;
import dev.unison.attribution.Attributor.Touch;
import dev.unison.canonical.model.ExposureKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttributorTest {

    static final Instant ORDER = Instant.parse("2026-11-20T12:00:00Z");
    static final LookbackWindows W = new LookbackWindows(14, 1);

    static Touch touch(long id, String campaign, ExposureKind kind, Duration before) {
        return new Touch(id, "net", campaign, kind, ORDER.minus(before));
    }

    static List<Credit> attribute(Touch... touches) {
        return Attributor.attribute(ORDER, List.of(touches), t -> W);
    }

    static List<String> winners(List<Credit> credits, AttributionModel model) {
        return credits.stream().filter(c -> c.model() == model).map(c -> c.touch().campaignId() + "/" + c.touches()).toList();
    }

    @Test
    void lastTouchTakesTheLatestClickFirstTouchTheEarliestLinearShares() {
        List<Credit> credits = attribute(touch(1, "A", ExposureKind.CLICK, Duration.ofDays(10)),
                touch(2, "B", ExposureKind.CLICK, Duration.ofDays(3)), touch(3, "C", ExposureKind.CLICK, Duration.ofHours(5)));
        assertThat(winners(credits, AttributionModel.LAST_TOUCH)).containsExactly("C/1");
        assertThat(winners(credits, AttributionModel.FIRST_TOUCH)).containsExactly("A/1");
        assertThat(winners(credits, AttributionModel.LINEAR)).containsExactly("A/3", "B/3", "C/3");
    }

    @Test
    void aClickBeatsAnyViewBeforeOrAfterIt() {
        List<Credit> credits = attribute(touch(1, "VIEW-EARLY", ExposureKind.IMPRESSION, Duration.ofHours(20)),
                touch(2, "CLICK", ExposureKind.CLICK, Duration.ofDays(5)),
                touch(3, "VIEW-LATE", ExposureKind.IMPRESSION, Duration.ofMinutes(5)));
        assertThat(winners(credits, AttributionModel.LAST_TOUCH)).containsExactly("CLICK/1");
        assertThat(winners(credits, AttributionModel.FIRST_TOUCH)).containsExactly("CLICK/1");
        assertThat(winners(credits, AttributionModel.LINEAR)).containsExactly("CLICK/1");
        assertThat(credits.get(0).reason(ORDER)).contains("2 qualifying impression(s) ignored because a click beats a view")
                .contains("click at").contains("5 d 0 h before the order").contains("14-day click / 1-day view");
    }

    @Test
    void windowsAreInclusiveAndTouchesAfterTheOrderNeverCount() {
        assertThat(attribute(touch(1, "A", ExposureKind.CLICK, Duration.ofDays(14)))).as("exactly 14 days").isNotEmpty();
        assertThat(attribute(touch(1, "A", ExposureKind.CLICK, Duration.ofDays(14).plusSeconds(1)))).isEmpty();
        assertThat(attribute(touch(1, "A", ExposureKind.IMPRESSION, Duration.ofDays(1)))).isNotEmpty();
        assertThat(attribute(touch(1, "A", ExposureKind.IMPRESSION, Duration.ofDays(1).plusSeconds(1)))).isEmpty();
        assertThat(attribute(touch(1, "A", ExposureKind.CLICK, Duration.ofSeconds(-1)))).as("after the order").isEmpty();
        assertThat(attribute(touch(1, "A", ExposureKind.CLICK, Duration.ZERO))).as("at the order's instant").isNotEmpty();
        assertThat(Attributor.attribute(ORDER, List.of(touch(1, "A", ExposureKind.IMPRESSION, Duration.ofHours(1))),
                t -> new LookbackWindows(14, 0))).as("view lookback 0: impressions never count").isEmpty();
        assertThat(Attributor.attribute(ORDER, List.of(touch(1, "A", ExposureKind.IMPRESSION, Duration.ZERO)),
                t -> new LookbackWindows(14, 0))).as("not even at the order's instant").isEmpty();
    }

    @Test
    void anOutOfWindowClickDoesNotSilenceAQualifyingView() {
        List<Credit> credits = attribute(touch(1, "OLD-CLICK", ExposureKind.CLICK, Duration.ofDays(20)),
                touch(2, "VIEW", ExposureKind.IMPRESSION, Duration.ofHours(2)));
        assertThat(winners(credits, AttributionModel.LAST_TOUCH)).containsExactly("VIEW/1");
    }

    @Test
    void eachCampaignUsesItsOwnWindows() {
        List<Touch> touches = List.of(touch(1, "LONG", ExposureKind.CLICK, Duration.ofDays(25)),
                touch(2, "SHORT", ExposureKind.CLICK, Duration.ofDays(5)));
        List<Credit> credits = Attributor.attribute(ORDER, touches,
                t -> t.campaignId().equals("LONG") ? new LookbackWindows(30, 1) : new LookbackWindows(3, 1));
        assertThat(winners(credits, AttributionModel.LAST_TOUCH)).containsExactly("LONG/1");
    }

    @Test
    void tiesGoToTheTouchReceivedFirstSoTheResultIsTheSameEveryTime() {
        Touch a = touch(7, "A", ExposureKind.CLICK, Duration.ofDays(1));
        Touch b = touch(3, "B", ExposureKind.CLICK, Duration.ofDays(1));
        // B (exposure 3) was received before A (exposure 7): it takes the order under both models
        assertThat(winners(attribute(a, b), AttributionModel.LAST_TOUCH)).containsExactly("B/1");
        assertThat(winners(attribute(b, a), AttributionModel.LAST_TOUCH)).containsExactly("B/1");
        assertThat(winners(attribute(b, a), AttributionModel.FIRST_TOUCH)).containsExactly("B/1");
    }

    @Test
    void noTouchNoCredit() {
        assertThat(attribute()).isEmpty();
    }
}
