package dev.unison.connectors.criteo;

import dev.unison.platform.testkit.MemoryConnectorContext;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.AdSpend;
import dev.unison.canonical.model.AttributedConversion;
import dev.unison.canonical.model.Money;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.spi.InboundDelivery;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Report rows in Criteo's shape to canonical records: exact money, the channel split, the windows, stable event ids. */
class CriteoMappingTest {

    static final String YAML = """
            connections:
              - id: criteo-test
                connector: criteo-retail-media
                settings:
                  clientId: some-client
                  clientSecret: ${SECRET}
                  campaignIds: "101, 102"
                  currency: EUR
            """;

    private final Connection connection = new MemoryConnectorContext(new CriteoRetailMediaConnector().descriptor(), YAML, Map.of("SECRET", "s3cret"), Clock.systemUTC()).connections.get(0);
    private final CriteoSettings settings = CriteoSettings.of(connection);

    private static List<JsonNode> lines(String text) throws Exception {
        return CriteoReports.lines(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void settingsAreTypedAndDefaultedByTheDescriptor() {
        assertThat(settings.baseUrl()).isEqualTo("https://api.criteo.com");
        assertThat(settings.apiVersion()).isEqualTo("2025-10");
        assertThat(settings.campaignIds()).containsExactly("101", "102");
        assertThat(settings.network()).isEqualTo("criteo-retail-media");
        assertThat(settings.clickWindowDays()).isEqualTo(30);
        assertThat(settings.viewWindowDays()).isEqualTo(1);
        assertThat(settings.restateDays()).isEqualTo(5);
        assertThat(settings.restateEvery()).hasHours(6);
        assertThat(settings.transactions()).isFalse();
        assertThat(settings.firstDay()).isEmpty();
    }

    @Test
    void threeChannelReportsMergeIntoOneRowPerCampaignDayAndAmountsStayExact() throws Exception {
        // amounts beyond a double's precision: 0.1 + 0.2 and 17 significant digits
        String all = """
                {"date":"2026-03-01","campaignId":"101","impressions":1000,"clicks":25,"spend":12345678.123456,"attributedOrders":4,"attributedUnits":6,"attributedSales":0.3}
                {"date":"2026-03-01","campaignId":"102","impressions":10,"clicks":0,"spend":"0.10","attributedOrders":0,"attributedUnits":0,"attributedSales":0}
                """;
        String offline = """
                {"date":"2026-03-01","campaignId":"101","impressions":1000,"clicks":25,"spend":12345678.123456,"attributedOrders":1,"attributedUnits":2,"attributedSales":0.1}
                """;
        String online = """
                {"date":"2026-03-01","campaignId":"101","impressions":1000,"clicks":25,"spend":12345678.123456,"attributedOrders":3,"attributedUnits":4,"attributedSales":0.2}
                """;
        List<JsonNode> merged = lines(CriteoReports.merge(lines(all), lines(offline), lines(online)));
        assertThat(merged).hasSize(2);

        AdSpend spend = CriteoRows.adSpend(merged.get(0), settings);
        assertThat(spend.network()).isEqualTo("criteo-retail-media");
        assertThat(spend.campaignId()).isEqualTo("101");
        assertThat(spend.day()).isEqualTo(LocalDate.parse("2026-03-01"));
        assertThat(spend.spend()).isEqualTo(new Money(new BigDecimal("12345678.123456"), "EUR"));
        assertThat(spend.impressions()).isEqualTo(1000);
        assertThat(spend.clicks()).isEqualTo(25);
        assertThat(spend.networkAttributed().orders()).isEqualTo(4);
        assertThat(spend.networkAttributed().units()).isEqualTo(6);
        assertThat(spend.networkAttributed().sales().amount()).isEqualByComparingTo("0.3");
        assertThat(spend.networkAttributed().salesInStore().amount()).isEqualByComparingTo("0.1");
        assertThat(spend.networkAttributed().salesOnline().amount()).isEqualByComparingTo("0.2");
        assertThat(spend.networkAttributed().clickWindowDays()).isEqualTo(30);
        assertThat(spend.networkAttributed().viewWindowDays()).isEqualTo(1);

        AdSpend other = CriteoRows.adSpend(merged.get(1), settings);
        assertThat(other.spend().amount()).isEqualTo(new BigDecimal("0.10"));
        assertThat(other.networkAttributed().salesInStore().amount()).isEqualByComparingTo("0");
        assertThat(other.networkAttributed().salesOnline().amount()).isEqualByComparingTo("0");
        // the canonical JSON carries the amount as text, digit for digit
        assertThat(CanonicalJson.toTree(spend).path("spend").path("amount").asText()).isEqualTo("12345678.123456");
    }

    @Test
    void aChannelRowWithoutItsAllChannelsRowWaitsForTheNextRestatement() throws Exception {
        String offline = "{\"date\":\"2026-03-01\",\"campaignId\":\"101\",\"attributedSales\":1.5}\n";
        assertThat(CriteoReports.merge(List.of(), lines(offline), List.of())).isEmpty();
    }

    @Test
    void theWindowsAreTheConnectionsAndNoneMeansClicksOnly() {
        Connection clicksOnly = new MemoryConnectorContext(new CriteoRetailMediaConnector().descriptor(), YAML.replace("currency: EUR", "currency: USD\n      clickWindow: 14D\n      viewWindow: none"),
                Map.of("SECRET", "s"), Clock.systemUTC()).connections.get(0);
        CriteoSettings s = CriteoSettings.of(clicksOnly);
        JsonNode row = CanonicalJson.parse("{\"date\":\"2026-03-02\",\"campaignId\":\"101\",\"impressions\":1,\"clicks\":1,"
                + "\"spend\":\"1.00\",\"attributedOrders\":1,\"attributedUnits\":1,\"attributedSales\":\"9.99\","
                + "\"salesOffline\":\"9.99\",\"salesOnline\":\"0\"}");
        AdSpend spend = CriteoRows.adSpend(row, s);
        assertThat(spend.networkAttributed().clickWindowDays()).isEqualTo(14);
        assertThat(spend.networkAttributed().viewWindowDays()).isNull();
        assertThat(spend.spend().currency()).isEqualTo("USD");
        assertThat(CanonicalJson.toTree(spend).path("networkAttributed").has("viewWindowDays")).isFalse();
    }

    @Test
    void anAttributedTransactionBecomesOneConversionByItsOwnRule() {
        JsonNode row = CanonicalJson.parse("""
                {"transactionId":"T-1","campaignId":"101","lineItemId":"555","timestamp":"2026-03-01T10:15:00Z",
                 "advertisedEngagement":"view","salesChannel":"offline","attributionWindow":"7D",
                 "attributedSales":19.999999,"attributedUnits":2}
                """);
        AttributedConversion c = CriteoRows.conversion(row, settings);
        assertThat(c.conversionId()).isEqualTo("T-1");
        assertThat(c.adId()).isEqualTo("555");
        assertThat(c.convertedAt()).isEqualTo(Instant.parse("2026-03-01T10:15:00Z"));
        assertThat(c.touch()).isEqualTo("view");
        assertThat(c.windowDays()).isEqualTo(7);
        assertThat(c.channel()).isEqualTo("in-store");
        assertThat(c.sales().amount()).isEqualTo(new BigDecimal("19.999999"));
        assertThat(c.units()).isEqualTo(2);

        JsonNode sparse = CanonicalJson.parse("""
                {"campaignId":"102","purchasedDate":"2026-03-02","purchasedHour":"13","salesChannel":"online","attributedSales":"5","attributedUnits":1}
                """);
        AttributedConversion d = CriteoRows.conversion(sparse, settings);
        assertThat(d.conversionId()).startsWith("row-");
        assertThat(d.touch()).isEqualTo("click");
        assertThat(d.windowDays()).as("the connection's click window").isEqualTo(30);
        assertThat(d.channel()).isEqualTo("online");
        assertThat(d.convertedAt()).isEqualTo(Instant.parse("2026-03-02T13:00:00Z"));
    }

    @Test
    void anAggregateTransactionRowWithoutAnIdKeepsItsIdWhenCriteoRestatesItsSales() {
        String row = "{\"campaignId\":\"101\",\"lineItemId\":\"555\",\"purchasedDate\":\"2026-03-01\",\"purchasedHour\":10,"
                + "\"advertisedEngagement\":\"click\",\"salesChannel\":\"offline\",\"attributionWindow\":\"30D\","
                + "\"attributedSales\":%s,\"attributedUnits\":%d}";
        AttributedConversion first = CriteoRows.conversion(CanonicalJson.parse(row.formatted("50.00", 2)), settings);
        AttributedConversion restated = CriteoRows.conversion(CanonicalJson.parse(row.formatted("80.00", 3)), settings);
        assertThat(restated.conversionId()).as("replaces the stored row, not counted beside it").isEqualTo(first.conversionId());
        assertThat(restated.sales().amount()).isEqualByComparingTo("80.00");
        AttributedConversion nextHour = CriteoRows.conversion(CanonicalJson.parse(row.replace("\"purchasedHour\":10", "\"purchasedHour\":11")
                .formatted("50.00", 2)), settings);
        assertThat(nextHour.conversionId()).isNotEqualTo(first.conversionId());
    }

    @Test
    void eventIdsComeFromTheDedupeKeyAndARestatedRowIsANewKey() {
        CriteoRetailMediaConnector connector = new CriteoRetailMediaConnector();
        String text = "{\"campaignId\":\"101\",\"date\":\"2026-03-01\",\"impressions\":5,\"clicks\":1,\"spend\":\"2.50\","
                + "\"attributedOrders\":0,\"attributedUnits\":0,\"attributedSales\":\"0\",\"salesOffline\":\"0\",\"salesOnline\":\"0\"}";
        JsonNode row = CanonicalJson.parse(text);
        JsonNode restated = CanonicalJson.parse(text.replace("\"2.50\"", "\"2.75\""));
        assertThat(CriteoRows.campaignDayKey(row)).isEqualTo(CriteoRows.campaignDayKey(CanonicalJson.parse(text)))
                .isNotEqualTo(CriteoRows.campaignDayKey(restated)).startsWith("campaign-day/101/2026-03-01/");

        InboundDelivery delivery = new InboundDelivery(connection.id(), CriteoRetailMediaConnector.NAME,
                CriteoRetailMediaConnector.CAMPAIGN_DAY, CriteoRows.campaignDayKey(row), Map.of(),
                text.getBytes(StandardCharsets.UTF_8), Instant.parse("2026-03-02T08:00:00Z"));
        List<CanonicalEvent> first = connector.mapInbound(delivery, connection, null);
        List<CanonicalEvent> again = connector.mapInbound(delivery, connection, null);
        assertThat(first).hasSize(1);
        assertThat(first.get(0).type()).isEqualTo(EventType.AD_SPEND_REPORTED);
        assertThat(first.get(0).id()).isEqualTo(again.get(0).id());
        assertThat(first.get(0).source().toString()).isEqualTo("/connectors/criteo-retail-media/criteo-test");
        assertThat(first.get(0).dataAs(AdSpend.class).spend().amount()).isEqualTo(new BigDecimal("2.50"));
    }

    @Test
    void moneyBeyondSixDecimalsIsRoundedHalfEvenAndNeverScientific() {
        assertThat(CriteoRows.money(new BigDecimal("1.23456750"), "EUR").amount()).isEqualTo(new BigDecimal("1.234568"));
        assertThat(CriteoRows.money(new BigDecimal("1E+3"), "EUR").amount().toString()).isEqualTo("1000");
    }
}
