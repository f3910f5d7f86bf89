package dev.unison.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class NetworkFiguresTest {

    @Test
    void nothingSummedIsNoFigureAtAll() {
        NetworkFigures n = new NetworkFigures();
        assertThat(n.any()).isFalse();
        assertThat(n.window()).isNull();
        assertThat(n.inStore()).isNull();
        assertThat(n.online()).isNull();
    }

    @Test
    void spendRowsSumAndTheSplitCountsOnlyTheRowsThatSplit() {
        NetworkFigures n = new NetworkFigures();
        n.addSpendRow(14, null, 10, 12, new BigDecimal("400.00"), null, null);
        assertThat(n.inStore()).as("no row split its sales").isNull();
        assertThat(n.online()).isNull();
        n.addSpendRow(14, null, 5, 6, new BigDecimal("250.50"), new BigDecimal("200.00"), new BigDecimal("50.50"));
        assertThat(n.orders()).isEqualTo(15);
        assertThat(n.units()).isEqualTo(18);
        assertThat(n.revenue()).isEqualByComparingTo("650.50");
        assertThat(n.inStore()).isEqualByComparingTo("200.00");
        assertThat(n.online()).isEqualByComparingTo("50.50");
        assertThat(n.window()).isEqualTo("14-day click");
    }

    @Test
    void theWindowSaysMixedWhenTheRowsDiffer() {
        NetworkFigures same = new NetworkFigures();
        same.addSpendRow(30, 1, 1, 1, BigDecimal.TEN, null, null);
        same.addSpendRow(30, 1, 1, 1, BigDecimal.TEN, null, null);
        assertThat(same.window()).isEqualTo("30-day click / 1-day view");

        NetworkFigures differ = new NetworkFigures();
        differ.addSpendRow(14, null, 1, 1, BigDecimal.TEN, null, null);
        differ.addSpendRow(14, 1, 1, 1, BigDecimal.TEN, null, null);
        assertThat(differ.window()).isEqualTo("mixed");
    }

    @Test
    void conversionsCountAnOrderEachSplitByChannelAndStateTheirClickAndViewWindows() {
        NetworkFigures n = new NetworkFigures();
        n.addConversion("click", 30, "in-store", 2, new BigDecimal("80.00"));
        assertThat(n.inStore()).isEqualByComparingTo("80.00");
        assertThat(n.online()).as("a conversion always says where: online is 0, not unknown").isEqualByComparingTo("0");
        n.addConversion("view", 1, "online", 1, new BigDecimal("20.00"));
        n.addConversion("click", 30, "online", 1, new BigDecimal("5.25"));
        assertThat(n.orders()).isEqualTo(3);
        assertThat(n.units()).isEqualTo(4);
        assertThat(n.revenue()).isEqualByComparingTo("105.25");
        assertThat(n.inStore()).isEqualByComparingTo("80.00");
        assertThat(n.online()).isEqualByComparingTo("25.25");
        assertThat(n.window()).isEqualTo("30-day click / 1-day view");

        NetworkFigures views = new NetworkFigures();
        views.addConversion("view", 1, "online", 1, BigDecimal.ONE);
        assertThat(views.window()).isEqualTo("1-day view");

        NetworkFigures twoClickWindows = new NetworkFigures();
        twoClickWindows.addConversion("click", 30, "online", 1, BigDecimal.ONE);
        twoClickWindows.addConversion("click", 14, "online", 1, BigDecimal.ONE);
        assertThat(twoClickWindows.window()).isEqualTo("mixed");
    }

    @Test
    void aGroupOfCampaignsFromBothSourcesIsMixedUnlessTheirWindowsAgree() {
        NetworkFigures n = new NetworkFigures();
        n.addSpendRow(14, null, 1, 1, BigDecimal.TEN, null, null);
        n.addConversion("click", 14, "online", 1, BigDecimal.ONE);
        assertThat(n.window()).isEqualTo("14-day click");
        n.addConversion("view", 1, "online", 1, BigDecimal.ONE);
        assertThat(n.window()).isEqualTo("mixed");
    }
}
