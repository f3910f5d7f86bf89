package dev.unison.connectors.criteo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unison.canonical.event.CanonicalEvent;
import dev.unison.canonical.event.EventType;
import dev.unison.canonical.json.CanonicalJson;
import dev.unison.canonical.model.CanonicalRecord;
import dev.unison.connectors.kit.config.Connection;
import dev.unison.connectors.kit.descriptor.ConnectorDescriptor;
import dev.unison.connectors.kit.pull.Poller;
import dev.unison.connectors.kit.pull.ReportJob;
import dev.unison.connectors.kit.spi.CheckResult;
import dev.unison.connectors.kit.spi.Connector;
import dev.unison.connectors.kit.spi.ConnectorContext;
import dev.unison.connectors.kit.spi.InboundDelivery;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;

/**
 * Criteo Retail Media, pull side: per connection a timer route per report stream drives a kit
 * {@link Poller} over a {@link ReportJob} (create, poll, download; ranges of at most 100 days, the
 * API's window; the trailing {@code restateDays} asked for again every {@code restateEvery}, as
 * Criteo finalises a day by its 120th hour). Streams: {@value #CAMPAIGNS} (one
 * {@code commerce.ad.spend.reported.v1} per campaign and day) and, when {@code transactions} is on,
 * {@value #TRANSACTIONS} (one {@code commerce.ad.conversion.attributed.v1} per attributed
 * transaction). See {@link CriteoReports} for the reports asked for and {@link CriteoRows} for
 * what each row becomes.
 */
public final class CriteoRetailMediaConnector implements Connector {

    public static final String NAME = "criteo-retail-media";
    static final String CAMPAIGNS = "campaigns";
    static final String TRANSACTIONS = "transactions";
    static final String CAMPAIGN_DAY = "campaign-day";
    static final String TRANSACTION = "attributed-transaction";
    /** "Async reports": a report covers at most 100 days. */
    static final int MAX_DAYS = 100;

    private final ConnectorDescriptor descriptor = ConnectorDescriptor.bundled(CriteoRetailMediaConnector.class, NAME);
    private final HttpClient http;
    private final Clock clock;

    public CriteoRetailMediaConnector() {
        this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), Clock.systemUTC());
    }

    CriteoRetailMediaConnector(HttpClient http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    @Override
    public ConnectorDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public RoutesBuilder routes(ConnectorContext context) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                for (Connection connection : context.connectionsOf(NAME)) {
                    if (!connection.enabled()) {
                        continue;
                    }
                    long period = CriteoSettings.of(connection).pollMillis();
                    pollers(connection, context).forEach((stream, poller) ->
                            from("timer:" + NAME + "-" + connection.id() + "-" + stream + "?period=" + period)
                                    .routeId(NAME + "-" + connection.id() + "-" + stream)
                                    .process(e -> poller.round()));
                }
            }
        };
    }

    /** The connection's streams and their pollers ({@value #CAMPAIGNS}, and {@value #TRANSACTIONS} when enabled). */
    Map<String, Poller> pollers(Connection connection, ConnectorContext context) {
        CriteoSettings settings = CriteoSettings.of(connection);
        CriteoApi api = new CriteoApi(http, settings, connection.requireSecret("clientSecret"), clock);
        LocalDate yesterday = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(1);
        // without a firstDay: the days still being restated before the first start
        LocalDate firstDay = settings.firstDay().orElse(yesterday.minusDays(Math.max(1, settings.restateDays()) - 1L));
        ReportJob.Restatement restatement = settings.restateDays() == 0 ? ReportJob.Restatement.NONE
                : new ReportJob.Restatement(settings.restateDays(), settings.restateEvery());
        Duration first = Duration.ofMillis(Math.max(200, Math.min(settings.pollMillis(), 60_000)));
        Duration max = Duration.ofMillis(Math.max(2_000, Math.min(settings.pollMillis() * 30, 1_800_000)));
        Map<String, Poller> pollers = new LinkedHashMap<>();
        pollers.put(CAMPAIGNS, new Poller(connection.id(), CAMPAIGNS, new ReportJob(connection.id(), NAME, CAMPAIGN_DAY,
                CriteoReports.campaigns(api, settings), firstDay, MAX_DAYS, CriteoRows::campaignDayKey, restatement, clock),
                context, clock, first, max, settings.pausedRetry()));
        if (settings.transactions()) {
            pollers.put(TRANSACTIONS, new Poller(connection.id(), TRANSACTIONS, new ReportJob(connection.id(), NAME, TRANSACTION,
                    CriteoReports.transactions(api, settings), firstDay, MAX_DAYS, CriteoRows::transactionKey, restatement,
                    clock), context, clock, first, max, settings.pausedRetry()));
        }
        return pollers;
    }

    /** Fetches an access token: proves the API is reachable and the client accepted, reads and changes nothing. */
    @Override
    public CheckResult check(Connection connection) {
        CriteoSettings settings = CriteoSettings.of(connection);
        CriteoApi api = new CriteoApi(http, settings, connection.requireSecret("clientSecret"), clock);
        return api.tokens().check("Criteo issued a token to client " + settings.clientId());
    }

    @Override
    public List<CanonicalEvent> mapInbound(InboundDelivery delivery, Connection connection, ConnectorContext context) {
        CriteoSettings settings = CriteoSettings.of(connection);
        JsonNode row = CanonicalJson.parse(delivery.body());
        EventType type;
        CanonicalRecord record;
        switch (delivery.messageType()) {
            case CAMPAIGN_DAY -> {
                type = EventType.AD_SPEND_REPORTED;
                record = CriteoRows.adSpend(row, settings);
            }
            case TRANSACTION -> {
                type = EventType.AD_CONVERSION_ATTRIBUTED;
                record = CriteoRows.conversion(row, settings);
            }
            default -> throw new IllegalArgumentException("unknown Criteo message type " + delivery.messageType());
        }
        // from the dedupe key (row content included): a replay publishes nothing twice, a restated row is a new event
        String id = UUID.nameUUIDFromBytes((connection.id() + "/" + delivery.dedupeKey()).getBytes(StandardCharsets.UTF_8))
                .toString();
        return List.of(CanonicalEvent.of(id, type, URI.create("/connectors/" + NAME + "/" + connection.id()),
                CanonicalJson.toTree(record), delivery.receivedAt()));
    }
}
